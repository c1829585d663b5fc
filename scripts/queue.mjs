#!/usr/bin/env node
// Queue mode (issue 12): the packed package in real n8n's distributed engine, as users run it
// when they outgrow one machine. Redis and PostgreSQL from Debian's packages (installed when
// missing; needs root for apt-get and to run Postgres as the `postgres` user), then n8n main
// (`n8n start`), one `n8n webhook` process and two `n8n worker --concurrency=1`, each with its
// own user folder holding the package installed as a community package, all on 127.0.0.1 and
// sharing Postgres, Redis and N8N_ENCRYPTION_KEY. The fake Hypersender server runs in this
// process. Then:
//   1. Two 300-row bulk upserts started at one moment through production webhooks (one per
//      worker) on one account limited to 600 a minute, enforced as 100 per fixed 10-second
//      window (as bench/bench.ts does: a one-minute window would let 600 through in a burst);
//      once with X-RateLimit-Reset in the server's answers (the workers adapt their spacing to
//      the window) and once without (each worker paces alone; 429 + Retry-After are the fallback).
//   2. Hypersender Trigger deliveries POSTed to the webhook process run on the workers.
//   3. A worker is SIGKILLed in the middle of a bulk run: what n8n reports for the execution, and
//      that no row was sent twice with different content; then the execution is retried.
// Prints `queue: N passed, M failed`. `--write-benchmarks` puts the figures into BENCHMARKS.md.
// QUEUE_N8N_VERSION overrides the n8n version (2.40.7). Everything started here is stopped at the end,
// on a failed check and on SIGINT/SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { buildAndPack, importIntoN8n, installAsCommunityPackage, NODE_TYPE } from './lib/n8n-package.mjs';
import { credentialJson, freePort, n8nEnv, provisionN8n, ROOT } from './lib/n8n-runtime.mjs';
import { setUpOwner } from './lib/n8n-rest.mjs';
import { stopProcess } from './lib/processes.mjs';
import { activate, delivery, TEXT_PAYLOAD, triggerCredential, triggerWorkflow } from './e2e/trigger.mjs';
import { chainWorkflow, node, workflowNode } from './e2e/workflows.mjs';

const require = createRequire(import.meta.url);
const { FakeHypersender } = require('../test/fake-hypersender/server.js');

// Not N8N_VERSION: CI jobs set that for the e2e's matrix, and queue mode is tested on 2.40.7.
const N8N_VERSION = process.env.QUEUE_N8N_VERSION ?? '2.40.7';
const PG_BIN = '/usr/lib/postgresql/15/bin';
const TOKEN = '321|queueTokenFor-n8n-nodes-hypersender-0123456789abcdef';
const INSTANCE_ID = '4f0c2b1a-9e8d-4c7b-a6f5-e4d3c2b1a098';
const OWNER = { email: 'queue@example.com', firstName: 'Queue', lastName: 'Test', password: 'Queue-password-123' };
const PLAN_PER_MINUTE = 600;
const WINDOW_MS = 10_000;
const ROWS = 300;
const IDEAL_MS = ((2 * ROWS) / PLAN_PER_MINUTE) * 60_000;
const BULK_WORKFLOW_ID = 'hsQueueBulk';
const BULK_PATH = 'hypersender-queue-bulk';
const TRIGGER_WORKFLOW_ID = 'hsQueueTrigger';
const TRIGGER_WEBHOOK_ID = '3c9a1e7b-5d2f-4a60-8b1c-9e0d7f6a5b43';
const TRIGGER_SECRET = 'queue-webhook-authorization-8a2c4e6f';
const WORKERS = ['worker-1', 'worker-2'];
// n8n's own defaults for noticing a dead worker (the Bull job lock lapses after 60 s; workers look
// for stalled jobs every 30 s): shortened, they made a busy worker's healthy job look stalled here.
// Only shutting down is made quicker (n8n waits up to 30 s for running executions).
const QUICK_SHUTDOWN_ENV = { QUEUE_BULL_GRACEFUL_SHUTDOWN_TIMEOUT: '5' };

