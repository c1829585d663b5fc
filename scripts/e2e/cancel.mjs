// Cancelling an execution stops its requests (issue 9, item 4), in a started n8n: a webhook
// starts an upsert of 300 rows on an account whose credential names the Starter plan (60 a
// minute: one pacer queue for the account), n8n's REST API stops the execution once its
// first requests reached the fake server, and a second execution on the same account follows.
// Nothing of the stopped execution may reach the server after the stop (a request already
// released by the pacer may still land), and the second execution must not wait behind the
// stopped one's queue. Its waiters would not reach the server even if they stayed queued (the
// HTTP request carries the cancel signal too), but they would hold the account's pace for about
// 5 minutes: the second execution's 3 requests, which need about 3 s, get 60 s.
import { activateOrThrow, executionsOf, postWebhook } from '../lib/n8n-rest.mjs';
import { credentialJson } from '../lib/n8n-runtime.mjs';
import { waitFor } from '../lib/wait.mjs';
import { webhookUpsertWorkflow } from '../lib/workflows.mjs';

const ROWS = 300;
const SECOND_ROWS = 3;
const WORKFLOW_ID = 'hsE2eCancel';
const WEBHOOK_PATH = 'hypersender-e2e-cancel';
// The batch digit sits in the chat ID, so each request on the fake server names its execution.
const BATCH = { stopped: '1', second: '2' };
const batchOf = (request) => /^1213373(\d)/.exec(request.body?.chat_id ?? '')?.[1];

// The node's behaviour, the same code however the package was loaded (scripts/e2e.mjs).
export const installWays = ['community package'];

export async function run(t) {
	const { label, fake } = t;
	const n8n = await t.startN8nWithOwner();
	const starter = credentialJson({ ...t.credential.data, id: 'hypersenderStarter', name: 'Hypersender (fake server, Starter plan)', rateLimitPlan: 'starter' });
	await t.importCredentials(starter);
	await t.importWorkflow(
		webhookUpsertWorkflow({ id: WORKFLOW_ID, name: 'E2E cancel', path: WEBHOOK_PATH, webhookId: '6b1f0c2e-4d3a-4b5c-9e8f-0a1b2c3d4e5f', nodeType: t.nodeType, credential: starter }),
	);
	await activateOrThrow(n8n, WORKFLOW_ID);

	const startExecution = (batch, count) => postWebhook(`${n8n.url}/webhook/${WEBHOOK_PATH}`, { batch, count, label: 'Batch' }, `the webhook to start batch ${batch}`);
	const sent = (batch) => fake.requests.filter((request) => batchOf(request) === batch);
	const executions = () => executionsOf(n8n, WORKFLOW_ID);

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
