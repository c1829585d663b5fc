// The n8n versions the package is tested on: the e2e job's matrix in .github/workflows/ci.yml,
// so that local runs, .ci/run and GitHub's CI test the same ones.
// Read without a YAML parser (nothing here needs node_modules), so that .ci/run can start
// provisioning them before `npm ci` has installed one: the matrix is the file's one flow-style list
// `n8n: ['...', ...]` (an `include` entry names a single version). test/releaseWorkflows.test.ts
// checks that this reads what a YAML parser reads.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { ROOT } from './n8n-runtime.mjs';

const byVersion = (a, b) => a.localeCompare(b, 'en', { numeric: true });

/** The e2e matrix's n8n versions, in the order the e2e runs them. */
export function matrixVersions() {
	// Comments dropped first, as YAML drops them: in a list written over several lines
	// (`'1.123.81', # oldest`) a comment became part of the next version, and a `]` in one ended the list.
	const text = readFileSync(path.join(ROOT, '.github/workflows/ci.yml'), 'utf8').replace(/(^|\s)#.*$/gm, '$1');
	const lists = [...text.matchAll(/^\s+n8n:\s*\[([^\]]*)\]\s*$/gm)];
	if (lists.length !== 1) throw new Error(`.github/workflows/ci.yml should hold one list "n8n: [...]" of n8n versions (the e2e matrix); it holds ${lists.length}`);
	const versions = lists[0][1]
		.split(',')
		.map((entry) => entry.trim().replace(/^(['"])(.*)\1$/, '$2'))
		.filter(Boolean);
	if (versions.length === 0) throw new Error('.github/workflows/ci.yml: the e2e matrix lists no n8n versions');
	// Whatever this reader still misreads stops here, not at npm as a package version.
	const unreadable = versions.filter((version) => !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version));
	if (unreadable.length) throw new Error(`.github/workflows/ci.yml: the e2e matrix "n8n: [...]" holds entries that are not n8n versions (x.y.z): ${unreadable.map((entry) => JSON.stringify(entry)).join(', ')}`);
	return versions;
}

/** The newest n8n version in the e2e matrix. */
export function newestMatrixVersion() {
	return matrixVersions().sort(byVersion).at(-1);
}
