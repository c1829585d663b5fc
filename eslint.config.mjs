import { config } from '@n8n/node-cli/eslint';

export default [
	...config,
	{ ignores: ['.n8n-dev/**', '.bench-build/**', 'docs/**', 'test/**', 'scripts/**', 'examples/**', 'jest.config.js', 'gulpfile.js', 'index.js', 'bench/**', 'dist/**'] },
];