const runStartedAt = Date.now();
const log = (message) => process.stderr.write(`[queue +${Math.round((Date.now() - runStartedAt) / 1000)}s] ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const totals = { passed: 0, failed: 0 };

function check(condition, message, detail) {
	totals[condition ? 'passed' : 'failed']++;
	if (condition) return log(`ok    ${message}`);
	log(`FAIL  ${message}${detail === undefined ? '' : `\n      ${typeof detail === 'string' ? detail : JSON.stringify(detail)?.slice(0, 2000)}`}`);
}

async function waitFor(what, condition, { timeoutMs = 60_000, everyMs = 250 } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await condition();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await sleep(everyMs);
	}
}

/** What to stop at the end, latest first; each entry runs once. */
const cleanups = [];
async function cleanUp() {
	while (cleanups.length) {
		const { name, stop } = cleanups.pop();
		try {
			await stop();
		} catch (error) {
			log(`stopping ${name} failed: ${error.message ?? error}`);
		}
	}
}
for (const signal of ['SIGINT', 'SIGTERM']) {
	process.once(signal, () => {
		log(`${signal}: stopping everything this run started`);
		void cleanUp().finally(() => process.exit(130));
	});
}

function run(command, args, options = {}) {
	const result = spawnSync(command, args, { encoding: 'utf8', ...options });
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}):\n${`${result.stderr ?? ''}${result.stdout ?? ''}`.slice(-3000)}`);
	return result.stdout;
}

function installDebianPackagesWhenMissing() {
	if (existsSync('/usr/bin/redis-server') && existsSync(path.join(PG_BIN, 'initdb'))) return;
	log('installing redis-server and postgresql from Debian (apt-get)');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	run('apt-get', ['update'], { env });
	run('apt-get', ['install', '-y', 'redis-server', 'postgresql'], { env });
}

/** A long-running child whose output goes to `logFile` and is kept for searching. */
function startChild(name, command, args, { env, logFile }) {
	const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
	const file = createWriteStream(logFile);
	let output = '';
	const collect = (chunk) => {
		output += chunk;
		file.write(chunk);
	};
	child.stdout.on('data', collect);
	child.stderr.on('data', collect);
	child.once('close', () => file.end());
	// A child killed by a signal has no exit code; stopProcess would wait for an exit already past.
	cleanups.push({ name, stop: () => (child.exitCode === null && child.signalCode === null ? stopProcess(child) : undefined) });
	// n8n colours its log lines; the colour codes start with the ESC control character.
	// eslint-disable-next-line no-control-regex
	return { name, child, output: () => output.replace(/\x1b\[[0-9;]*m/g, '') };
}

async function startRedis(work) {
	const port = await freePort();
	const dir = path.join(work, 'redis');
	mkdirSync(dir);
	const redis = startChild('redis', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'], {
		env: process.env,
		logFile: path.join(work, 'redis.log'),
	});
	await waitFor('Redis to accept connections', () => {
		if (redis.child.exitCode !== null) throw new Error(`redis-server exited:\n${redis.output()}`);
		return /Ready to accept connections/.test(redis.output());
	}, { timeoutMs: 20_000, everyMs: 100 });
	return port;
}

/** Postgres in its own temporary folder, run as the `postgres` user when we are root (it refuses root). */
async function startPostgres() {
	const folder = mkdtempSync(path.join(tmpdir(), 'hypersender-queue-pg-'));
	const asRoot = process.getuid?.() === 0;
	if (asRoot) run('chown', ['-R', 'postgres:postgres', folder]);
	const pg = (tool, args) => (asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, tool), ...args]) : run(path.join(PG_BIN, tool), args));
	const data = path.join(folder, 'data');
	const port = await freePort();
	pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
	cleanups.push({
		name: 'postgres',
		stop: () => {
			if (existsSync(path.join(data, 'postmaster.pid'))) pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
			rmSync(folder, { recursive: true, force: true });
		},
	});
	pg('pg_ctl', ['-D', data, '-l', path.join(folder, 'postgres.log'), '-w', '-o', `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1`, 'start']);
	return port;
}

/** Starts one n8n process; resolves once its health endpoint says it is ready. */
async function startN8nProcess(bins, role, args, env, healthPort, work) {
	const n8n = startChild(role, bins.node, [bins.n8n, ...args], { env, logFile: path.join(work, `${role}.log`) });
	await waitFor(`n8n ${role} to be ready`, async () => {
		if (n8n.child.exitCode !== null) throw new Error(`n8n ${role} exited early:\n${n8n.output().slice(-4000)}`);
		try {
			return (await fetch(`http://127.0.0.1:${healthPort}/healthz/readiness`)).ok;
		} catch {
			return false; // not listening yet
		}
	}, { timeoutMs: 180_000, everyMs: 500 });
	log(`n8n ${role} ready (pid ${n8n.child.pid})`);
	return { ...n8n, url: `http://127.0.0.1:${healthPort}` };
}

