// Message > Send and Wait for Response in a started n8n (issue 20): an execution started through
// a production webhook sends its question to the fake Hypersender and waits (status "waiting"
// through the REST API); the links taken from the fake's outbox are opened as a phone's browser
// opens them. Approve (confirmed on its page) finishes the execution with approved: true, Decline
// with false; a link whose answer was changed fails n8n's signature check and resumes nothing; a
// second click after the answer takes nothing; a free-text answer posted through the form page
// arrives verbatim; a wait limit of 2 seconds resumes with the node's input items (n8n's wait
// tracker looks for due executions once a minute: that case takes up to a minute, so it starts
// first, is checked last, and runs for one install way only: how the package was installed does
// not change how n8n resumes a wait).
import { activateOrThrow, executionOutputOf, executionWithRun, postWebhook } from '../lib/n8n-rest.mjs';
import { executionIn, linksSentTo, openLink, sendAndWaitWorkflow } from '../lib/send-and-wait.mjs';
import { waitFor } from '../lib/wait.mjs';

const PHONES = { approve: '+1 213 373 9101', decline: '+1 213 373 9102', text: '+1 213 373 9103', limit: '+1 213 373 9104' };
const chatIdOf = (phone) => `${phone.replace(/\D/g, '')}@c.us`;
const ANSWER = 'Yes 👍🏽, but only 30 €\nand "not" <today>\n\n— Ana';

const WORKFLOWS = {
	approval: { id: 'hsE2eSendWaitOk', path: 'hypersender-e2e-send-wait-ok', webhookId: '0d7b3a52-3c1e-4f60-9a11-5e2f7a8b9c01', parameters: { responseType: 'approval', approvalOptions: { values: { approvalType: 'double' } } } },
	text: { id: 'hsE2eSendWaitTxt', path: 'hypersender-e2e-send-wait-text', webhookId: '0d7b3a52-3c1e-4f60-9a11-5e2f7a8b9c02', parameters: { responseType: 'freeText' } },
	limit: {
		id: 'hsE2eSendWaitLim',
		path: 'hypersender-e2e-send-wait-limit',
		webhookId: '0d7b3a52-3c1e-4f60-9a11-5e2f7a8b9c03',
		parameters: { responseType: 'approval', options: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 2, resumeUnit: 'seconds' } } } },
	},
};

const executionIdOf = (link) => new URL(link).pathname.split('/')[2];

// The node's behaviour, the same code however the package was loaded (scripts/e2e.mjs).
export const installWays = ['community package'];

