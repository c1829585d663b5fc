import { createHash } from 'node:crypto';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { IHookFunctions, INodeType, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../Hypersender/shared/credential';
import { mediaSourceOf } from '../Hypersender/transport/media';
import { authorizationMatches, MAX_DELIVERY_BYTES, readDelivery } from './delivery';
import type { Delivery, DeliveryReading } from './delivery';
import { AccountMemory } from './accountMemory';
import { DeliveryDeduplicator } from './deliveryDeduplicator';
import { startWithMedia } from './media';
import { AUTHORED_EVENTS, onlyFromKey, readTriggerAccount, readTriggerSettings } from './settings';
import type { TriggerAccount, TriggerSettings } from './settings';
import { simplifyDelivery } from './simplify';
import type { SimpleDelivery } from './simplify';

/** What the trigger reads of n8n's request (an Express request, itself Node's http.IncomingMessage). */
interface DeliveryRequest {
	headers: Record<string, string | string[] | undefined>;
	/** The body's bytes, kept by n8n. */
	rawBody?: unknown;
	/** The body as n8n parsed it from its Content-Type. */
	body?: unknown;
	/** n8n's reader of the body's bytes into `rawBody` (on every request n8n serves, 1.x and 2.x alike). */
	readRawBody?: () => Promise<void>;
}

/** What the trigger uses of n8n's response: only Node's http.ServerResponse methods. */
interface DeliveryResponse {
	writeHead(status: number, headers: Record<string, string | number>): unknown;
	end(body: string): unknown;
}

// One per n8n process: every workflow's trigger keys its own entries (see deliveryKey).
const deduplicator = new DeliveryDeduplicator();
// One per n8n process, keyed by credential ID.
const accountMemory = new AccountMemory();

/** Answers the request itself: n8n then sends nothing more and starts no execution. */
function answer(res: DeliveryResponse, status: number, message: string): IWebhookResponseData {
	const body = JSON.stringify({ message });
	res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
	res.end(body);
	return { noWebhookResponse: true };
}

/** n8n answers 200 with this message and starts no execution: Hypersender sees the delivery was received. */
function acknowledge(message: string): IWebhookResponseData {
	return { webhookResponse: { message } };
}

function sameInstance(a: string, b: string): boolean {
	return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Why this delivery starts nothing, or undefined when it starts the workflow. */
function reasonToIgnore(delivery: Delivery, simple: SimpleDelivery, settings: TriggerSettings): string | undefined {
	if (settings.ignoreOwnMessages && simple.from_me && AUTHORED_EVENTS.has(delivery.event)) {
		return 'sent by this number (Ignore Messages Sent by This Number is on)';
	}
	if (settings.ignoreGroups && simple.is_group) return 'a group chat (Ignore Group Messages is on)';
	if (settings.onlyFrom) {
		const ids = [simple.chat_id, simple.phone && `${simple.phone.slice(1)}@c.us`, simple.lid];
		if (!ids.some((id) => id !== null && settings.onlyFrom?.has(onlyFromKey(id)))) return "from a chat that is not in 'Only From'";
	}
	return undefined;
}

/** The remembered form of a delivery: a digest, so an event ID of any length takes the same little memory. */
function deliveryKey(ctx: IWebhookFunctions, instanceId: string, eventId: unknown): string | undefined {
	if ((typeof eventId !== 'string' || eventId === '') && typeof eventId !== 'number') return undefined;
	return createHash('sha256')
		.update(JSON.stringify([ctx.getWorkflow().id, ctx.getNode().id, instanceId.toLowerCase(), eventId]))
		.digest('base64');
}

/**
 * The delivery in the request. n8n has read the bytes already for a version-1 node, and for
 * version 2 when the Content-Type is JSON, form, text or XML; any other body (no Content-Type,
 * application/octet-stream) is still unread, and read here, so both versions read every body alike.
 */
async function readBodyOf(req: DeliveryRequest): Promise<DeliveryReading> {
	if (!Buffer.isBuffer(req.rawBody) && typeof req.readRawBody === 'function') {
		try {
			await req.readRawBody();
		} catch (error) {
			return { problem: `The body could not be read (${(error as Error).message})` };
		}
	}
	return readDelivery(req.rawBody, req.body);
}

export class HypersenderTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Hypersender Trigger',
		name: 'hypersenderTrigger',
		icon: { light: 'file:../Hypersender/hypersender.svg', dark: 'file:../Hypersender/hypersender.dark.svg' },
		group: ['trigger'],
		// Version 2 behaves as 1. n8n treats a version-1 webhook node as the Webhook node's first
		// version: on every delivery it evaluates an expression for that node's old "binary data"
		// option, which n8n 2.x runs in an isolated-vm isolate (BENCHMARKS.md,
		// trigger section), and reads the body whatever its Content-Type. For version 2 it reads
		// only JSON, form, text and XML bodies; the trigger reads any other itself (readBodyOf).
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{$parameter["events"].join(", ")}}',
		description: 'Starts the workflow when a WhatsApp message, reaction, delivery update or poll vote arrives through Hypersender',
		defaults: { name: 'Hypersender Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'hypersenderApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				// n8n answers as soon as the execution is created: Hypersender never waits for the workflow.
				responseMode: 'onReceived',
				// An empty 200: without this, n8n 2.x answers with the text "firstEntryJson".
				responseData: 'noData',
				path: 'webhook',
			},
		],
		properties: [
			{
				displayName:
					"Hypersender has no API to register webhooks: in the Hypersender dashboard, open your instance's webhook settings, add this node's <b>Production URL</b> (under Webhook URLs above) and set its <b>Authorization</b> to the same value as 'Webhook Authorization' in the Hypersender API credential (at least 16 characters). While building, add the <b>Test URL</b> instead and click 'Listen for test event'. Deliveries without that Authorization are refused (401).",
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				default: ['message.any'],
				description: 'The events that start the workflow. Hypersender sends every event its webhook is set up for; the others are answered and start nothing.',
				options: [
					{ name: 'Message (Incoming and Sent)', value: 'message.any', description: 'A message in any chat: text, media, location and others' },
					{ name: 'Message Acknowledged (Delivery Status)', value: 'message.ack', description: 'A sent message reached the server, the phone, was read or played' },
					{ name: 'Message Reaction', value: 'message.reaction', description: 'Someone reacted to a message with an emoji' },
					{ name: 'Message Revoked (Deleted for Everyone)', value: 'message.revoked' },
					{ name: 'Message Waiting (Not Yet Decrypted)', value: 'message.waiting', description: 'WhatsApp announced a message it could not decrypt yet' },
					{ name: 'Poll Vote', value: 'poll.vote' },
					{ name: 'Poll Vote Failed', value: 'poll.vote.failed', description: 'A vote arrived that could not be read' },
					{ name: 'Presence Update (Typing, Online)', value: 'presence.update' },
				],
			},
			{
				displayName: 'Ignore Messages Sent by This Number',
				name: 'ignoreOwnMessages',
				type: 'boolean',
				default: true,
				description:
					'Whether messages, reactions and revokes that this WhatsApp number sent itself (from the phone, or through the API, such as a reply of this very workflow) start nothing. Keep it on for auto-replies, or the workflow answers itself without end. Delivery updates of sent messages still arrive.',
			},
			{
				displayName: 'Simplify',
				name: 'simplify',
				type: 'boolean',
				default: true,
				description:
					'Whether to return one flat item (event, chat_id, phone, lid, from_me, is_group, text, message_id, timestamp, has_media, media_url, media_mimetype, media_filename, ack, reply_to, instance_id) instead of the raw delivery',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Country',
						name: 'country',
						type: 'string',
						default: '',
						placeholder: 'DE',
						description:
							"The country of numbers in 'Only From' written without + or 00, e.g. 0151 23456789: an ISO country code (DE, US), a calling code (49) or an English country name",
					},
					{
						displayName: 'Download Media',
						name: 'downloadMedia',
						type: 'boolean',
						default: false,
						description:
							"Whether a message with a voice note, photo, video or document starts the workflow with the file as binary data ('data'; up to 25 MB, within a minute). Hypersender is answered first; a failed download still starts the workflow, with media_error saying why.",
					},
					{
						displayName: 'Ignore Group Messages',
						name: 'ignoreGroups',
						type: 'boolean',
						default: false,
						description: 'Whether events in group chats start nothing',
					},
					{
						displayName: 'Only From (Chat IDs or Phones)',
						name: 'onlyFrom',
						type: 'string',
						typeOptions: { rows: 3 },
						default: '',
						placeholder: '+49 151 23456789, 1234567890@lid, 120363040000000000@g.us',
						description:
							"Only events from these chats start the workflow; separate entries with commas or new lines. A person's number or @lid also matches their messages in groups; a group ID matches everything in that group.",
					},
				],
			},
		],
	};

	webhookMethods = {
		default: {
			// n8n asks before it activates the workflow (and before 'Listen for test event'): a
			// trigger that would let anyone in, or could never match, refuses to start listening.
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return false;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const account = await readTriggerAccount(this);
				if ('problem' in account) throw new NodeOperationError(this.getNode(), account.problem, { description: account.fix });
				readTriggerSettings(this);
				return true;
			},
			// Hypersender has no API for webhooks: there is nothing to remove on its side.
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject() as DeliveryRequest;
		const res = this.getResponseObject() as DeliveryResponse;

		// The same answer whatever is wrong: a stranger learns nothing about the configuration.
		const unauthorized = "The Authorization header does not match the trigger's Webhook Authorization";
		const matchesDelivery = (candidate: TriggerAccount) => authorizationMatches(req.headers.authorization, candidate.secret);
		const credentialId = this.getNode().credentials?.[CREDENTIAL_TYPE]?.id ?? undefined;
		/** The credential read afresh (and remembered when good), or undefined when it does not let this delivery in. */
		const readAccount = async (): Promise<TriggerAccount | undefined> => {
			const read = await readTriggerAccount(this);
			if ('problem' in read) {
				this.logger.warn(`Hypersender Trigger refused a delivery: ${read.problem}. ${read.fix}`);
				return undefined;
			}
			if (!matchesDelivery(read)) return undefined;
			if (credentialId !== undefined) accountMemory.remember(credentialId, read);
			return read;
		};
		const remembered = credentialId === undefined ? undefined : accountMemory.recall(credentialId, matchesDelivery);
		let account = remembered ?? (await readAccount());
		if (!account) return answer(res, 401, unauthorized);

		const reading = await readBodyOf(req);
		if ('problem' in reading) {
			return answer(res, 400, `${reading.problem}. Expected a Hypersender webhook delivery: a JSON object with "event" and "data", at most ${MAX_DELIVERY_BYTES} bytes.`);
		}
		const { delivery } = reading;
		const settings = readTriggerSettings(this);

		if (!settings.events.has(delivery.event)) {
			return acknowledge(`Ignored: the trigger does not listen for ${JSON.stringify(delivery.event).slice(0, 80)}`);
		}
		if (!delivery.data) return answer(res, 400, 'The body has no "data" object. Expected a Hypersender webhook delivery.');
		// A delivery that names no instance cannot be shown to be this credential's: it starts nothing.
		const instanceId = delivery.data.instanceId;
		// The memory may hold an Instance ID changed a moment ago: a delivery for the new one is checked
		// against the credential as it is now, not answered 200 and lost.
		if (remembered && typeof instanceId === 'string' && !sameInstance(instanceId, account.instanceId)) {
			account = await readAccount();
			if (!account) return answer(res, 401, unauthorized);
		}
		if (typeof instanceId !== 'string' || !sameInstance(instanceId, account.instanceId)) {
			return acknowledge("Ignored: the delivery is for another instance than the trigger's credential, or names none");
		}

		const simple = simplifyDelivery(delivery);
		const reason = reasonToIgnore(delivery, simple, settings);
		if (reason) return acknowledge(`Ignored: ${reason}`);

		const key = deliveryKey(this, account.instanceId, delivery.data.id);
		if (key !== undefined && !deduplicator.firstSighting(key)) {
			return acknowledge('Ignored: this event was already delivered');
		}
		const output = settings.simplify ? simple : delivery.body;
		// A message with media but no link to it still says why it came without the file.
		if (settings.downloadMedia && simple.has_media) return await startWithMedia(this, res, output, mediaSourceOf(simple));
		return { workflowData: [this.helpers.returnJsonArray(output)] };
	}
}