/** The bulk workflow: a production webhook whose body { batch, count, label } becomes `count` rows, upserted. */
function bulkWorkflow(nodeType, credential) {
	const rows = `const { batch, count, label } = $json.body;
return Array.from({ length: count }, (_, i) => ({ json: { phone: '+1 213 373 ' + batch + String(i).padStart(3, '0'), first: label + ' ' + batch, last: String(i) } }));`;
	return chainWorkflow(BULK_WORKFLOW_ID, 'Queue bulk upsert', [
		node('Webhook', 'n8n-nodes-base.webhook', { httpMethod: 'POST', path: BULK_PATH, responseMode: 'onReceived', options: {} }, { typeVersion: 2, webhookId: '0e6c8d2a-7b4f-4e1a-9c3d-5f2b8a1e6d70' }),
		node('Rows', 'n8n-nodes-base.code', { jsCode: rows }, { typeVersion: 2 }),
		workflowNode('Hypersender', nodeType, credential, {
			resource: 'contact',
			operation: 'upsert',
			chatId: '={{ $json.phone }}',
			firstName: '={{ $json.first }}',
			lastName: '={{ $json.last }}',
			options: {},
		}, { onError: 'continueRegularOutput' }),
	]);
}

const chatIdOf = (batch, i) => `1213373${batch}${String(i).padStart(3, '0')}@c.us`;

