// Cancelling an execution stops its requests (issue 9, item 4), in a started n8n: a webhook
// starts an upsert of 300 rows on an account whose credential names the Starter plan (60 a
// minute: one pacer queue for the account), n8n's REST API stops the execution once its
// first requests reached the fake server, and a second execution on the same account follows.
// Nothing of the stopped execution may reach the server after the stop (a request already
// released by the pacer may still land), and the second execution must not wait behind the
// stopped one's queue. Its waiters would not reach the server even if they stayed queued (the
// HTTP request carries the cancel signal too), but they would hold the account's pace for about
// 5 minutes: the second execution's 3 requests, which need about 3 s, get 60 s.
import { credentialJson } from '../lib/n8n-runtime.mjs';
import { chainWorkflow, node, workflowNode } from './workflows.mjs';

const ROWS = 300;
const SECOND_ROWS = 3;
const WORKFLOW_ID = 'hsE2eCancel';
const WEBHOOK_PATH = 'hypersender-e2e-cancel';
// The batch digit sits in the chat ID, so each request on the fake server names its execution.
const BATCH = { stopped: '1', second: '2' };
const batchOf = (request) => /^1213373(\d)/.exec(request.body?.chat_id ?? '')?.[1];

async function waitFor(what, condition, { timeoutMs = 60_000, everyMs = 100 } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await condition();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
}

function cancelWorkflow(nodeType, credential) {
	const rows = `const { batch, count } = $json.body;
return Array.from({ length: count }, (_, i) => ({ json: { phone: '+1 213 373 ' + batch + String(i).padStart(3, '0'), first: 'Batch ' + batch, last: String(i) } }));`;
	return chainWorkflow(WORKFLOW_ID, 'E2E cancel', [
		node('Webhook', 'n8n-nodes-base.webhook', { httpMethod: 'POST', path: WEBHOOK_PATH, responseMode: 'onReceived', options: {} }, { typeVersion: 2, webhookId: '6b1f0c2e-4d3a-4b5c-9e8f-0a1b2c3d4e5f' }),
		node('Rows', 'n8n-nodes-base.code', { jsCode: rows }, { typeVersion: 2 }),
		workflowNode('Hypersender', nodeType, credential, {
			resource: 'contact',
			operation: 'upsert',
			chatId: '={{ $json.phone }}',
			firstName: '={{ $json.first }}',
			lastName: '={{ $json.last }}',
			options: {},
		}),
	]);
}

export async function run(t) {
	const { label, fake } = t;
	const n8n = await t.startN8nWithOwner();
	const starter = credentialJson({ ...t.credential.data, id: 'hypersenderStarter', name: 'Hypersender (fake server, Starter plan)', rateLimitPlan: 'starter' });
	await t.importCredentials(starter);
	await t.importWorkflow(cancelWorkflow(t.nodeType, starter));
	const stored = await n8n.rest('GET', `/workflows/${WORKFLOW_ID}`);
	const activated = await n8n.rest('POST', `/workflows/${WORKFLOW_ID}/activate`, { versionId: stored.body?.data?.versionId });
	if (activated.status !== 200) throw new Error(`activating the workflow failed: HTTP ${activated.status} ${JSON.stringify(activated.body).slice(0, 500)}`);

	// n8n 2.x registers an activated workflow's webhooks a moment after the activate call
	// answers: until then the webhook answers 404 and starts nothing, so that is retried.
	const startExecution = (batch, count) =>
		waitFor(`the webhook to start batch ${batch}`, async () => {
			const response = await fetch(`${n8n.url}/webhook/${WEBHOOK_PATH}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ batch, count }) });
			if (response.ok) return true;
			if (response.status !== 404) throw new Error(`the webhook answered HTTP ${response.status}: ${await response.text()}`);
			return false;
		}, { everyMs: 250 });
	const sent = (batch) => fake.requests.filter((request) => batchOf(request) === batch);
	const executions = async () => {
		const { body } = await n8n.rest('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: WORKFLOW_ID }))}`);
		return body?.data?.results ?? [];
	};

	await startExecution(BATCH.stopped, ROWS);
	await waitFor('the first two requests of the execution to stop', () => sent(BATCH.stopped).length >= 2);
	const running = await waitFor('the running execution in n8n', async () => (await executions()).find((execution) => execution.status === 'running'));
	const stop = await n8n.rest('POST', `/executions/${running.id}/stop`);
	const sentBeforeStop = sent(BATCH.stopped).length;
	t.check(stop.status === 200, `${label}: n8n's REST API stops the running execution`, stop);

	const stoppedStatus = await waitFor('the stopped execution to end', async () => {
		const execution = (await executions()).find((candidate) => candidate.id === running.id);
		return execution && execution.status !== 'running' && execution.status !== 'new' && execution.status;
	});
	t.check(stoppedStatus === 'canceled', `${label}: the stopped execution ends as canceled`, stoppedStatus);

	await startExecution(BATCH.second, SECOND_ROWS);
	const secondGotThrough = await waitFor(`the second execution's ${SECOND_ROWS} requests`, () => sent(BATCH.second).length >= SECOND_ROWS).then(
		() => true,
		() => false,
	);
	t.check(secondGotThrough, `${label}: the second execution's ${SECOND_ROWS} requests reach the server, not held back by the stopped one's queue`, {
		sent: sent(BATCH.second).length,
	});
	if (!secondGotThrough) return;
	const secondDone = await waitFor('the second execution to end', async () => {
		const execution = (await executions()).find((candidate) => candidate.id !== running.id && candidate.status !== 'running' && candidate.status !== 'new');
		return execution?.status;
	});
	const stoppedAfter = sent(BATCH.stopped).length;
	const lateRequests = stoppedAfter - sentBeforeStop;
	t.check(secondDone === 'success', `${label}: the second execution on the same account succeeds`, secondDone);
	t.check(
		lateRequests <= 1 && stoppedAfter < ROWS,
		`${label}: after the stop, the stopped execution sends nothing more (${sentBeforeStop} of ${ROWS} sent before the stop, ${lateRequests} already released by the pacer landed after it)`,
		{ sentBeforeStop, stoppedAfter, order: fake.requests.map(batchOf).join('') },
	);
}
