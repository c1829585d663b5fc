// Message > Send and Wait for Response in a started n8n, shared by the e2e scenario, queue mode and
// the screenshots: the workflow (a production Webhook whose body names the recipient, then the
// Hypersender node asking), the links of the question the fake Hypersender got, and opening them
// the way a phone's browser does (GET shows the page, the page's form POSTs the answer).
import { request as httpRequest } from 'node:http';

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

/** The links of the question sent to `chatId` (the last one), by the label in front of each, and the whole text. */
export async function linksSentTo(fake, chatId) {
	const message = await waitFor(`the question to ${chatId} on the fake Hypersender`, () => fake.messagesTo(chatId).at(-1));
	const links = Object.fromEntries([...String(message.body.text).matchAll(/\*([^*\n]+):\*\n(\S+)/g)].map(([, label, url]) => [label, url]));
	return { text: String(message.body.text), links };
}

/**
 * GET a link (the page), or POST `form` to it (the page's button), as a browser does; resolves to
 * { status, html }. The request goes to `n8nUrl` with the link's own Host header: n8n names its
 * host in its links (localhost), which may resolve to an address it does not listen on here, and
 * n8n 1.x signs the host with the path and query.
 */
export async function openLink(link, n8nUrl, form) {
	const url = new URL(link);
	const target = new URL(n8nUrl);
	const body = form ? new URLSearchParams(form).toString() : undefined;
	return await new Promise((resolve, reject) => {
		const request = httpRequest(
			{
				host: target.hostname,
				port: target.port,
				method: form ? 'POST' : 'GET',
				path: `${url.pathname}${url.search}`,
				headers: { host: url.host, ...(form ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}) },
			},
			(response) => {
				let html = '';
				response.setEncoding('utf8');
				response.on('data', (chunk) => (html += chunk));
				response.on('end', () => resolve({ status: response.statusCode, html }));
			},
		);
		request.setTimeout(30_000, () => request.destroy(new Error(`no answer from ${link} within 30 s`)));
		request.on('error', reject);
		request.end(body);
	});
}

/** The workflow's one execution in `status` (waiting, success, ...), waited for up to `timeoutMs`. */
export async function executionIn(n8n, workflowId, status, { timeoutMs = 60_000, not = [] } = {}) {
	return await waitFor(`an execution of ${workflowId} that is ${status}`, async () => (await executionsOf(n8n, workflowId)).find((execution) => execution.status === status && !not.includes(execution.id)), { timeoutMs, everyMs: 300 });
}
