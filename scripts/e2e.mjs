#!/usr/bin/env node
// End-to-end: the packed package in a real, pinned n8n, loaded both ways users load it
// (community package install and N8N_CUSTOM_EXTENSIONS), run with `n8n execute` against the
// fake Hypersender server on 127.0.0.1. Exits non-zero on the first failed check, printing
// n8n's log tail.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
	credentialJson,
	n8nEnv,
	PACKAGE_NAME,
	provisionN8n,
	ROOT,
	runJsonFrom,
	runN8nCommand,
	startN8n,
	stopProcess,
	writeJson,
} from './n8n-runtime.mjs';
import { exampleWorkflowsForTest } from './examples-for-test.mjs';

const require = createRequire(import.meta.url);
const { FakeHypersender } = require('../test/fake-hypersender/server.js');

const TOKEN = '321|e2eTokenFor-n8n-nodes-hypersender-0123456789abcdef';
const INSTANCE_ID = '4f0c2b1a-9e8d-4c7b-a6f5-e4d3c2b1a098';
const log = (message) => process.stderr.write(`[e2e] ${message}\n`);

let failures = 0;
let passes = 0;
let lastN8nOutput = '';
function check(condition, message, detail) {
	if (condition) {
		passes++;
		log(`ok    ${message}`);
		return;
	}
	failures++;
	log(`FAIL  ${message}${detail === undefined ? '' : `\n      ${typeof detail === 'string' ? detail : JSON.stringify(detail).slice(0, 2000)}`}`);
}

// 200 CRM-like rows: the phone formats CRMs and spreadsheets hold, names in many scripts.
const FIRST_NAMES = ['María José', 'Дмитрий', 'محمد', '李', 'Zoë 🚀', 'Ølaf', 'Chloé', 'अनीता'];
const LAST_NAMES = ['Núñez', 'Иванов', '', 'Ng', "O'Brien", 'الأحمد'];
function crmRows(count) {
	return Array.from({ length: count }, (_, i) => {
		const last4 = String(i).padStart(4, '0');
		const digits = `1415555${last4}`;
		const phone = [
			`+1 (415) 555-${last4}`,
			`1-415-555-${last4}`,
			`+1 415.555.${last4}`,
			`001415555${last4}`,
			`${digits}@c.us`,
			`${digits}@s.whatsapp.net`,
			` ${digits} `,
		][i % 7];
		const first = FIRST_NAMES[i % FIRST_NAMES.length];
		const last = LAST_NAMES[i % LAST_NAMES.length];
		return { phone, first, last, expectedId: `${digits}@c.us`, expectedName: last ? `${first} ${last}` : first };
	});
}

const INVALID_ROWS = { 10: 'call me maybe', 50: '12345', 150: '120363040000000000@g.us' };

function node(name, type, parameters, extra = {}) {
	return { id: name.toLowerCase().replace(/\W+/g, '-'), name, type, typeVersion: 1, position: [0, 0], parameters, ...extra };
}

