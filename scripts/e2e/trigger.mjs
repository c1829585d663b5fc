// The Hypersender Trigger in a started n8n (issue 11): a workflow with the trigger is activated
// through n8n's REST API; Hypersender-shaped deliveries are POSTed to its production URL with the
// right, a wrong and no Authorization, as malformed or event-less bodies, and twice with one
// event ID; n8n's REST API then says which executions ran and with what items. A trigger whose
// credential has no Webhook Authorization must not activate. Then examples/auto-reply.json
// (trigger -> Send Text back to the sender) answers a delivery through the fake server.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

import { importIntoN8n, NODE_TYPE, pointWorkflowAt } from '../lib/n8n-package.mjs';
import { ROOT } from '../lib/n8n-runtime.mjs';
import { chainWorkflow, workflowNode } from './workflows.mjs';

const SECRET = 'e2e-webhook-authorization-5f1d9c3b';
const WORKFLOW_ID = 'hsE2eTrigger';
const UNSIGNED_WORKFLOW_ID = 'hsE2eTriggerNoSecret';
const WEBHOOK_ID = '7d2e4f60-1a3b-4c5d-8e9f-a0b1c2d3e4f5';
const UNSIGNED_WEBHOOK_ID = '7d2e4f60-1a3b-4c5d-8e9f-a0b1c2d30000';
const TRIGGER_NAME = 'Hypersender Trigger';
const AUTO_REPLY_ID = 'hsExampleAutoReply';

/** Polls `condition` until it gives a truthy value (returned), at most `timeoutMs`. */
export async function waitFor(what, condition, { timeoutMs = 60_000, everyMs = 200 } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await condition();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, everyMs));
	}
}

/** The trigger's type name for the install way of `nodeType` (the Hypersender node's). */
export const triggerTypeOf = (nodeType) => `${nodeType}Trigger`;

/** A credential like the scenario's, with a Webhook Authorization (or without, for the refusal). */
export function triggerCredential(credential, webhookSecret, id = `${credential.id}Trigger`) {
	return { ...credential, id, name: `${credential.name} (trigger)`, data: { ...credential.data, webhookSecret } };
}

