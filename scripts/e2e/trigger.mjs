// The Hypersender Trigger in a started n8n (issue 11): a workflow with the trigger is activated
// through n8n's REST API; Hypersender-shaped deliveries are POSTed to its production URL with the
// right, a wrong and no Authorization, as malformed or event-less bodies, and twice with one
// event ID; n8n's REST API then says which executions ran and with what items. A trigger whose
// credential has no Webhook Authorization must not activate. Then examples/auto-reply.json
// (trigger -> Send Text back to the sender) answers a delivery through the fake server.
import { delivery, TEXT_PAYLOAD, TRIGGER_NAME, triggerCredential, triggerExampleFor, triggerUrlOf, triggerWorkflow } from '../lib/hypersender-trigger.mjs';
import { activate, activateOrThrow, executionOutputOf, executionsOf, executionWithRun, finished } from '../lib/n8n-rest.mjs';
import { waitFor } from '../lib/wait.mjs';

const SECRET = 'e2e-webhook-authorization-5f1d9c3b';
// The trigger workflows' ids and their trigger node's webhookId (its URL).
const SIGNED = { id: 'hsE2eTrigger', webhookId: '7d2e4f60-1a3b-4c5d-8e9f-a0b1c2d3e4f5' };
const UNSIGNED = { id: 'hsE2eTriggerNoSecret', webhookId: '7d2e4f60-1a3b-4c5d-8e9f-a0b1c2d30000' };
const AUTO_REPLY_ID = 'hsExampleAutoReply';

/** A workflow's executions, each with the items its trigger node put out. */
async function triggerRunsOf(n8n, bins, workflowId, triggerName = TRIGGER_NAME) {
	return await Promise.all(
		(await executionsOf(n8n, workflowId)).map(async (summary) => ({
			id: summary.id,
			status: summary.status,
			items: executionOutputOf(await executionWithRun(n8n, bins, summary.id), triggerName),
		})),
	);
}

export async function run(t) {
	const { label, bins } = t;
	const n8n = await t.startN8nWithOwner();
	const signed = triggerCredential(t.credential, SECRET);
	const unsigned = triggerCredential(t.credential, '', `${t.credential.id}NoSecret`);
	await t.importCredentials(signed, unsigned);
	await t.importWorkflow(
		triggerWorkflow({ ...SIGNED, nodeType: t.nodeType, credential: signed, parameters: { events: ['message.any', 'message.reaction'] } }),
		triggerWorkflow({ ...UNSIGNED, nodeType: t.nodeType, credential: unsigned }),
	);

	const refused = await activate(n8n, UNSIGNED.id);
	t.check(
		!refused.ok && /has no 'Webhook Authorization'/.test(JSON.stringify(refused.detail)),
		`${label}: a trigger whose credential has no Webhook Authorization does not activate, and n8n says why`,
		refused,
	);
	await activateOrThrow(n8n, SIGNED.id);

	const triggerUrl = triggerUrlOf(n8n.url, SIGNED.webhookId);
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
		const list = await triggerRunsOf(n8n, bins, SIGNED.id);
		return list.length >= 2 && list.every(finished) && list;
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

/** The auto-reply example: a message is answered in its chat, quoting it; this number's own message is not. */
async function checkAutoReply(t, n8n, credential, post) {
	const { label, fake } = t;
	const workflow = triggerExampleFor('auto-reply.json', { id: AUTO_REPLY_ID, nodeType: t.nodeType, credential });
	await t.importWorkflow(workflow);
	await activateOrThrow(n8n, AUTO_REPLY_ID);
	const url = triggerUrlOf(n8n.url, workflow.nodes.find((node) => node.webhookId).webhookId);
	const instanceId = credential.data.instanceId;
	const own = { ...TEXT_PAYLOAD, id: 'true_201063178738@c.us_E2EOWN', from: '201553730661@c.us', to: '201063178738@c.us', fromMe: true, body: 'our own reply' };
	const answers = [
		await post(delivery('message.any', TEXT_PAYLOAD, { id: 'evt_e2e_autoreply', instanceId }), { url }),
		await post(delivery('message.any', own, { id: 'evt_e2e_autoreply_own', instanceId }), { url }),
	];
	t.check(answers[0].status === 200 && answers[1].status === 200 && /sent by this number/.test(answers[1].message), `${label}: auto-reply example: the message starts it, our own message is acknowledged and starts nothing`, answers);
	const [execution] = await waitFor('the auto-reply execution to finish', async () => {
		const list = await triggerRunsOf(n8n, t.bins, AUTO_REPLY_ID, 'Incoming WhatsApp Message');
		return list.length >= 1 && list.every(finished) && list;
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