function chain(id, name, nodes) {
	nodes.forEach((n, i) => (n.position = [i * 220, 0]));
	const connections = {};
	for (let i = 0; i + 1 < nodes.length; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { id, name, nodes, connections, settings: {}, active: false, pinData: {} };
}

function workflows(nodeType, credential) {
	const credentials = { hypersenderApi: { id: credential.id, name: credential.name } };
	const trigger = () => node('Manual Trigger', 'n8n-nodes-base.manualTrigger', {});
	const rowsNode = (rows) =>
		node('CRM Rows', 'n8n-nodes-base.code', { jsCode: `return ${JSON.stringify(rows)}.map((json) => ({ json }));` }, { typeVersion: 2 });
	const upsert = (extra = {}) =>
		node(
			'Hypersender',
			nodeType,
			{ resource: 'contact', operation: 'upsert', chatId: '={{ $json.phone }}', firstName: '={{ $json.first }}', lastName: '={{ $json.last }}', options: {} },
			{ credentials, ...extra },
		);
	const rows = crmRows(200);
	const withInvalid = rows.map((row, i) => (INVALID_ROWS[i] ? { ...row, phone: INVALID_ROWS[i] } : row));
	return {
		rows,
		list: [
			chain('hsE2eUpsert200', 'E2E upsert 200', [trigger(), rowsNode(rows), upsert()]),
			chain('hsE2eUpsertInvalid', 'E2E upsert with invalid rows', [trigger(), rowsNode(withInvalid), upsert({ onError: 'continueRegularOutput' })]),
			chain('hsE2eGetMany', 'E2E get many', [
				trigger(),
				node('Hypersender', nodeType, { resource: 'contact', operation: 'getAll', returnAll: true, options: {} }, { credentials }),
			]),
			chain('hsE2eGet', 'E2E get', [
				trigger(),
				node('Hypersender', nodeType, { resource: 'contact', operation: 'get', chatId: '+1 (415) 555-0007', options: {} }, { credentials }),
			]),
		],
	};
}

/** `n8n execute --rawOutput` prints the run as JSON after its log lines. */
async function execute(bins, env, workflowId) {
	const { status, stdout, stderr } = await runN8nCommand(bins, env, ['execute', `--id=${workflowId}`, '--rawOutput']);
	lastN8nOutput = `${stderr}\n${stdout}`;
	const run = runJsonFrom(stdout);
	if (!run) {
		throw new Error(`n8n execute --id=${workflowId} printed no run JSON (exit ${status}):\n${lastN8nOutput.slice(-4000)}`);
	}
	return run;
}

function outputOf(run, nodeName = 'Hypersender') {
	return run?.data?.resultData?.runData?.[nodeName]?.[0]?.data?.main?.[0] ?? [];
}

function errorMessageOf(item) {
	return item.error?.message ?? item.json?.error ?? '';
}

async function checkScenarios(label, bins, env, fake, nodeType) {
	const credential = credentialJson({ apiToken: TOKEN, instanceId: INSTANCE_ID, baseUrl: fake.url });
	const { list, rows } = workflows(nodeType, credential);
	const dir = env.N8N_USER_FOLDER;
	for (const [what, args] of [
		['credential', ['import:credentials', `--input=${writeJson(path.join(dir, 'import/credentials.json'), [credential])}`]],
		...list.map((wf) => ['workflow', ['import:workflow', `--input=${writeJson(path.join(dir, `import/${wf.id}.json`), wf)}`]]),
	]) {
		const result = await runN8nCommand(bins, env, args);
		lastN8nOutput = `${result.stderr}\n${result.stdout}`;
		if (result.status !== 0) throw new Error(`${label}: importing a ${what} failed:\n${lastN8nOutput.slice(-3000)}`);
	}

	// 1. the package loaded without errors
	const first = await runN8nCommand(bins, env, ['execute', '--id=hsE2eUpsert200', '--rawOutput']);
	lastN8nOutput = `${first.stderr}\n${first.stdout}`;
	const loadErrors = lastN8nOutput
		.split('\n')
		.filter((line) => /hypersender/i.test(line) && /(error|fail|could not|cannot)/i.test(line) && !line.trim().startsWith('{'));
	check(loadErrors.length === 0, `${label}: n8n logs no load error for the node or credential`, loadErrors.join('\n'));

	// 2. 200 messy CRM rows, all upserted under normalized IDs and unchanged names
	const run200 = runJsonFrom(first.stdout);
	if (!run200) throw new Error(`${label}: the 200-row upsert printed no run JSON (exit ${first.status}):\n${lastN8nOutput.slice(-4000)}`);
	const out200 = outputOf(run200);
	check(!run200.data.resultData.error, `${label}: the 200-row upsert workflow succeeds`, run200.data.resultData.error);
	check(out200.length === 200 && out200.every((item) => !item.error), `${label}: 200 output items, none failed`, out200.length);
	const wrong = rows.filter((row) => fake.contact(row.expectedId)?.name !== row.expectedName);
	check(fake.contacts.size === 200 && wrong.length === 0, `${label}: the fake address book holds all 200 under normalized IDs and names`, { size: fake.contacts.size, wrong: wrong.slice(0, 3) });

	// 3. three invalid rows with On Error: Continue
	fake.reset();
	const runInvalid = await execute(bins, env, 'hsE2eUpsertInvalid');
	const outInvalid = outputOf(runInvalid);
	const errorItems = outInvalid.filter((item) => item.error || item.json?.error);
	check(outInvalid.length === 200, `${label}: 200 items out for 200 in`, outInvalid.length);
	check(fake.contacts.size === 197, `${label}: 197 contacts upserted`, fake.contacts.size);
	check(fake.requests.length === 197, `${label}: nothing sent for the 3 invalid rows`, fake.requests.length);
	check(
		errorItems.length === 3 && Object.values(INVALID_ROWS).every((bad) => errorItems.some((item) => errorMessageOf(item).includes(`"${bad}"`))),
		`${label}: 3 error items, each naming the bad value`,
		errorItems.map(errorMessageOf),
	);

	// 4. Get Many and Get
	const outMany = outputOf(await execute(bins, env, 'hsE2eGetMany'));
	check(outMany.length === 197, `${label}: Get Many returns every contact`, outMany.length);
	const outGet = outputOf(await execute(bins, env, 'hsE2eGet'));
	check(
		outGet.length === 1 && outGet[0].json.found === true && outGet[0].json.name === rows[7].expectedName,
		`${label}: Get returns the one contact`,
		outGet,
	);

	// The examples users start from run against the fake server too.
	for (const example of exampleWorkflowsForTest(nodeType, credential)) {
		fake.reset();
		const imported = await runN8nCommand(bins, env, ['import:workflow', `--input=${writeJson(path.join(dir, `import/${example.workflow.id}.json`), example.workflow)}`]);
		lastN8nOutput = `${imported.stderr}\n${imported.stdout}`;
		if (imported.status !== 0) throw new Error(`${label}: importing example ${example.file} failed:\n${lastN8nOutput.slice(-3000)}`);
		const run = await execute(bins, env, example.workflow.id);
		const problem = example.check(run, fake);
		check(!problem, `${label}: example ${example.file} runs`, problem);
	}
}

/** n8n's own credential test, through the REST API of a started n8n, as the editor's Test button calls it. */
async function checkCredentialTest(label, bins, env, fake) {
	const n8n = await startN8n(bins, env);
	try {
		const owner = { email: 'e2e@example.com', firstName: 'E2E', lastName: 'Test', password: 'E2e-password-123' };
		const setup = await fetch(`${n8n.url}/rest/owner/setup`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'browser-id': 'e2e' }, body: JSON.stringify(owner) });
		const cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0];
		check(setup.ok && cookie, `${label}: owner set up on the started n8n`, setup.status);
		// The editor's Test button sends the form's data with the id of the credential being edited.
		const testWith = async (apiToken, instanceId) => {
			const response = await fetch(`${n8n.url}/rest/credentials/test`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', cookie, 'browser-id': 'e2e' },
				body: JSON.stringify({
					credentials: { id: credentialJson({}).id, name: 'Hypersender (fake server)', type: 'hypersenderApi', data: { apiToken, instanceId, baseUrl: fake.url, rateLimitPlan: 'starter' } },
				}),
			});
			const body = await response.json().catch(() => ({}));
			return body.data ?? body;
		};
		const good = await testWith(TOKEN, INSTANCE_ID);
		check(good.status === 'OK', `${label}: the credential test passes for a good token`, good);
		const badToken = await testWith('999|not-the-token', INSTANCE_ID);
		check(badToken.status === 'Error' && /API Token is wrong/.test(badToken.message), `${label}: the credential test names a bad token`, badToken);
		const badInstance = await testWith(TOKEN, 'not-an-instance');
		check(badInstance.status === 'Error' && /Instance ID was not found/.test(badInstance.message), `${label}: the credential test names a bad instance`, badInstance);
	} finally {
		lastN8nOutput = n8n.output();
		await stopProcess(n8n.child);
	}
}

