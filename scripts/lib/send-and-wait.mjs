// Message > Send and Wait for Response in a started n8n, shared by the e2e scenario, queue mode and
// the screenshots: the workflow (a production Webhook whose body names the recipient, then the
// Hypersender node asking), the links of the question the fake Hypersender got, and opening them
// the way a phone's browser does (GET shows the page, the page's form POSTs the answer).
import { executionsOf } from './n8n-rest.mjs';
import { waitFor } from './wait.mjs';
import { chainWorkflow, webhookNode, workflowNode } from './workflows.mjs';

/** A workflow: POST { phone, ... } to the webhook at `path`, and the node asks `phone` with `parameters`. */
export function sendAndWaitWorkflow({ id, name, path, webhookId, nodeType, credential, parameters }) {
	return chainWorkflow(id, name, [
		webhookNode('Webhook', path, webhookId, { responseMode: 'onReceived' }),
		workflowNode('Hypersender', nodeType, credential, { resource: 'message', operation: 'sendAndWait', chatId: '={{ $json.body.phone }}', message: 'Refund 40 € to Ana?', options: {}, ...parameters }),
	]);
}

/**
 * The links of the question sent to `chatId` (the last one), by the label in front of each, pointed
 * at `n8nUrl`: n8n names its own host in them (localhost), which may resolve to an address n8n
 * does not listen on here; the signature covers the path and query only.
 */
export async function linksSentTo(fake, chatId, n8nUrl) {
	const message = await waitFor(`the question to ${chatId} on the fake Hypersender`, () => fake.messagesTo(chatId).at(-1));
	const links = {};
	for (const [, label, url] of String(message.body.text).matchAll(/\*([^*\n]+):\*\n(\S+)/g)) {
		const link = new URL(url);
		links[label] = `${n8nUrl}${link.pathname}${link.search}`;
	}
	return { text: String(message.body.text), links };
}

/** GET a link (the page), or POST `form` to it (the page's button), as a browser does; resolves to { status, html }. */
export async function openLink(url, form) {
	const response = await fetch(url, form ? { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() } : {});
	return { status: response.status, html: await response.text() };
}

/** The workflow's one execution in `status` (waiting, success, ...), waited for up to `timeoutMs`. */
export async function executionIn(n8n, workflowId, status, { timeoutMs = 60_000, not = [] } = {}) {
	return await waitFor(`an execution of ${workflowId} that is ${status}`, async () => (await executionsOf(n8n, workflowId)).find((execution) => execution.status === status && !not.includes(execution.id)), { timeoutMs, everyMs: 300 });
}
