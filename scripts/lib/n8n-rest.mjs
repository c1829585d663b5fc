// A started n8n's REST API, as its editor uses it: the owner account, activating workflows,
// the executions list, and production webhooks.
import { createRequire } from 'node:module';

import { waitFor } from './wait.mjs';

/**
 * Creates the owner account of a freshly started n8n through its REST API (as the editor's
 * first screen does) and returns a client for the REST API, signed in as that owner.
 * `rest(method, path, body)` resolves to `{ status, body }`, the body parsed if JSON.
 */
export async function setUpOwner(n8n, owner) {
	const headers = { 'Content-Type': 'application/json', 'browser-id': 'hypersender-scripts' };
	const setup = await fetch(`${n8n.url}/rest/owner/setup`, { method: 'POST', headers, body: JSON.stringify(owner) });
	const cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0];
	if (!setup.ok || !cookie) throw new Error(`Setting up n8n's owner failed: HTTP ${setup.status} ${await setup.text()}`);
	const rest = async (method, route, body) => {
		const response = await fetch(`${n8n.url}/rest${route}`, {
			method,
			headers: { ...headers, cookie },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		let parsed = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// not JSON: keep the text, the caller reports it
		}
		return { status: response.status, body: parsed };
	};
	return { cookie, rest };
}

/**
 * Activates a stored workflow and waits until n8n has set up its triggers: n8n 2.x publishes in the
 * background (the activation answers at once; a trigger that fails to start shows in the
 * publication status), n8n 1.x activates before it answers. Resolves to { ok, detail }.
 */
export async function activate(n8n, workflowId) {
	const stored = await n8n.rest('GET', `/workflows/${workflowId}`);
	const versionId = stored.body?.data?.versionId;
	let answer = await n8n.rest('POST', `/workflows/${workflowId}/activate`, { versionId });
	if (answer.status === 404) answer = await n8n.rest('PATCH', `/workflows/${workflowId}`, { active: true, versionId });
	if (answer.status !== 200) return { ok: false, detail: answer.body };
	const settled = await waitFor(`workflow ${workflowId}'s triggers to be set up`, async () => {
		const publication = await n8n.rest('GET', `/workflows/${workflowId}/publication-status`);
		if (publication.status === 404) return { status: 'published' };
		const status = publication.body?.data;
		return ['published', 'partial', 'failed'].includes(status?.status) && status;
	});
	return { ok: settled.status === 'published', detail: settled };
}

/** `activate`, or an error that names the workflow and what n8n said. */
export async function activateOrThrow(n8n, workflowId) {
	const activated = await activate(n8n, workflowId);
	if (!activated.ok) throw new Error(`activating workflow ${workflowId} failed: ${JSON.stringify(activated.detail)?.slice(0, 800)}`);
}

/** n8n's executions of a workflow (summaries, newest first), as its executions list reports them; `limit` when given. */
export async function executionsOf(n8n, workflowId, { limit } = {}) {
	const { body } = await n8n.rest('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}${limit ? `&limit=${limit}` : ''}`);
	return body?.data?.results ?? [];
}

/** Whether an execution (summary or full) has ended, one way or another. */
export const finished = (execution) => Boolean(execution) && !['new', 'running', 'waiting'].includes(execution.status);

/** One execution with its run data as `run` (n8n stores it with flatted; read with n8n's own copy). */
export async function executionWithRun(n8n, bins, id) {
	const flatted = createRequire(bins.n8n)('flatted');
	const { body } = await n8n.rest('GET', `/executions/${id}`);
	const data = body?.data?.data;
	return { ...body?.data, run: typeof data === 'string' ? flatted.parse(data) : data };
}

/** The items a node put out in a stored execution's run (from `executionWithRun`). */
export const executionOutputOf = (execution, nodeName) => execution.run?.resultData?.runData?.[nodeName]?.[0]?.data?.main?.[0] ?? [];

/**
 * POSTs `body` to a production webhook. n8n registers an activated workflow's webhooks a moment
 * after the activation answers (and a queue-mode webhook process later still): until then the
 * webhook answers 404 and starts nothing, so 404 is retried; any other failure throws.
 */
export async function postWebhook(url, body, what) {
	return await waitFor(what, async () => {
		const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
		if (response.ok) return true;
		if (response.status !== 404) throw new Error(`the webhook answered HTTP ${response.status}: ${await response.text()}`);
		return false;
	}, { everyMs: 250 });
}

/** The `id` of what a REST call created, or an error naming `what` and n8n's answer. */
function createdId({ status, body }, what) {
	const id = body?.data?.id ?? body?.id;
	if (status !== 200 || !id) throw new Error(`creating ${what} through n8n's REST API failed: HTTP ${status} ${JSON.stringify(body)?.slice(0, 800)}`);
	return id;
}

/**
 * Saves a credential (`{ name, type, data }`, `data` in plain text: n8n encrypts it) as the editor
 * does, in the started n8n: no CLI start-up as an import costs. Resolves to `{ id, name }` (n8n
 * chooses the id).
 */
export async function createCredential(n8n, { name, type, data }) {
	return { id: createdId(await n8n.rest('POST', '/credentials', { name, type, data }), `credential ${name}`), name };
}

/** Saves a workflow as the editor does, in the started n8n; resolves to its id (n8n 1.x chooses its own). */
export async function createWorkflow(n8n, { name, nodes, connections, settings = {} }) {
	// n8n 1.x stores `active` as given, and it must be given.
	return createdId(await n8n.rest('POST', '/workflows', { name, nodes, connections, settings, active: false }), `workflow ${name}`);
}
