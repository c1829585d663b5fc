#!/usr/bin/env node
// `npm run test:n8n-line`: the typecheck and the whole jest suite against the n8n-workflow and
// n8n-core that one real n8n line ships, instead of the devDependencies (2.40.x), so that an API
// change in a newer line shows up as a failing test or type error, not only in the e2e run.
// The line: N8N_VERSION, else the newest version of the e2e matrix in .github/workflows/ci.yml.
// It provisions that n8n (scripts/provision-n8n.sh; seconds when cached) and points tsc (`paths`
// in a temporary tsconfig) and jest (N8N_LINE_NODE_MODULES, read by jest.config.js) at the
// copies in its node_modules. Jest runs on the Node that runs that n8n. Extra arguments go to jest.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { newestMatrixVersion } from './lib/n8n-lines.mjs';
import { provisionN8n, ROOT, writeJson } from './lib/n8n-runtime.mjs';

const PACKAGES = ['n8n-workflow', 'n8n-core'];
const log = (message) => process.stderr.write(`[n8n-line] ${message}\n`);

/** The node_modules folder from which `n8n` (the package whose bin is `n8nBin`) loads both packages. */
function nodeModulesOfN8n(n8nBin) {
	const requireFromN8n = createRequire(path.join(path.dirname(n8nBin), '..', 'package.json'));
	const folders = PACKAGES.map((name) => path.dirname(path.dirname(requireFromN8n.resolve(`${name}/package.json`))));
	if (new Set(folders).size !== 1) throw new Error(`n8n loads ${PACKAGES.join(' and ')} from different folders (${folders.join(', ')}); jest.config.js maps both to one`);
	return folders[0];
}

function run(command, args, env) {
	log(`${path.basename(command)} ${args.join(' ')}`);
	const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
	return result.status === 0;
}

const version = process.env.N8N_VERSION ?? newestMatrixVersion();
const bins = provisionN8n(version);
const nodeModules = nodeModulesOfN8n(bins.n8n);
const versions = PACKAGES.map((name) => `${name} ${JSON.parse(readFileSync(path.join(nodeModules, name, 'package.json'), 'utf8')).version}`);
log(`n8n ${version} ships ${versions.join(', ')} (${nodeModules})`);

const work = mkdtempSync(path.join(tmpdir(), 'hypersender-n8n-line-'));
let passed;
try {
	const tsconfig = path.join(work, 'tsconfig.json');
	writeJson(tsconfig, {
		extends: path.join(ROOT, 'tsconfig.json'),
		compilerOptions: {
			noEmit: true,
			// Found from this file's folder otherwise, which is outside the project.
			typeRoots: [path.join(ROOT, 'node_modules/@types')],
			paths: Object.fromEntries(PACKAGES.flatMap((name) => [[name, [path.join(nodeModules, name)]], [`${name}/*`, [path.join(nodeModules, name, '*')]]])),
		},
	});
	const typecheck = run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', tsconfig]);
	const jest = run(bins.node, [path.join(ROOT, 'node_modules/jest/bin/jest.js'), ...process.argv.slice(2)], { N8N_LINE_NODE_MODULES: nodeModules });
	passed = typecheck && jest;
	log(`typecheck ${typecheck ? 'passed' : 'FAILED'}, jest ${jest ? 'passed' : 'FAILED'} against ${versions.join(', ')} (n8n ${version})`);
} finally {
	rmSync(work, { recursive: true, force: true });
}
process.exit(passed ? 0 : 1);
