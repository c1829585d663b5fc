// The scenarios of `npm run test:queue`, on the processes infrastructure.mjs starts:
//   1. Two 300-row bulk upserts started at one moment through production webhooks (one per
//      worker) on one account limited to 600 a minute, enforced as 100 per fixed 10-second
//      window (as bench/bench.ts does: a one-minute window would let 600 through in a burst);
//      once with X-RateLimit-Reset in the server's answers (the workers adapt their spacing to
//      the window) and once without (each worker paces alone; 429 + Retry-After are the fallback).
//   2. Hypersender Trigger deliveries POSTed to the webhook process run on the workers.
//   3. A worker is SIGKILLed in the middle of a bulk run: what n8n reports for the execution, and
//      that no row was sent twice with different content; then the execution is retried.
//   4. Send and Wait for Response: the execution a production webhook starts waits; the Approve
//      link is answered by the webhook process, and a worker finishes the execution.
// Each takes `q`: { n8n (the REST client of main), bins, fake, main, webhook, workers, check, log }.
import { delivery, TEXT_PAYLOAD, TRIGGER_NAME, triggerCredential, triggerUrlOf, triggerWorkflow } from '../lib/hypersender-trigger.mjs';
import { credentialJson } from '../lib/n8n-runtime.mjs';
import { executionOutputOf, executionsOf as executionsList, executionWithRun, finished, postWebhook } from '../lib/n8n-rest.mjs';
import { sleep, waitFor } from '../lib/wait.mjs';
import { batchRowChatId, webhookUpsertWorkflow } from '../lib/workflows.mjs';
import { linksSentTo, openLink, sendAndWaitWorkflow } from '../lib/send-and-wait.mjs';

export const PLAN_PER_MINUTE = 600;
export const WINDOW_MS = 10_000;
export const ROWS = 300;
export const IDEAL_MS = ((2 * ROWS) / PLAN_PER_MINUTE) * 60_000;
export const BULK_WORKFLOW_ID = 'hsQueueBulk';
const BULK_PATH = 'hypersender-queue-bulk';
const TRIGGER = { id: 'hsQueueTrigger', webhookId: '3c9a1e7b-5d2f-4a60-8b1c-9e0d7f6a5b43', secret: 'queue-webhook-authorization-8a2c4e6f' };
const SEND_AND_WAIT = { id: 'hsQueueSendWait', path: 'hypersender-queue-send-wait', webhookId: '5e1d7c3b-2a4f-4b6e-8d9c-0f1a2b3c4d5e', phone: '+1 213 373 9201' };
export const WORKFLOW_IDS = [BULK_WORKFLOW_ID, TRIGGER.id, SEND_AND_WAIT.id];

/** The account (Custom plan, PLAN_PER_MINUTE a minute) and its trigger twin with a Webhook Authorization. */
export function queueCredentials({ apiToken, instanceId, baseUrl }) {
	const credential = credentialJson({ apiToken, instanceId, baseUrl, rateLimitPlan: 'custom' });
	credential.data.customRequestsPerMinute = PLAN_PER_MINUTE;
	return [credential, triggerCredential(credential, TRIGGER.secret)];
}

/** The bulk upsert (a production webhook at BULK_PATH) and the trigger workflow, for the community package's node. */
export function queueWorkflows(nodeType, [credential, signed]) {
	return [
		webhookUpsertWorkflow({ id: BULK_WORKFLOW_ID, name: 'Queue bulk upsert', path: BULK_PATH, webhookId: '0e6c8d2a-7b4f-4e1a-9c3d-5f2b8a1e6d70', nodeType, credential, extra: { onError: 'continueRegularOutput' } }),
		triggerWorkflow({ ...TRIGGER, nodeType, credential: signed }),
		sendAndWaitWorkflow({ ...SEND_AND_WAIT, name: 'Queue send and wait', nodeType, credential, parameters: { responseType: 'approval' } }),
	];
}

/** n8n's executions of a workflow, newest first (up to 100). */
const executionsOf = (n8n, workflowId) => executionsList(n8n, workflowId, { limit: 100 });

const bulkUrl = (webhook) => `${webhook.url}/webhook/${BULK_PATH}`;

/**
 * A small run on each worker first: the measured runs then neither wait for the webhook's
 * registration nor pay for a worker's first load of the node and the Code node's runner.
 */
export async function warmUp({ n8n, webhook }) {
	await postWebhook(bulkUrl(webhook), { batch: 9, count: 0, label: 'Warm-up' }, 'the bulk webhook to be registered');
	await Promise.all([7, 8].map((batch) => postWebhook(bulkUrl(webhook), { batch, count: 5, label: 'Warm-up' }, 'the warm-up runs')));
	await waitFor('the warm-up executions to finish', async () => {
		const list = await executionsOf(n8n, BULK_WORKFLOW_ID);
		return list.length === 3 && list.every(finished);
	});
}

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