/** n8n's executions of a workflow, newest first, as the executions list reports them. */
async function executionsOf(n8n, workflowId) {
	const { body } = await n8n.rest('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=100`);
	return body?.data?.results ?? [];
}

/** One execution with its run data (n8n stores it with flatted; read with n8n's own copy). */
async function executionWithRun(n8n, bins, id) {
	const flatted = createRequire(bins.n8n)('flatted');
	const { body } = await n8n.rest('GET', `/executions/${id}`);
	const data = body?.data?.data;
	return { ...body?.data, run: typeof data === 'string' ? flatted.parse(data) : data };
}

const finished = (execution) => execution && !['new', 'running', 'waiting'].includes(execution.status);

/** Which worker's log says it started execution `id` (n8n logs "Worker started execution <id> (job <n>)"). */
function workerThatRan(workers, id) {
	return workers.filter((worker) => worker.output().includes(`Worker started execution ${id} `)).map((worker) => worker.name);
}

/** Chat IDs the fake server received with more than one distinct content (names). */
function conflictingRows(fake) {
	const contents = new Map();
	for (const request of fake.requests) {
		if (!request.path.endsWith('/contacts/upsert') || !request.body) continue;
		const { chat_id: chatId, ...rest } = request.body;
		const set = contents.get(chatId) ?? new Set();
		set.add(JSON.stringify(rest));
		contents.set(chatId, set);
	}
	const sentTwice = [...contents.keys()].filter((chatId) => fake.requests.filter((request) => request.body?.chat_id === chatId).length > 1);
	return { conflicting: [...contents].filter(([, set]) => set.size > 1).map(([chatId, set]) => ({ chatId, contents: [...set] })), sentTwice };
}

/** POSTs to a production webhook on the webhook process; n8n registers them a moment after activation, so 404 is retried. */
async function postWebhook(url, body, what) {
	return await waitFor(what, async () => {
		const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
		if (response.ok) return true;
		if (response.status !== 404) throw new Error(`the webhook answered HTTP ${response.status}: ${await response.text()}`);
		return false;
	});
}

/** Two 300-row bulk upserts at one moment on one 600/min account; the figures of the run. */
async function twoBulkRuns({ n8n, bins, fake, webhook, workers, resetHeader, label }) {
	fake.reset();
	fake.rateLimitResetHeader = resetHeader;
	const before = new Set((await executionsOf(n8n, BULK_WORKFLOW_ID)).map((execution) => execution.id));
	const url = `${webhook.url}/webhook/${BULK_PATH}`;
	const arrivals = [];
	const stamp = () => arrivals.push(Date.now());
	fake.server.on('request', stamp);
	const startedAt = Date.now();
	await Promise.all([1, 2].map((batch) => postWebhook(url, { batch, count: ROWS, label }, `the webhook to start batch ${batch}`)));
	const executions = await waitFor(`both ${label} executions to finish`, async () => {
		const mine = (await executionsOf(n8n, BULK_WORKFLOW_ID)).filter((execution) => !before.has(execution.id));
		return mine.length === 2 && mine.every(finished) && mine;
	}, { timeoutMs: 300_000, everyMs: 500 });
	fake.server.off('request', stamp);
	const full = await Promise.all(executions.map((execution) => executionWithRun(n8n, bins, execution.id)));
	const endedAt = Math.max(...full.map((execution) => Date.parse(execution.stoppedAt)));
	const items = full.flatMap((execution) => execution.run?.resultData?.runData?.Hypersender?.[0]?.data?.main?.[0] ?? []);
	const failedItems = items.filter((item) => item.json?.error || item.error);
	const wrongNames = [1, 2].flatMap((batch) => Array.from({ length: ROWS }, (_, i) => [chatIdOf(batch, i), `${label} ${batch} ${i}`])).filter(([chatId, name]) => fake.contact(chatId)?.name !== name);
	const ranOn = full.map((execution) => workerThatRan(workers, execution.id));
	const result = {
		label,
		resetHeader,
		wallMs: endedAt - startedAt,
		ratio: (endedAt - startedAt) / IDEAL_MS,
		// From the first request to the last at the server: the pacing alone, without n8n's start-up of each run.
		sendingMs: Math.max(...arrivals) - Math.min(...arrivals),
		// n8n's own account of the two executions (picked up by the workers until saved).
		executionMs: endedAt - Math.min(...full.map((execution) => Date.parse(execution.startedAt))),
		items: items.length,
		failed: failedItems.length,
		contacts: fake.contacts.size,
		rateLimited: fake.stats.rateLimited,
		requests: fake.stats.total,
		ranOn,
		statuses: full.map((execution) => execution.status),
	};
	log(`${label}: ${JSON.stringify(result)}`);
	check(full.every((execution) => execution.status === 'success'), `${label}: both executions succeed`, result.statuses);
	check(ranOn.every((names) => names.length === 1) && ranOn[0][0] !== ranOn[1][0], `${label}: the two executions ran on different workers`, ranOn);
	check(items.length === 2 * ROWS && failedItems.length === 0, `${label}: ${2 * ROWS} items out, 0 failed`, { items: items.length, failed: failedItems.slice(0, 3) });
	check(fake.contacts.size === 2 * ROWS && wrongNames.length === 0, `${label}: all ${2 * ROWS} contacts in the fake's book under their names`, { size: fake.contacts.size, wrong: wrongNames.slice(0, 3) });
	return result;
}

/** Trigger deliveries POSTed to the webhook process start executions that the workers run. */
async function triggerOnWorkers({ n8n, bins, webhook, workers, main }) {
	const url = `${webhook.url}/webhook/${TRIGGER_WEBHOOK_ID}/webhook`;
	const post = (body) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: TRIGGER_SECRET }, body: JSON.stringify(body) });
	const deliveries = Array.from({ length: 4 }, (_, i) => delivery('message.any', { ...TEXT_PAYLOAD, id: `${TEXT_PAYLOAD.id}${i}`, body: `Queue delivery ${i}` }, { id: `evt_queue_${i}`, instanceId: INSTANCE_ID }));
	await waitFor('the trigger webhook to be registered', async () => {
		const response = await post(deliveries[0]);
		if (response.status === 404) return false;
		check(response.status === 200, `trigger: the webhook process answers the first delivery 200`, { status: response.status, body: await response.text() });
		return true;
	});
	for (const body of deliveries.slice(1)) {
		const response = await post(body);
		check(response.status === 200, `trigger: delivery ${body.data.id} answered 200 by the webhook process`, { status: response.status, body: await response.text() });
	}
	const repeat = await post(deliveries[1]);
	const repeatText = await repeat.text();
	check(repeat.status === 200 && /already delivered/.test(repeatText), 'trigger: a repeated event ID is acknowledged without a new execution', { status: repeat.status, body: repeatText });
	const executions = await waitFor('the trigger executions to finish', async () => {
		const list = await executionsOf(n8n, TRIGGER_WORKFLOW_ID);
		return list.length >= deliveries.length && list.every(finished) && list;
	});
	const full = await Promise.all(executions.map((execution) => executionWithRun(n8n, bins, execution.id)));
	const texts = full.map((execution) => execution.run?.resultData?.runData?.['Hypersender Trigger']?.[0]?.data?.main?.[0]?.[0]?.json?.text).sort();
	const ranOn = Object.fromEntries(full.map((execution) => [execution.id, workerThatRan(workers, execution.id)]));
	log(`trigger: executions and the worker that ran each: ${JSON.stringify(ranOn)}`);
	check(executions.length === deliveries.length && full.every((execution) => execution.status === 'success' && execution.mode === 'webhook'), `trigger: ${deliveries.length} deliveries, ${deliveries.length} successful webhook executions`, full.map(({ id, status, mode }) => ({ id, status, mode })));
	check(JSON.stringify(texts) === JSON.stringify(deliveries.map((_, i) => `Queue delivery ${i}`)), 'trigger: each execution holds its delivery as a flat item', texts);
	check(Object.values(ranOn).every((names) => names.length === 1), 'trigger: every execution ran on exactly one worker (its "Worker started execution" log line)', ranOn);
	const elsewhere = full.filter((execution) => [main, webhook].some((process) => process.output().includes(`started execution ${execution.id} `)));
	check(elsewhere.length === 0, 'trigger: neither main nor the webhook process ran one', elsewhere.map((execution) => execution.id));
	return ranOn;
}

