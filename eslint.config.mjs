import { config } from '@n8n/node-cli/eslint';

export default [
	...config,
	{ ignores: ['test/**', 'scripts/**', 'examples/**', 'jest.config.js', 'gulpfile.js', 'index.js', 'bench/**', 'dist/**'] },
];