/** Two 300-row bulk upserts at one moment on one 600/min account; the figures of the run. */
export async function twoBulkRuns({ n8n, bins, fake, webhook, workers, check, log }, { resetHeader, label }) {
	fake.reset();
	fake.rateLimitResetHeader = resetHeader;
	const before = new Set((await executionsOf(n8n, BULK_WORKFLOW_ID)).map((execution) => execution.id));
	const url = bulkUrl(webhook);
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
	const items = full.flatMap((execution) => executionOutputOf(execution, 'Hypersender'));
	const failedItems = items.filter((item) => item.json?.error || item.error);
	const wrongNames = [1, 2].flatMap((batch) => Array.from({ length: ROWS }, (_, i) => [batchRowChatId(batch, i), `${label} ${batch} ${i}`])).filter(([chatId, name]) => fake.contact(chatId)?.name !== name);
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
export async function triggerOnWorkers({ n8n, bins, fake, webhook, workers, main, check, log }) {
	const url = triggerUrlOf(webhook.url, TRIGGER.webhookId);
	const post = (body) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: TRIGGER.secret }, body: JSON.stringify(body) });
	const deliveries = Array.from({ length: 4 }, (_, i) => delivery('message.any', { ...TEXT_PAYLOAD, id: `${TEXT_PAYLOAD.id}${i}`, body: `Queue delivery ${i}` }, { id: `evt_queue_${i}`, instanceId: fake.instanceId }));
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
		const list = await executionsOf(n8n, TRIGGER.id);
		return list.length >= deliveries.length && list.every(finished) && list;
	});
	const full = await Promise.all(executions.map((execution) => executionWithRun(n8n, bins, execution.id)));
	const texts = full.map((execution) => executionOutputOf(execution, TRIGGER_NAME)[0]?.json?.text).sort();
	const ranOn = Object.fromEntries(full.map((execution) => [execution.id, workerThatRan(workers, execution.id)]));
	log(`trigger: executions and the worker that ran each: ${JSON.stringify(ranOn)}`);
	check(executions.length === deliveries.length && full.every((execution) => execution.status === 'success' && execution.mode === 'webhook'), `trigger: ${deliveries.length} deliveries, ${deliveries.length} successful webhook executions`, full.map(({ id, status, mode }) => ({ id, status, mode })));
	check(JSON.stringify(texts) === JSON.stringify(deliveries.map((_, i) => `Queue delivery ${i}`)), 'trigger: each execution holds its delivery as a flat item', texts);
	check(Object.values(ranOn).every((names) => names.length === 1), 'trigger: every execution ran on exactly one worker (its "Worker started execution" log line)', ranOn);
	const elsewhere = full.filter((execution) => [main, webhook].some((process) => process.output().includes(`started execution ${execution.id} `)));
	check(elsewhere.length === 0, 'trigger: neither main nor the webhook process ran one', elsewhere.map((execution) => execution.id));
	return ranOn;
}

/** Send and Wait in queue mode: started through the webhook process, answered there, finished by a worker. */
export async function sendAndWaitOnWorkers({ n8n, bins, fake, webhook, workers, main, check, log }) {
	fake.reset();
	await postWebhook(`${webhook.url}/webhook/${SEND_AND_WAIT.path}`, { phone: SEND_AND_WAIT.phone }, 'the send-and-wait webhook');
	// The webhook process answers the links in queue mode.
	const { links } = await linksSentTo(fake, `${SEND_AND_WAIT.phone.replace(/\D/g, '')}@c.us`);
	const approve = links['✓ Approve'];
	const id = new URL(approve).pathname.split('/')[2];
	const waiting = await waitFor('the send-and-wait execution to wait', async () => (await executionWithRun(n8n, bins, id)).status === 'waiting').catch(() => false);
	check(waiting === true, 'send and wait: the execution waits for the answer', id);
	const answer = await openLink(approve, webhook.url, {});
	check(answer.status === 200 && answer.html.includes('Thanks, your answer was recorded'), 'send and wait: the webhook process takes the answer', { status: answer.status, html: answer.html.slice(0, 300) });
	const done = await waitFor('the answered execution to finish', async () => {
		const execution = await executionWithRun(n8n, bins, id);
		return finished(execution) && execution;
	});
	const output = executionOutputOf(done, 'Hypersender').map((item) => item.json);
	check(done.status === 'success' && output[0]?.data?.approved === true, 'send and wait: the execution finishes with { data: { approved: true } }', { status: done.status, output });
	const ranOn = workerThatRan(workers, id);
	const elsewhere = [main, webhook].filter((process) => process.output().includes(`started execution ${id} `)).map((process) => process.name);
	log(`send and wait: execution ${id} ran on ${JSON.stringify(ranOn)}`);
	check(ranOn.length >= 1 && elsewhere.length === 0, 'send and wait: workers ran the execution (start and resume), neither main nor the webhook process', { ranOn, elsewhere });
}