/** Why an execution failed, as n8n stored it. */
const errorOf = (execution) => execution.run?.resultData?.error?.message;

/** A worker SIGKILLed in the middle of a bulk run: what n8n reports, and whether retrying is safe. */
async function killAWorker({ n8n, bins, fake, webhook, workers }) {
	fake.reset();
	fake.rateLimitResetHeader = true;
	const label = 'Killed';
	const batch = 3;
	const bulkUrl = `${webhook.url}/webhook/${BULK_PATH}`;
	const newExecution = async (known) => (await executionsOf(n8n, BULK_WORKFLOW_ID)).find((e) => !known.has(e.id));
	const knownIds = async () => new Set((await executionsOf(n8n, BULK_WORKFLOW_ID)).map((e) => e.id));
	const untilFinished = (id, what) =>
		waitFor(what, async () => {
			const now = await executionWithRun(n8n, bins, id);
			return finished(now) && now;
		}, { timeoutMs: 180_000, everyMs: 1000 });

	const before = await knownIds();
	await postWebhook(bulkUrl, { batch, count: ROWS, label }, 'the webhook to start the run to kill');
	const execution = await waitFor('the execution to be running', async () => {
		const found = await newExecution(before);
		return found?.status === 'running' && found;
	});
	await waitFor('60 rows to reach the fake server', () => fake.stats.total >= 60, { everyMs: 50 });
	const [victimName] = workerThatRan(workers, execution.id);
	const victim = workers.find((worker) => worker.name === victimName);
	if (!victim) throw new Error(`no worker logged that it started execution ${execution.id}`);
	const killedAt = Date.now();
	victim.child.kill('SIGKILL');
	const sentBeforeKill = fake.stats.total;
	log(`killed ${victim.name} (SIGKILL, pid ${victim.child.pid}) after ${sentBeforeKill} requests of execution ${execution.id}`);
	await sleep(3000);
	const soonAfter = (await executionWithRun(n8n, bins, execution.id)).status;
	const ended = await untilFinished(execution.id, `n8n to notice that execution ${execution.id} lost its worker`);
	const noticedAfterMs = Date.now() - killedAt;
	const sentByKilledRun = fake.stats.total;
	const survivor = workers.find((worker) => worker !== victim);
	const pickedUp = survivor.output().includes(`Worker started execution ${execution.id} `);
	log(`execution ${execution.id}: "${soonAfter}" 3 s after the kill, "${ended.status}" after ${Math.round(noticedAfterMs / 1000)} s (${errorOf(ended)}); ${sentByKilledRun} requests reached the server (${sentBeforeKill} before the kill); the surviving worker ${pickedUp ? 'picked it up' : 'did not pick it up'}`);
	check(soonAfter === 'running' && ['error', 'crashed'].includes(ended.status), 'kill: n8n shows the execution running, then failed (not successful, not running forever)', { soonAfter, ended: ended.status });
	check(!pickedUp && sentByKilledRun === sentBeforeKill, 'kill: nothing of the killed execution is sent after the kill (no other worker resumes it)', { pickedUp, sentBeforeKill, sentByKilledRun });
	check(conflictingRows(fake).conflicting.length === 0, 'kill: no row was sent twice with different content', conflictingRows(fake).conflicting.slice(0, 3));

	// Retrying as a user does: n8n's Retry (from the executions list); when n8n cannot retry it, the
	// same webhook call again. Either way the run starts again on the surviving worker and rows
	// sent before the kill are sent again, which must leave the same contacts.
	const beforeRetry = await knownIds();
	const retry = await n8n.rest('POST', `/executions/${execution.id}/retry`, { loadWorkflow: false });
	let retryWay = "n8n's Retry";
	let retried =
		retry.status === 200
			? await untilFinished((await waitFor('the retry execution to be listed', () => newExecution(beforeRetry))).id, 'the retry to finish')
			: { status: `refused: HTTP ${retry.status} ${JSON.stringify(retry.body)?.slice(0, 300)}` };
	const retryOutcome = `${retried.status}${errorOf(retried) ? ` (${errorOf(retried)})` : ''}`;
	log(`n8n's Retry answered HTTP ${retry.status}; the retry execution: ${retryOutcome}`);
	if (retried.status !== 'success') {
		retryWay = `the same webhook call again, as n8n's Retry ended "${retried.status}"`;
		const beforeRepost = await knownIds();
		await postWebhook(bulkUrl, { batch, count: ROWS, label }, 'the webhook to start the run again');
		retried = await untilFinished((await waitFor('the repeated run to be listed', () => newExecution(beforeRepost))).id, 'the repeated run to finish');
	}
	const wrongNames = Array.from({ length: ROWS }, (_, i) => [chatIdOf(batch, i), `${label} ${batch} ${i}`]).filter(([chatId, name]) => fake.contact(chatId)?.name !== name);
	const { conflicting, sentTwice } = conflictingRows(fake);
	check(retried.status === 'success', `kill: running it again (${retryWay}) succeeds`, retried.status);
	check(fake.contacts.size === ROWS && wrongNames.length === 0, `kill: then all ${ROWS} contacts are in the book under their names`, { size: fake.contacts.size, wrong: wrongNames.slice(0, 3) });
	check(conflicting.length === 0 && sentTwice.length >= sentBeforeKill - fake.stats.rateLimited, `kill: ${sentTwice.length} rows reached the server twice, none with different content`, conflicting.slice(0, 3));
	return { executionId: execution.id, killed: victim.name, soonAfter, status: ended.status, error: errorOf(ended), noticedAfterMs, sentBeforeKill, sentByKilledRun, pickedUp, retryWay, retryStatus: retried.status, sentTwice: sentTwice.length, conflicting: conflicting.length };
}