async function main() {
	const started = Date.now();
	const bins = provisionN8n();
	log('building and packing the package');
	execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
	const work = mkdtempSync(path.join(tmpdir(), 'hypersender-e2e-'));
	const tarball = path.join(work, execFileSync('npm', ['pack', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop());

	const fake = new FakeHypersender({ token: TOKEN, instanceId: INSTANCE_ID });
	await fake.start();
	try {
		// As users install a community package: the tarball into <user folder>/.n8n/nodes.
		const community = path.join(work, 'community');
		const nodesDir = path.join(community, '.n8n', 'nodes');
		writeJson(path.join(nodesDir, 'package.json'), { name: 'installed-nodes', private: true, dependencies: {} });
		log('installing the tarball as a community package');
		execFileSync('npm', ['install', tarball, '--omit=peer', '--legacy-peer-deps', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: nodesDir, stdio: ['ignore', 'ignore', 'inherit'] });
		// As users load a custom extension: the package's files (no node_modules) in a folder.
		const extension = path.join(work, 'extension');
		mkdirSync(extension, { recursive: true });
		execFileSync('tar', ['-xzf', tarball, '-C', extension, '--strip-components=1']);
		const modes = [
			['community package', n8nEnv(community, { port: 5691 }), `${PACKAGE_NAME}.hypersender`],
			['N8N_CUSTOM_EXTENSIONS', n8nEnv(path.join(work, 'extensions'), { extensions: extension, port: 5692 }), 'CUSTOM.hypersender'],
		];
		for (const [label, env, nodeType] of modes) {
			log(`--- ${label}`);
			fake.reset();
			await checkScenarios(label, bins, env, fake, nodeType);
		}
		await checkCredentialTest('credential test', bins, modes[0][1], fake);
	} catch (error) {
		failures++;
		log(`FAIL  ${error.stack ?? error}`);
	} finally {
		await fake.stop();
		if (failures === 0) rmSync(work, { recursive: true, force: true });
	}
	process.stdout.write(`e2e: ${passes} passed, ${failures} failed\n`);
	if (failures > 0) {
		log(`n8n's last output:\n${lastN8nOutput.slice(-6000)}`);
		log(`${failures} check(s) failed; work folder kept`);
		process.exit(1);
	}
	log(`all checks passed in ${Math.round((Date.now() - started) / 1000)} s`);
}

await main();
