// Which n8n-workflow and n8n-core the suite runs against: the devDependencies, or, when
// scripts/test-n8n-line.mjs sets N8N_LINE_NODE_MODULES, the copies a real n8n line ships
// (jest.config.js maps them). Without this, a mapping that silently missed would run the
// newest line's suite against the devDependencies and pass.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');
const lineNodeModules = process.env.N8N_LINE_NODE_MODULES;
const devDependencies = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }).devDependencies;

test.each(['n8n-workflow', 'n8n-core'])(
	`%s is the copy ${lineNodeModules ? `in ${lineNodeModules}` : 'of the devDependencies'}`,
	(name) => {
		const expected = lineNodeModules
			? (JSON.parse(readFileSync(path.join(lineNodeModules, name, 'package.json'), 'utf8')) as { version: string }).version
			: devDependencies[name];
		// eslint-disable-next-line @typescript-eslint/no-require-imports -- resolved by jest, as the node's own imports are
		const loaded = (require(`${name}/package.json`) as { version: string }).version;
		expect(loaded).toBe(expected);
	},
);
