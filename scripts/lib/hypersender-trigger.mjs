// The Hypersender Trigger's side of the scripts: a credential with a Webhook Authorization, a
// workflow that starts with the trigger, its production URL, and deliveries in Hypersender's
// envelope (the e2e's trigger scenario, `npm run test:queue` and `npm run bench:trigger`).
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { pointWorkflowAt } from './n8n-package.mjs';
import { ROOT } from './n8n-runtime.mjs';
import { chainWorkflow, workflowNode } from './workflows.mjs';

export const TRIGGER_NAME = 'Hypersender Trigger';

/** The trigger's type name for the install way of `nodeType` (the Hypersender node's). */
export const triggerTypeOf = (nodeType) => `${nodeType}Trigger`;

/** An example of examples/ that starts with the trigger, as users import it, pointed at this install way's node types and `credential`. */
export function triggerExampleFor(file, { id, nodeType, credential }) {
	const example = JSON.parse(readFileSync(path.join(ROOT, 'examples', file), 'utf8'));
	return { ...pointWorkflowAt(example, nodeType, credential), id, active: false };
}

/** A credential like `credential`, with a Webhook Authorization (or without, for the refusal). */
export function triggerCredential(credential, webhookSecret, id = `${credential.id}Trigger`) {
	return { ...credential, id, name: `${credential.name} (trigger)`, data: { ...credential.data, webhookSecret } };
}

/** The trigger's version that n8n's editor gives a node added now (the node's defaultVersion). */
export const TRIGGER_VERSION = 2;

/** A workflow that starts with the trigger (its URL: `triggerUrlOf`), then the `next` nodes. */
export function triggerWorkflow({ id, name = `E2E ${id}`, webhookId, nodeType, credential, parameters = {}, next = [], typeVersion = TRIGGER_VERSION }) {
	return chainWorkflow(id, name, [
		workflowNode(TRIGGER_NAME, triggerTypeOf(nodeType), credential, { events: ['message.any'], ...parameters }, { webhookId, typeVersion }),
		...next,
	]);
}

/** The production URL of a trigger whose node has `webhookId`, on the n8n (or webhook process) at `baseUrl`. */
export const triggerUrlOf = (baseUrl, webhookId) => `${baseUrl}/webhook/${webhookId}/webhook`;

/** One delivery in Hypersender's envelope. */
export function delivery(event, payload, { id, instanceId }) {
	return { event, data: { id, event, metadata: [], me: { id: '201553730661@c.us', pushName: 'E2E' }, payload, instanceId, userId: '9cbff1d0-0000-4000-8000-000000000001' } };
}

/** A text message from 201063178738 (with its @lid), as Hypersender delivers it. */
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