const BENCH_START = '<!-- queue-mode:start (written by `npm run test:queue -- --write-benchmarks`; do not edit) -->';
const BENCH_END = '<!-- queue-mode:end -->';

function benchmarkMarkdown(runs, kill, n8nVersion) {
	const seconds = (ms) => (ms / 1000).toFixed(1);
	const row = (result) =>
		`| ${result.resetHeader ? 'adaptive (server sends X-RateLimit-Reset)' : 'per-process pacing (no X-RateLimit-Reset: 429 + Retry-After fallback)'} | ${seconds(result.wallMs)} s (${result.ratio.toFixed(2)}x) | ${seconds(result.executionMs)} s (${(result.executionMs / IDEAL_MS).toFixed(2)}x) | ${seconds(result.sendingMs)} s (${(result.sendingMs / IDEAL_MS).toFixed(2)}x) | ${result.failed} of ${result.items} | ${result.contacts} | ${result.rateLimited} | ${result.requests} |`;
	return [
		`Measured on ${new Date().toISOString().slice(0, 10)} by \`npm run test:queue\`: n8n ${n8nVersion} in queue mode (main, one webhook process, two`,
		'`n8n worker --concurrency=1`, Redis 7, PostgreSQL 15, all on one 2-core machine), two 300-row bulk upserts',
		'started at one moment through production webhooks, one on each worker, on one account. The fake server',
		`enforces ${PLAN_PER_MINUTE} per minute as ${Math.round((PLAN_PER_MINUTE * WINDOW_MS) / 60_000)} per fixed ${WINDOW_MS / 1000}-second window (as \`npm run bench\` does: a one-minute window`,
		`would let ${PLAN_PER_MINUTE} through in one burst) and sends X-RateLimit-Limit and X-RateLimit-Remaining; the credential names the`,
		`plan (Custom, ${PLAN_PER_MINUTE}/min) on both workers. Ideal: ${2 * ROWS} requests at ${PLAN_PER_MINUTE}/min = ${IDEAL_MS / 1000} s. Wall time: from the two webhook`,
		"calls to the later execution's end (n8n's stoppedAt); executions: from the earlier execution's start to the later's",
		"end, as n8n records them; sending: from the first request to the last at the server. Both workers ran a 5-row",
		'warm-up first. In brackets: against the ideal.',
		'',
		'| pacing | wall time | executions | sending | failed items | contacts in the book | 429 answers | requests |',
		'|---|---|---|---|---|---|---|---|',
		...runs.map(row),
		'',
		`A worker SIGKILLed after ${kill.sentBeforeKill} of an execution's ${ROWS} requests: n8n showed the execution "${kill.soonAfter}" 3 s later and`,
		`"${kill.status}" ${Math.round(kill.noticedAfterMs / 1000)} s after the kill (n8n's defaults: the job's lock lapses after 60 s, then Bull finds it stalled),`,
		`with the message "${kill.error}"`,
		`The other worker ${kill.pickedUp ? 'picked the job up' : 'did not pick the job up'}. Run again (${kill.retryWay}): ${kill.retryStatus}; ${kill.sentTwice} rows`,
		`reached the server twice, ${kill.conflicting === 0 ? 'each time with the same content' : `${kill.conflicting} of them with different content`}.`,
	].join('\n');
}

