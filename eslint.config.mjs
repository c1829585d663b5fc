import { config } from '@n8n/node-cli/eslint';

// The package's own code (credentials/, nodes/) gets n8n's community-node rules as
// @n8n/node-cli configures them. Tests, scripts and the benchmark are not node code: n8n's node
// rules (descriptions, parameters, no console, imports limited to what n8n Cloud allows) make no
// sense for a test harness or a CLI script, so those folders get only ESLint's and
// typescript-eslint's recommended rules, taken from the same config so that both stay in step.
const DEV_FOLDERS = ['test/**', 'scripts/**', 'bench/**'];
const forPackageCodeOnly = (entry) => (entry.files?.includes('**/*.ts') ? { ...entry, ignores: [...(entry.ignores ?? []), ...DEV_FOLDERS] } : entry);
const RECOMMENDED_NAMES = new Set(['typescript-eslint/base', 'typescript-eslint/eslint-recommended', 'typescript-eslint/recommended']);
// ESLint's own recommended set is the one unnamed entry of n8n's config that lists no plugin and many rules.
const jsRecommended = config.find((entry) => entry.files?.includes('**/*.ts') && !entry.name && !entry.plugins && Object.keys(entry.rules ?? {}).length > 50);
const tsRecommended = config.filter((entry) => RECOMMENDED_NAMES.has(entry.name));
if (!jsRecommended || tsRecommended.length !== RECOMMENDED_NAMES.size) throw new Error('@n8n/node-cli/eslint changed shape: update eslint.config.mjs');

// The scripts run on the Node that runs ESLint, so its globals are exactly theirs.
const nodeGlobals = Object.fromEntries(Object.getOwnPropertyNames(globalThis).map((name) => [name, 'readonly']));
const DEV_TS = DEV_FOLDERS.map((folder) => `${folder}/*.ts`);

export default [
	...config.map(forPackageCodeOnly),
	{ ...jsRecommended, files: [...DEV_TS, ...DEV_FOLDERS.map((folder) => `${folder}/*.{js,mjs,cjs}`)] },
	...tsRecommended.map((entry) => ({ ...entry, files: DEV_TS })),
	{ files: ['**/*.mjs'], languageOptions: { sourceType: 'module', globals: nodeGlobals } },
	{ files: ['**/*.{js,cjs}'], languageOptions: { sourceType: 'commonjs', globals: nodeGlobals } },
	{ ignores: ['.n8n-dev/**', '.bench-build/**', 'docs/**', 'examples/**', 'jest.config.js', 'gulpfile.js', 'index.js', 'dist/**'] },
];