/** A workflow that starts with the trigger (its URL is /webhook/<webhookId>/webhook), then the `next` nodes. */
export function triggerWorkflow({ id, webhookId, nodeType, credential, parameters = {}, next = [] }) {
	return chainWorkflow(id, `E2E ${id}`, [
		workflowNode(TRIGGER_NAME, triggerTypeOf(nodeType), credential, { events: ['message.any'], ...parameters }, { webhookId }),
		...next,
	]);
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

/** One delivery in Hypersender's envelope. */
export function delivery(event, payload, { id, instanceId }) {
	return { event, data: { id, event, metadata: [], me: { id: '201553730661@c.us', pushName: 'E2E' }, payload, instanceId, userId: '9cbff1d0-0000-4000-8000-000000000001' } };
}

export const TEXT_PAYLOAD = {
	id: 'false_201063178738@c.us_E2E0000000001',
	timestamp: 1759066612,
	from: '201063178738@c.us',
	fromMe: false,
	body: 'Hello from the e2e',
	hasMedia: false,
	media: null,
	ack: 1,
	ackName: 'SERVER',
	replyTo: null,
	_data: { key: { remoteJid: '201063178738@s.whatsapp.net', remoteJidAlt: '188905563410665@lid', fromMe: false } },
};

/** What n8n's REST API knows of a workflow's executions, with each one's trigger items. */
export async function executionsOf(n8n, bins, workflowId, triggerName = TRIGGER_NAME) {
	// n8n stores run data with flatted; read it with n8n's own copy.
	const flatted = createRequire(bins.n8n)('flatted');
	const { body } = await n8n.rest('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`);
	const list = body?.data?.results ?? [];
	return await Promise.all(
		list.map(async (summary) => {
			const full = await n8n.rest('GET', `/executions/${summary.id}`);
			const data = full.body?.data?.data;
			const run = typeof data === 'string' ? flatted.parse(data) : data;
			return { id: summary.id, status: summary.status, items: run?.resultData?.runData?.[triggerName]?.[0]?.data?.main?.[0] ?? [] };
		}),
	);
}

export async function run(t) {
	const { label, bins, env } = t;
	const n8n = await t.startN8nWithOwner();
	const signed = triggerCredential(t.credential, SECRET);
	const unsigned = triggerCredential(t.credential, '', `${t.credential.id}NoSecret`);
	await importIntoN8n(bins, env, path.join(t.work, 'import'), { credentials: [signed, unsigned] });
	await t.importWorkflow(
		triggerWorkflow({ id: WORKFLOW_ID, webhookId: WEBHOOK_ID, nodeType: t.nodeType, credential: signed, parameters: { events: ['message.any', 'message.reaction'] } }),
		triggerWorkflow({ id: UNSIGNED_WORKFLOW_ID, webhookId: UNSIGNED_WEBHOOK_ID, nodeType: t.nodeType, credential: unsigned }),
	);

	const refused = await activate(n8n, UNSIGNED_WORKFLOW_ID);
	t.check(
		!refused.ok && /has no 'Webhook Authorization'/.test(JSON.stringify(refused.detail)),
		`${label}: a trigger whose credential has no Webhook Authorization does not activate, and n8n says why`,
		refused,
	);
	const activated = await activate(n8n, WORKFLOW_ID);
	if (!activated.ok) throw new Error(`activating the trigger workflow failed: ${JSON.stringify(activated.detail).slice(0, 800)}`);

	const triggerUrl = `${n8n.url}/webhook/${WEBHOOK_ID}/webhook`;
	// `authorization: null` sends no Authorization header.
	const post = async (body, { authorization = SECRET, contentType = 'application/json', url = triggerUrl } = {}) => {
		const headers = { 'Content-Type': contentType };
		if (authorization !== null) headers.Authorization = authorization;
		const response = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
		const text = await response.text();
		let message = text;
		try {
			message = JSON.parse(text).message ?? text;
		} catch {
			// not JSON: the text is the message
		}
		return { status: response.status, message };
	};
	const instanceId = t.credential.data.instanceId;
	const text = delivery('message.any', TEXT_PAYLOAD, { id: 'evt_e2e_text', instanceId });
	const group = delivery(
		'message.reaction',
		{ id: 'false_120363040000000000@g.us_E2E2', from: '120363040000000000@g.us', participant: '188905563410665@lid', fromMe: false, reaction: { text: '👍', messageId: TEXT_PAYLOAD.id }, _data: { key: { participantAlt: '201063178738@s.whatsapp.net' } } },
		{ id: 'evt_e2e_reaction', instanceId },
	);

	const answers = {
		text: await post(text),
		repeat: await post(text),
		reaction: await post(group),
		wrongAuthorization: await post(delivery('message.any', TEXT_PAYLOAD, { id: 'evt_e2e_wrong', instanceId }), { authorization: 'not-the-secret' }),
		noAuthorization: await post(delivery('message.any', TEXT_PAYLOAD, { id: 'evt_e2e_none', instanceId }), { authorization: null }),
		malformedJson: await post('{"event": "message.any", '),
		malformedText: await post('{"event": "message.any", ', { contentType: 'text/plain' }),
		noEvent: await post({ data: { id: 'evt_e2e_noevent', payload: TEXT_PAYLOAD, instanceId } }),
		otherEvent: await post(delivery('message.ack', { id: TEXT_PAYLOAD.id, ack: 3 }, { id: 'evt_e2e_ack', instanceId })),
		otherInstance: await post(delivery('message.any', TEXT_PAYLOAD, { id: 'evt_e2e_other', instanceId: '00000000-0000-4000-8000-000000000000' })),
	};
	const expected = {
		text: [200, /^$/],
		repeat: [200, /already delivered/],
		reaction: [200, /^$/],
		wrongAuthorization: [401, /does not match/],
		noAuthorization: [401, /does not match/],
		malformedJson: [422, /parse/i],
		malformedText: [400, /not JSON/],
		noEvent: [400, /no "event"/],
		otherEvent: [200, /does not listen for "message.ack"/],
		otherInstance: [200, /another instance/],
	};
	for (const [name, [status, pattern]] of Object.entries(expected)) {
		const answer = answers[name];
		t.check(answer.status === status && pattern.test(answer.message), `${label}: delivery "${name}" is answered ${status}`, answer);
	}

	const executions = await waitFor('the two started executions to finish', async () => {
		const list = await executionsOf(n8n, bins, WORKFLOW_ID);
		return list.length >= 2 && list.every((execution) => !['new', 'running'].includes(execution.status)) && list;
	});
	t.check(executions.length === 2, `${label}: exactly two executions ran (the text and the reaction; the repeat and every refused delivery started none)`, executions);
	const items = executions.flatMap((execution) => execution.items.map((item) => item.json)).sort((a, b) => a.event.localeCompare(b.event));
	t.check(
		items.length === 2 &&
			items[0].event === 'message.any' &&
			items[0].chat_id === '201063178738@c.us' &&
			items[0].phone === '+201063178738' &&
			items[0].lid === '188905563410665@lid' &&
			items[0].text === 'Hello from the e2e' &&
			items[0].timestamp === '2025-09-28T13:36:52.000Z' &&
			items[0].instance_id === instanceId,
		`${label}: the text message's execution holds the flat item`,
		items[0],
	);
	t.check(
		items[1]?.event === 'message.reaction' &&
			items[1].chat_id === '120363040000000000@g.us' &&
			items[1].is_group === true &&
			items[1].phone === '+201063178738' &&
			items[1].lid === '188905563410665@lid' &&
			items[1].text === '👍' &&
			items[1].reply_to === TEXT_PAYLOAD.id,
		`${label}: the group reaction's execution names the group, the sender's phone and @lid`,
		items[1],
	);
	t.check(executions.every((execution) => execution.status === 'success'), `${label}: both executions succeed`, executions.map((e) => e.status));

	await checkAutoReply(t, n8n, signed, post);
}

/** examples/auto-reply.json as users import it, pointed at this install way's node types and `credential`. */
function autoReplyWorkflow(nodeType, credential) {
	const example = JSON.parse(readFileSync(path.join(ROOT, 'examples/auto-reply.json'), 'utf8'));
	const workflow = pointWorkflowAt(example, nodeType, credential);
	for (const node of workflow.nodes) {
		if (node.type === triggerTypeOf(NODE_TYPE.communityPackage)) node.type = triggerTypeOf(nodeType);
	}
	return { ...workflow, id: AUTO_REPLY_ID, active: false };
}

/** The auto-reply example: a message is answered in its chat, quoting it; this number's own message is not. */
async function checkAutoReply(t, n8n, credential, post) {
	const { label, fake } = t;
	const workflow = autoReplyWorkflow(t.nodeType, credential);
	await t.importWorkflow(workflow);
	const activated = await activate(n8n, AUTO_REPLY_ID);
	if (!activated.ok) throw new Error(`activating the auto-reply example failed: ${JSON.stringify(activated.detail).slice(0, 800)}`);
	const url = `${n8n.url}/webhook/${workflow.nodes.find((node) => node.webhookId).webhookId}/webhook`;
	const instanceId = credential.data.instanceId;
	const own = { ...TEXT_PAYLOAD, id: 'true_201063178738@c.us_E2EOWN', from: '201553730661@c.us', to: '201063178738@c.us', fromMe: true, body: 'our own reply' };
	const answers = [
		await post(delivery('message.any', TEXT_PAYLOAD, { id: 'evt_e2e_autoreply', instanceId }), { url }),
		await post(delivery('message.any', own, { id: 'evt_e2e_autoreply_own', instanceId }), { url }),
	];
	t.check(answers[0].status === 200 && answers[1].status === 200 && /sent by this number/.test(answers[1].message), `${label}: auto-reply example: the message starts it, our own message is acknowledged and starts nothing`, answers);
	const [execution] = await waitFor('the auto-reply execution to finish', async () => {
		const list = await executionsOf(n8n, t.bins, AUTO_REPLY_ID, 'Incoming WhatsApp Message');
		return list.length >= 1 && list.every((e) => !['new', 'running'].includes(e.status)) && list;
	});
	const sent = fake.messages;
	t.check(
		execution.status === 'success' &&
			sent.length === 1 &&
			sent[0].chatId === '201063178738@c.us' &&
			sent[0].endpoint.endsWith('send-text-safe') &&
			sent[0].body.reply_to === TEXT_PAYLOAD.id &&
			/Thanks for your message/.test(sent[0].body.text),
		`${label}: auto-reply example: one reply, to the sender's chat, quoting the message, through send-text-safe`,
		{ status: execution.status, sent },
	);
}