function writeBenchmarks(markdown) {
	const file = path.join(ROOT, 'BENCHMARKS.md');
	const text = readFileSync(file, 'utf8');
	const start = text.indexOf(BENCH_START);
	const end = text.indexOf(BENCH_END);
	if (start === -1 || end < start) throw new Error(`BENCHMARKS.md has no queue-mode markers (${BENCH_START} ... ${BENCH_END})`);
	writeFileSync(file, `${text.slice(0, start + BENCH_START.length)}\n${markdown}\n${text.slice(end)}`);
}

async function main() {
	const startedAt = Date.now();
	const work = mkdtempSync(path.join(tmpdir(), 'hypersender-queue-'));
	const fake = new FakeHypersender({ token: TOKEN, instanceId: INSTANCE_ID, rateLimit: Math.round((PLAN_PER_MINUTE * WINDOW_MS) / 60_000), windowMs: WINDOW_MS });
	let results;
	try {
		installDebianPackagesWhenMissing();
		const bins = provisionN8n(N8N_VERSION);
		log('building and packing the package');
		const tarball = buildAndPack(work);
		const template = installAsCommunityPackage(tarball, path.join(work, 'user-template'));
		await fake.start();
		cleanups.push({ name: 'the fake Hypersender server', stop: () => fake.stop() });
		const redisPort = await startRedis(work);
		const postgresPort = await startPostgres();
		log(`Redis on 127.0.0.1:${redisPort}, PostgreSQL on 127.0.0.1:${postgresPort}`);

		/** Each process its own user folder (as on its own machine), the package installed in it. */
		const envFor = async (role) => {
			const userFolder = path.join(work, role);
			cpSync(template, userFolder, { recursive: true });
			const port = await freePort();
			return {
				...n8nEnv(userFolder, { port, brokerPort: await freePort() }),
				...QUICK_SHUTDOWN_ENV,
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: '127.0.0.1',
				QUEUE_BULL_REDIS_PORT: String(redisPort),
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(port),
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: '127.0.0.1',
				DB_POSTGRESDB_PORT: String(postgresPort),
				DB_POSTGRESDB_DATABASE: 'postgres',
				DB_POSTGRESDB_USER: 'postgres',
				DB_POSTGRESDB_PASSWORD: '',
				// Production webhooks only on the webhook process, as in a real queue-mode setup.
				N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
			};
		};
		const envs = Object.fromEntries(await Promise.all(['main', 'webhook', ...WORKERS].map(async (role) => [role, await envFor(role)])));

		const credential = credentialJson({ apiToken: TOKEN, instanceId: INSTANCE_ID, baseUrl: fake.url, rateLimitPlan: 'custom' });
		credential.data.customRequestsPerMinute = PLAN_PER_MINUTE;
		const signed = triggerCredential(credential, TRIGGER_SECRET);
		log('importing the credentials and workflows (n8n migrates the fresh database first)');
		await importIntoN8n(bins, envs.main, path.join(work, 'import'), {
			credentials: [credential, signed],
			workflows: [
				bulkWorkflow(NODE_TYPE.communityPackage, credential),
				triggerWorkflow({ id: TRIGGER_WORKFLOW_ID, webhookId: TRIGGER_WEBHOOK_ID, nodeType: NODE_TYPE.communityPackage, credential: signed }),
			],
		});
		const main = await startN8nProcess(bins, 'main', ['start'], envs.main, envs.main.N8N_PORT, work);
		const [webhook, ...workers] = await Promise.all([
			startN8nProcess(bins, 'webhook', ['webhook'], envs.webhook, envs.webhook.N8N_PORT, work),
			...WORKERS.map((role) => startN8nProcess(bins, role, ['worker', '--concurrency=1'], envs[role], envs[role].QUEUE_HEALTH_CHECK_PORT, work)),
		]);
		const n8n = { url: main.url, ...(await setUpOwner(main, OWNER)) };
		for (const workflowId of [BULK_WORKFLOW_ID, TRIGGER_WORKFLOW_ID]) {
			const activated = await activate(n8n, workflowId);
			if (!activated.ok) throw new Error(`activating ${workflowId} failed: ${JSON.stringify(activated.detail)?.slice(0, 800)}`);
		}
		const everyone = { n8n, bins, fake, webhook, workers, main };
		// A small run on each worker first: the measured runs then neither wait for the webhook's
		// registration nor pay for a worker's first load of the node and the Code node's runner.
		await postWebhook(`${webhook.url}/webhook/${BULK_PATH}`, { batch: 9, count: 0, label: 'Warm-up' }, 'the bulk webhook to be registered');
		await Promise.all([7, 8].map((batch) => postWebhook(`${webhook.url}/webhook/${BULK_PATH}`, { batch, count: 5, label: 'Warm-up' }, 'the warm-up runs')));
		await waitFor('the warm-up executions to finish', async () => {
			const list = await executionsOf(n8n, BULK_WORKFLOW_ID);
			return list.length === 3 && list.every(finished);
		});
		log(`set up in ${Math.round((Date.now() - startedAt) / 1000)} s; measuring`);

		const runs = [
			await twoBulkRuns({ ...everyone, resetHeader: true, label: 'Adaptive' }),
			await twoBulkRuns({ ...everyone, resetHeader: false, label: 'PerProcess' }),
		];
		// The pacing's goal: the wall time also holds n8n's queue-mode overhead for each run (enqueue,
		// pick-up, the Code node's runner, saving 300 items), the same with either pacing.
		check(runs[0].sendingMs / IDEAL_MS <= 1.15 && runs[0].rateLimited === 0, `adaptive pacing: the 600 requests go out within 1.15x of the ideal ${IDEAL_MS / 1000} s, no 429`, runs[0]);
		await triggerOnWorkers(everyone);
		const kill = await killAWorker(everyone);
		results = { runs, kill };
		const markdown = benchmarkMarkdown(runs, kill, N8N_VERSION);
		process.stderr.write(`\n${markdown}\n\n`);
		if (process.argv.includes('--write-benchmarks')) {
			if (totals.failed === 0) writeBenchmarks(markdown);
			else log('BENCHMARKS.md left alone: a check failed');
		}
	} catch (error) {
		totals.failed++;
		log(`FAIL  ${error.stack ?? error}`);
	} finally {
		await cleanUp();
		if (totals.failed === 0) rmSync(work, { recursive: true, force: true });
		else log(`work folder kept (n8n logs: main.log, webhook.log, worker-1.log, worker-2.log): ${work}`);
	}
	log(`done in ${Math.round((Date.now() - startedAt) / 1000)} s${results ? '' : ' (no results)'}`);
	process.stdout.write(`queue: ${totals.passed} passed, ${totals.failed} failed\n`);
	process.exit(totals.failed > 0 ? 1 : 0);
}

await main();
