// The n8n versions the package is tested on: the e2e job's matrix in .github/workflows/ci.yml,
// so that local runs, .ci/run and GitHub's CI test the same ones.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { parse as parseYaml } from 'yaml';

import { ROOT } from './n8n-runtime.mjs';

const byVersion = (a, b) => a.localeCompare(b, 'en', { numeric: true });

/** The e2e matrix's n8n versions, in the order the e2e runs them. */
export function matrixVersions() {
	const ci = parseYaml(readFileSync(path.join(ROOT, '.github/workflows/ci.yml'), 'utf8'));
	const versions = Object.values(ci.jobs ?? {}).find((job) => job.strategy?.matrix?.n8n)?.strategy.matrix.n8n;
	if (!Array.isArray(versions) || versions.length === 0) throw new Error('.github/workflows/ci.yml has no job with a strategy.matrix.n8n list of n8n versions');
	return versions.map(String);
}

/** The newest n8n version in the e2e matrix. */
export function newestMatrixVersion() {
	return matrixVersions().sort(byVersion).at(-1);
}
