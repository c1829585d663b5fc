#!/usr/bin/env node
// `npm run dev`: builds the package (and recompiles on change), starts a local n8n on SQLite at
// http://localhost:5678 with the package loaded. `npm run dev -- --fake` also starts the fake
// Hypersender server and imports a ready credential and workflow that point at it.
// Ctrl-C stops everything it started.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { importIntoN8n, NODE_TYPE, pointWorkflowAt } from './lib/n8n-package.mjs';
import { credentialJson, n8nEnv, provisionN8n, ROOT, startN8n } from './lib/n8n-runtime.mjs';
import { stopProcess } from './lib/processes.mjs';

const require = createRequire(import.meta.url);
const withFake = process.argv.includes('--fake');
const port = Number(process.env.N8N_PORT ?? 5678);
const say = (message) => process.stdout.write(`[dev] ${message}\n`);

const children = [];
let fake;
let stopping = false;
async function stopAll(code = 0) {
	if (stopping) return;
	stopping = true;
	say('stopping');
	for (const child of children.reverse()) await stopProcess(child);
	if (fake) await fake.stop();
	process.exit(code);
}
process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

async function main() {
	const bins = provisionN8n();
	say('building');
	execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });

	const devDir = path.join(ROOT, '.n8n-dev');
	// n8n loads every *.node.js under a custom extension folder, so it gets only the package's
	// manifest and dist/, never node_modules.
	const extension = path.join(devDir, 'extension');
	rmSync(extension, { recursive: true, force: true });
	mkdirSync(extension, { recursive: true });
	symlinkSync(path.join(ROOT, 'dist'), path.join(extension, 'dist'));
	symlinkSync(path.join(ROOT, 'package.json'), path.join(extension, 'package.json'));
	const env = n8nEnv(path.join(devDir, 'user'), { extensions: extension, port });

	// tsc itself, not through npx, so that stopping this child stops the compiler.
	const watcher = spawn(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--watch', '--preserveWatchOutput'], {
		cwd: ROOT,
		stdio: ['ignore', 'inherit', 'inherit'],
	});
	children.push(watcher);

	if (withFake) {
		const { FakeHypersender } = require('../test/fake-hypersender/server.js');
		fake = await new FakeHypersender({ logRequests: false }).start(Number(process.env.FAKE_HYPERSENDER_PORT ?? 5690));
		const credential = credentialJson({ apiToken: fake.token, instanceId: fake.instanceId, baseUrl: fake.url });
		const example = pointWorkflowAt(JSON.parse(readFileSync(path.join(ROOT, 'examples/upsert-then-verify.json'), 'utf8')), NODE_TYPE.customExtension, credential);
		example.id = 'hypersenderDevExample';
		await importIntoN8n(bins, env, path.join(devDir, 'import'), { credentials: [credential], workflows: [example] });
		say(`fake Hypersender server on ${fake.url} (token ${fake.token}, instance ${fake.instanceId})`);
	}

	say(`starting n8n on http://localhost:${port} (first start takes a minute)`);
	const n8n = await startN8n(bins, env, { log: (chunk) => process.stdout.write(chunk) });
	children.push(n8n.child);
	n8n.child.once('exit', (code) => stopping || stopAll(code ?? 1));
	say(`n8n is ready: open http://localhost:${port}`);
	say('first visit: create the local owner account (it stays in .n8n-dev/, nothing leaves this machine)');
	if (withFake) {
		say('then open the workflow "Hypersender: upsert a contact, then read it back" and click "Execute workflow":');
		say(`the contact appears in the fake address book: ${fake.url}/__fake/contacts`);
	} else {
		say('then add a "Hypersender" node and create a "Hypersender API" credential with your token and instance ID');
	}
	say('TypeScript changes are recompiled into dist/ as you save; n8n loads nodes at start, so restart this command to see them. Ctrl-C stops everything.');
}

main().catch(async (error) => {
	process.stderr.write(`[dev] ${error.stack ?? error}\n`);
	await stopAll(1);
});
