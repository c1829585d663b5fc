// N8N_LINE_NODE_MODULES=<an n8n install's node_modules> runs the suite against that n8n's own
// n8n-workflow and n8n-core instead of the devDependencies (scripts/test-n8n-line.mjs sets it;
// the packages those two load resolve from there too).
const lineNodeModules = process.env.N8N_LINE_NODE_MODULES;

/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
	},
	moduleNameMapper: lineNodeModules ? { '^(n8n-workflow|n8n-core)((/.*)?)$': `${lineNodeModules}/$1$2` } : {},
	testTimeout: 30_000,
	reporters: ['default', '<rootDir>/test/helpers/summaryReporter.js'],
};