/** Why an execution failed, as n8n stored it. */
const errorOf = (execution) => execution.run?.resultData?.error?.message;

/** A worker SIGKILLed in the middle of a bulk run: what n8n reports, and whether retrying is safe. */
export async function killAWorker({ n8n, n8nVersion, bins, fake, webhook, workers, check, log }) {
	fake.reset();
	fake.rateLimitResetHeader = true;
	const label = 'Killed';
	const batch = 3;
	const newExecution = async (known) => (await executionsOf(n8n, BULK_WORKFLOW_ID)).find((e) => !known.has(e.id));
	const knownIds = async () => new Set((await executionsOf(n8n, BULK_WORKFLOW_ID)).map((e) => e.id));
	const untilFinished = (id, what) =>
		waitFor(what, async () => {
			const now = await executionWithRun(n8n, bins, id);
			return finished(now) && now;
		}, { timeoutMs: 180_000, everyMs: 1000 });

	const before = await knownIds();
	await postWebhook(bulkUrl(webhook), { batch, count: ROWS, label }, 'the webhook to start the run to kill');
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
	// Measured: n8n 1.x (1.123.81) puts the stalled job back in the queue and another worker runs the
	// execution again from its start; n8n 2.x (2.40.7) fails it. The node cannot change either.
	if (n8nVersion.startsWith('1.')) {
		check(soonAfter === 'running' && ended.status === 'success', 'kill (n8n 1.x): n8n shows the execution running, then another worker runs it again and it succeeds', { soonAfter, ended: ended.status });
		check(pickedUp && sentByKilledRun - sentBeforeKill >= ROWS, `kill (n8n 1.x): the surviving worker ran the whole execution again from its start (all ${ROWS} rows after the kill, those sent before it twice)`, { pickedUp, sentBeforeKill, sentByKilledRun });
	} else {
		check(soonAfter === 'running' && ['error', 'crashed'].includes(ended.status), 'kill: n8n shows the execution running, then failed (not successful, not running forever)', { soonAfter, ended: ended.status });
		check(!pickedUp && sentByKilledRun === sentBeforeKill, 'kill: nothing of the killed execution is sent after the kill (no other worker resumes it)', { pickedUp, sentBeforeKill, sentByKilledRun });
	}
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
			: { status: `refused: HTTP ${retry.status} ${retry.body?.message ?? JSON.stringify(retry.body)?.slice(0, 300)}` };
	const retryOutcome = `${retried.status}${errorOf(retried) ? ` (${errorOf(retried)})` : ''}`;
	log(`n8n's Retry answered HTTP ${retry.status}; the retry execution: ${retryOutcome}`);
	if (retried.status !== 'success') {
		retryWay = `the same webhook call again, as n8n's Retry ended "${retried.status}"`;
		const beforeRepost = await knownIds();
		await postWebhook(bulkUrl(webhook), { batch, count: ROWS, label }, 'the webhook to start the run again');
		retried = await untilFinished((await waitFor('the repeated run to be listed', () => newExecution(beforeRepost))).id, 'the repeated run to finish');
	}
	const wrongNames = Array.from({ length: ROWS }, (_, i) => [batchRowChatId(batch, i), `${label} ${batch} ${i}`]).filter(([chatId, name]) => fake.contact(chatId)?.name !== name);
	const { conflicting, sentTwice } = conflictingRows(fake);
	check(retried.status === 'success', `kill: running it again (${retryWay}) succeeds`, retried.status);
	check(fake.contacts.size === ROWS && wrongNames.length === 0, `kill: then all ${ROWS} contacts are in the book under their names`, { size: fake.contacts.size, wrong: wrongNames.slice(0, 3) });
	check(conflicting.length === 0 && sentTwice.length >= sentBeforeKill - fake.stats.rateLimited, `kill: ${sentTwice.length} rows reached the server twice, none with different content`, conflicting.slice(0, 3));
	return { executionId: execution.id, killed: victim.name, soonAfter, status: ended.status, error: errorOf(ended), noticedAfterMs, sentBeforeKill, sentByKilledRun, pickedUp, retryWay, retryStatus: retried.status, sentTwice: sentTwice.length, conflicting: conflicting.length };
}