export async function run(t) {
	const { label, fake } = t;
	const n8n = await t.startN8nWithOwner();
	await t.importWorkflow(...Object.values(WORKFLOWS).map(({ id, path, webhookId, parameters }) => sendAndWaitWorkflow({ id, name: `E2E ${id}`, path, webhookId, nodeType: t.nodeType, credential: t.credential, parameters })));
	for (const { id } of Object.values(WORKFLOWS)) await activateOrThrow(n8n, id);
	const ask = async (workflow, phone) => {
		await postWebhook(`${n8n.url}/webhook/${workflow.path}`, { phone }, `the webhook of ${workflow.id}`);
		return await linksSentTo(fake, chatIdOf(phone));
	};
	// n8n 1.x may report the resumed execution finished a moment before its run data is stored.
	const finishedRun = async (executionId) => {
		let finishedSince;
		return await waitFor(`execution ${executionId} to finish`, async () => {
			const execution = await executionWithRun(n8n, t.bins, executionId);
			if (!['success', 'error', 'crashed', 'canceled'].includes(execution.status)) return false;
			finishedSince ??= Date.now();
			return (executionOutputOf(execution, 'Hypersender').length > 0 || execution.status !== 'success' || Date.now() - finishedSince > 10_000) && execution;
		}, { timeoutMs: 90_000, everyMs: 300 });
	};
	const statusOf = async (executionId) => (await executionWithRun(n8n, t.bins, executionId)).status;

	await ask(WORKFLOWS.limit, PHONES.limit);

	// Approve: the question, the wait, the confirmation page, the answer.
	const approve = await ask(WORKFLOWS.approval, PHONES.approve);
	const approveLink = approve.links['✓ Approve'];
	t.check(Boolean(approveLink && approve.links['✗ Decline']) && approve.text.startsWith('Refund 40 € to Ana?\n\n'), `${label}: the question carries the message, an Approve and a Decline link`, approve.text);
	const approveId = executionIdOf(approveLink);
	t.check((await waitFor('the approval execution to wait', async () => (await statusOf(approveId)) === 'waiting').catch(() => false)) === true, `${label}: the execution waits for the answer (REST status "waiting")`, await statusOf(approveId));
	const confirmation = await openLink(approveLink, n8n.url);
	t.check(confirmation.status === 200 && confirmation.html.includes('Confirm your answer') && (await statusOf(approveId)) === 'waiting', `${label}: opening the Approve link shows the confirmation page and takes no answer`, confirmation);
	const recorded = await openLink(approveLink, n8n.url, {});
	t.check(recorded.status === 200 && recorded.html.includes('Thanks, your answer was recorded'), `${label}: confirming records the answer`, recorded);
	const approved = await finishedRun(approveId);
	const approvedOutput = executionOutputOf(approved, 'Hypersender').map((item) => item.json);
	t.check(approved.status === 'success' && approvedOutput.length === 1 && approvedOutput[0]?.data?.approved === true, `${label}: the execution finishes with { data: { approved: true } }`, { status: approved.status, approvedOutput });
	const secondClick = await openLink(approveLink, n8n.url, {});
	const afterSecond = executionOutputOf(await executionWithRun(n8n, t.bins, approveId), 'Hypersender').map((item) => item.json);
	t.check(!secondClick.html.includes('Thanks, your answer was recorded') && JSON.stringify(afterSecond) === JSON.stringify(approvedOutput), `${label}: a second click after the answer takes nothing (n8n answers HTTP ${secondClick.status} itself)`, { secondClick: secondClick.html.slice(0, 300), afterSecond });

	// Decline, after a tampered link was refused.
	const decline = await ask(WORKFLOWS.approval, PHONES.decline);
	const declineId = executionIdOf(decline.links['✗ Decline']);
	await waitFor('the decline execution to wait', async () => (await statusOf(declineId)) === 'waiting');
	const tampered = await openLink(decline.links['✓ Approve'].replace('approved=true', 'approved=false'), n8n.url, {});
	t.check(tampered.status === 401 && (await statusOf(declineId)) === 'waiting', `${label}: a link whose answer was changed is refused (HTTP 401) and resumes nothing`, { status: tampered.status, html: tampered.html.slice(0, 300) });
	await openLink(decline.links['✗ Decline'], n8n.url, {});
	const declined = await finishedRun(declineId);
	const declinedOutput = executionOutputOf(declined, 'Hypersender').map((item) => item.json);
	t.check(declined.status === 'success' && declinedOutput[0]?.data?.approved === false, `${label}: the Decline link finishes the execution with { data: { approved: false } }`, declinedOutput);

	// Free text through the form page; a browser posts a text box's line breaks as CRLF.
	const text = await ask(WORKFLOWS.text, PHONES.text);
	const respond = text.links.Respond;
	const textId = executionIdOf(respond);
	await waitFor('the free-text execution to wait', async () => (await statusOf(textId)) === 'waiting');
	const form = await openLink(respond, n8n.url);
	t.check(form.status === 200 && form.html.includes('<textarea name="text"'), `${label}: the Respond link opens the answer form`, form.html.slice(0, 300));
	await openLink(respond, n8n.url, { text: ANSWER.replace(/\n/g, '\r\n') });
	const answered = await finishedRun(textId);
	const answeredOutput = executionOutputOf(answered, 'Hypersender').map((item) => item.json);
	t.check(answeredOutput[0]?.data?.text === ANSWER, `${label}: the free-text answer arrives verbatim (emoji, line breaks)`, answeredOutput);

	// The wait limit: n8n resumes the node with its input items.
	const limited = await finishedRun((await executionIn(n8n, WORKFLOWS.limit.id, 'success', { timeoutMs: 90_000 })).id);
	const limitedOutput = executionOutputOf(limited, 'Hypersender').map((item) => item.json);
	t.check(limited.status === 'success' && limitedOutput.length === 1 && limitedOutput[0]?.body?.phone === PHONES.limit, `${label}: after the wait limit the execution resumes with the node's input items`, limitedOutput);
}
