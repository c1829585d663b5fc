import * as crypto from 'node:crypto';

// The real comparison runs; the spy only records what it was given.
jest.mock('node:crypto', () => {
	const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
	return { ...actual, timingSafeEqual: jest.fn(actual.timingSafeEqual) };
});

import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeParameters, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { authorizationMatches, MAX_DELIVERY_BYTES } from '../nodes/HypersenderTrigger/delivery';
import { ACCOUNT_MEMORY_MS } from '../nodes/HypersenderTrigger/accountMemory';
import { DeliveryDeduplicator } from '../nodes/HypersenderTrigger/deliveryDeduplicator';
import { HypersenderTrigger } from '../nodes/HypersenderTrigger/HypersenderTrigger.node';
import { simplifyDelivery } from '../nodes/HypersenderTrigger/simplify';
import { INSTANCE_ID, TOKEN } from './fixtures';
import { WebhookHarness } from './helpers/runWebhook';
import type { HarnessOptions, HttpAnswer } from './helpers/runWebhook';

const SECRET = 'hs-webhook-7Qm2vX9pL4tR8wZ1';
const ME = { id: '201553730661@c.us', pushName: 'Nagi', lid: '43898877530298@lid' };
const CREDENTIALS = { apiToken: TOKEN, instanceId: INSTANCE_ID, baseUrl: 'http://127.0.0.1:9', rateLimitPlan: 'unlimited', webhookSecret: SECRET };
const AUTH = { authorization: SECRET };

let eventCounter = 0;

/** A delivery in Hypersender's envelope; each gets its own event ID unless one is given. */
function delivery(event: string, payload: IDataObject, envelope: IDataObject = {}): IDataObject {
	return {
		event,
		data: { id: `evt_${++eventCounter}`, event, metadata: [], me: ME, payload, instanceId: INSTANCE_ID, userId: '9cbff1d0-1111-2222-3333-444455556666', ...envelope },
	};
}

const TEXT_MESSAGE = {
	id: 'false_201063178738@c.us_ABCD1234EF567890',
	timestamp: 1759066612,
	from: '201063178738@c.us',
	fromMe: false,
	source: 'app',
	body: 'Hello',
	hasMedia: false,
	media: null,
	ack: 1,
	ackName: 'SERVER',
	replyTo: null,
	_data: { key: { remoteJid: '201063178738@s.whatsapp.net', remoteJidAlt: '188905563410665@lid', fromMe: false, id: 'ABCD1234EF567890' } },
};

/** The flat item of TEXT_MESSAGE; other cases state what differs. */
const TEXT_ITEM = {
	event: 'message.any',
	chat_id: '201063178738@c.us',
	phone: '+201063178738',
	lid: '188905563410665@lid',
	from_me: false,
	is_group: false,
	text: 'Hello',
	message_id: 'false_201063178738@c.us_ABCD1234EF567890',
	timestamp: '2025-09-28T13:36:52.000Z',
	has_media: false,
	media_url: null,
	media_mimetype: null,
	media_filename: null,
	ack: 'SERVER',
	reply_to: null,
	instance_id: INSTANCE_ID,
};

const ALL_EVENTS = ['message.any', 'message.reaction', 'message.ack', 'message.waiting', 'message.revoked', 'poll.vote', 'poll.vote.failed', 'presence.update'];

const harnesses: WebhookHarness[] = [];
afterEach(async () => {
	await Promise.all(harnesses.splice(0).map(async (harness) => await harness.stop()));
});

async function trigger(parameters: INodeParameters = {}, options: Partial<HarnessOptions> = {}): Promise<WebhookHarness> {
	const harness = await WebhookHarness.start({ credentials: CREDENTIALS, parameters, ...options });
	harnesses.push(harness);
	return harness;
}

// n8n answers an execution's start with an empty 200 (the node's responseData: 'noData').
const STARTED: HttpAnswer = { status: 200, body: '' };
const UNAUTHORIZED: HttpAnswer = { status: 401, body: { message: "The Authorization header does not match the trigger's Webhook Authorization" } };

function ignored(reason: string | RegExp) {
	return { status: 200, body: { message: typeof reason === 'string' ? `Ignored: ${reason}` : expect.stringMatching(reason) } };
}

function jsonOf(items: INodeExecutionData[]): IDataObject[] {
	return items.map((item) => item.json);
}

describe('Hypersender Trigger: realistic deliveries through n8n-core', () => {
	test('a text message starts one execution with the flat item, answered 200 at once', async () => {
		const harness = await trigger();
		expect(await harness.deliver(delivery('message.any', TEXT_MESSAGE), AUTH)).toEqual(STARTED);
		const executions = await harness.executions();
		expect(executions).toHaveLength(1);
		expect(jsonOf(executions[0].items)).toEqual([TEXT_ITEM]);
		expect(executions[0].run.status).toBe('success');
	});

	test('a media message carries the link, the type and the caption', async () => {
		const harness = await trigger();
		const payload = {
			...TEXT_MESSAGE,
			id: 'false_201063178738@c.us_MEDIA0001',
			body: 'Invoice attached',
			hasMedia: true,
			media: { url: 'https://app.hypersender.com/media/abc.pdf', mimetype: 'application/pdf', filename: 'invoice.pdf' },
		};
		expect(await harness.deliver(delivery('message.any', payload), AUTH)).toEqual(STARTED);
		expect(jsonOf((await harness.executions())[0].items)).toEqual([
			{ ...TEXT_ITEM, text: 'Invoice attached', message_id: payload.id, has_media: true, media_url: 'https://app.hypersender.com/media/abc.pdf', media_mimetype: 'application/pdf', media_filename: 'invoice.pdf' },
		]);
	});

	test('a reaction: the emoji is the text, the reacted message is reply_to', async () => {
		const harness = await trigger({ events: ['message.reaction'] });
		const payload = {
			id: 'false_201063178738@c.us_REACT0001',
			from: '201063178738@c.us',
			fromMe: false,
			timestamp: 1759066700,
			reaction: { text: '👍', messageId: 'true_201063178738@c.us_3EB0AAAA' },
		};
		expect(await harness.deliver(delivery('message.reaction', payload), AUTH)).toEqual(STARTED);
		expect(jsonOf((await harness.executions())[0].items)).toEqual([
			{
				...TEXT_ITEM,
				event: 'message.reaction',
				lid: null,
				text: '👍',
				message_id: payload.id,
				timestamp: '2025-09-28T13:38:20.000Z',
				ack: null,
				reply_to: 'true_201063178738@c.us_3EB0AAAA',
			},
		]);
	});

	test('a delivery update of a message this number sent starts the workflow although fromMe is true', async () => {
		const harness = await trigger({ events: ['message.ack'] });
		const payload = { id: 'true_201063178738@c.us_3EB0155CFDC2464F72FD75', from: '201063178738@c.us', fromMe: true, ack: 3, ackName: 'READ' };
		expect(await harness.deliver(delivery('message.ack', payload), AUTH)).toEqual(STARTED);
		expect(jsonOf((await harness.executions())[0].items)).toEqual([
			{
				event: 'message.ack',
				chat_id: '201063178738@c.us',
				phone: '+201063178738',
				lid: null,
				from_me: true,
				is_group: false,
				text: null,
				message_id: payload.id,
				timestamp: null,
				has_media: false,
				media_url: null,
				media_mimetype: null,
				media_filename: null,
				ack: 'READ',
				reply_to: null,
				instance_id: INSTANCE_ID,
			},
		]);
	});

	test('a poll vote: the chosen options are the text, the poll is reply_to', async () => {
		const harness = await trigger({ events: ['poll.vote'] });
		const payload = {
			vote: { id: 'false_201063178738@c.us_VOTE0001', selectedOptions: ['Tuesday', 'Friday'], timestamp: 1759066800, from: '201063178738@c.us', fromMe: false },
			poll: { id: 'true_201063178738@c.us_POLL0001', from: '201553730661@c.us', fromMe: true, to: '201063178738@c.us' },
		};
		expect(await harness.deliver(delivery('poll.vote', payload), AUTH)).toEqual(STARTED);
		const [item] = jsonOf((await harness.executions())[0].items);
		expect(item).toMatchObject({
			event: 'poll.vote',
			chat_id: '201063178738@c.us',
			phone: '+201063178738',
			from_me: false,
			text: 'Tuesday, Friday',
			message_id: 'false_201063178738@c.us_VOTE0001',
			reply_to: 'true_201063178738@c.us_POLL0001',
			timestamp: '2025-09-28T13:40:00.000Z',
		});
	});

	test('a revoked message: the revoked ID and, when known, the text it had', async () => {
		const harness = await trigger({ events: ['message.revoked'] });
		const payload = {
			revokedMessageId: 'false_201063178738@c.us_ABCD1234EF567890',
			before: { ...TEXT_MESSAGE, body: 'oops, wrong chat' },
			after: { id: 'false_201063178738@c.us_REVOKE01', from: '201063178738@c.us', fromMe: false, body: '', timestamp: 1759066900 },
		};
		expect(await harness.deliver(delivery('message.revoked', payload), AUTH)).toEqual(STARTED);
		expect(jsonOf((await harness.executions())[0].items)).toEqual([
			{ ...TEXT_ITEM, event: 'message.revoked', text: 'oops, wrong chat', message_id: 'false_201063178738@c.us_ABCD1234EF567890' },
		]);
	});

	test('a sender known only by @lid: the phone comes from remoteJidAlt', async () => {
		const harness = await trigger();
		const payload = {
			...TEXT_MESSAGE,
			id: 'false_188905563410665@lid_LID00001',
			from: '188905563410665@lid',
			_data: { key: { remoteJid: '188905563410665@lid', remoteJidAlt: '201063178738@s.whatsapp.net', fromMe: false, id: 'LID00001' } },
		};
		expect(await harness.deliver(delivery('message.any', payload), AUTH)).toEqual(STARTED);
		expect(jsonOf((await harness.executions())[0].items)).toEqual([
			{ ...TEXT_ITEM, chat_id: '188905563410665@lid', phone: '+201063178738', lid: '188905563410665@lid', message_id: payload.id },
		]);
	});

	test('a @lid sender without any phone form: phone is null, the reply goes to the @lid', async () => {
		const harness = await trigger();
		const payload = { ...TEXT_MESSAGE, from: '188905563410665@lid', _data: { key: { remoteJid: '188905563410665@lid', fromMe: false } } };
		await harness.deliver(delivery('message.any', payload), AUTH);
		expect(jsonOf((await harness.executions())[0].items)[0]).toMatchObject({ chat_id: '188905563410665@lid', phone: null, lid: '188905563410665@lid' });
	});

	test('a group message: the chat is the group, phone and lid are the sender', async () => {
		const harness = await trigger();
		const payload = {
			...TEXT_MESSAGE,
			id: 'false_120363040000000000@g.us_GROUP0001_188905563410665@lid',
			from: '120363040000000000@g.us',
			participant: '188905563410665@lid',
			_data: { key: { remoteJid: '120363040000000000@g.us', participant: '188905563410665@lid', participantAlt: '201063178738@s.whatsapp.net', fromMe: false } },
		};
		expect(await harness.deliver(delivery('message.any', payload), AUTH)).toEqual(STARTED);
		expect(jsonOf((await harness.executions())[0].items)).toEqual([
			{ ...TEXT_ITEM, chat_id: '120363040000000000@g.us', is_group: true, phone: '+201063178738', lid: '188905563410665@lid', message_id: payload.id },
		]);

		const noGroups = await trigger({ options: { ignoreGroups: true } });
		expect(await noGroups.deliver(delivery('message.any', payload), AUTH)).toEqual(ignored('a group chat (Ignore Group Messages is on)'));
		expect(await noGroups.executions()).toHaveLength(0);
	});

	test('a duplicate (same event ID) starts one execution; the repeat is answered 200', async () => {
		const harness = await trigger();
		const first = delivery('message.any', TEXT_MESSAGE);
		expect(await harness.deliver(first, AUTH)).toEqual(STARTED);
		expect(await harness.deliver(first, AUTH)).toEqual(ignored('this event was already delivered'));
		// The same message in another event (another ID) is a new delivery.
		expect(await harness.deliver(delivery('message.any', TEXT_MESSAGE), AUTH)).toEqual(STARTED);
		expect(await harness.executions()).toHaveLength(2);
	});

	test('five copies of one delivery at the same moment start one execution', async () => {
		const harness = await trigger();
		const same = delivery('message.any', TEXT_MESSAGE);
		const answers = await Promise.all(Array.from({ length: 5 }, async () => await harness.deliver(same, AUTH)));
		expect(answers.filter((answer) => answer.status === 200)).toHaveLength(5);
		expect(answers.filter((answer) => answer.body === '')).toHaveLength(1);
		expect(await harness.executions()).toHaveLength(1);
	});

	test('the same delivery to two workflows starts each of them once', async () => {
		const [a, b] = [await trigger(), await trigger()];
		const same = delivery('message.any', TEXT_MESSAGE);
		expect(await a.deliver(same, AUTH)).toEqual(STARTED);
		expect(await b.deliver(same, AUTH)).toEqual(STARTED);
		expect((await a.executions()).length + (await b.executions()).length).toBe(2);
	});

	test('a very long event ID is recognized on repeat like a short one', async () => {
		const harness = await trigger();
		const longId = delivery('message.any', TEXT_MESSAGE, { id: `evt_${'x'.repeat(200_000)}` });
		expect(await harness.deliver(longId, AUTH)).toEqual(STARTED);
		expect(await harness.deliver(longId, AUTH)).toEqual(ignored('this event was already delivered'));
		expect(await harness.executions()).toHaveLength(1);
	});

	test('a delivery without an event ID is never taken for a repeat', async () => {
		const harness = await trigger();
		const noId = delivery('message.any', TEXT_MESSAGE, { id: undefined });
		await harness.deliver(noId, AUTH);
		await harness.deliver(noId, AUTH);
		expect(await harness.executions()).toHaveLength(2);
	});
});

describe('Hypersender Trigger: who may deliver', () => {
	test.each([
		['no Authorization header', undefined],
		['a wrong value', 'hs-webhook-7Qm2vX9pL4tR8wZ2'],
		['the value with Bearer in front', `Bearer ${SECRET}`],
		['a prefix of the value', SECRET.slice(0, 10)],
		['the API token', TOKEN],
		['an empty value', ''],
	])('%s: 401 and no execution', async (_name, authorization) => {
		const harness = await trigger();
		expect(await harness.deliver(delivery('message.any', TEXT_MESSAGE), { authorization })).toEqual(UNAUTHORIZED);
		expect(await harness.executions()).toHaveLength(0);
	});

	test('a stranger gets 401, not 400, whatever the body holds', async () => {
		const harness = await trigger();
		expect(await harness.deliver('{not json', { contentType: 'text/plain', authorization: 'guess' })).toEqual(UNAUTHORIZED);
		expect(await harness.deliver({ no: 'event' }, { authorization: 'guess' })).toEqual(UNAUTHORIZED);
	});

	test('the value with spaces around it (as pasted) is accepted', async () => {
		const harness = await trigger();
		expect(await harness.deliver(delivery('message.any', TEXT_MESSAGE), { authorization: `  ${SECRET}  ` })).toEqual(STARTED);
	});

	test('the comparison hashes both sides and compares equal-length digests, whatever the header length', () => {
		const compare = crypto.timingSafeEqual as jest.MockedFunction<typeof crypto.timingSafeEqual>;
		for (const header of ['', 'x', SECRET, `${SECRET}${'y'.repeat(5000)}`, undefined, ['array']]) {
			compare.mockClear();
			expect(authorizationMatches(header, SECRET)).toBe(header === SECRET);
			expect(compare).toHaveBeenCalledTimes(1);
			const [a, b] = compare.mock.calls[0] as [Buffer, Buffer];
			expect([a.length, b.length]).toEqual([32, 32]);
		}
	});

	test('an empty secret matches nothing, not even an empty header', () => {
		expect(authorizationMatches('', '')).toBe(false);
		expect(authorizationMatches(undefined, '')).toBe(false);
	});

	test('a credential without Webhook Authorization: activation refused with the fix, every delivery 401', async () => {
		const harness = await trigger({}, { credentials: { ...CREDENTIALS, webhookSecret: '' } });
		await expect(harness.activate()).rejects.toMatchObject({
			message: "the 'Hypersender API' credential has no 'Webhook Authorization'",
			description: expect.stringContaining("Set 'Webhook Authorization'"),
		});
		expect(await harness.deliver(delivery('message.any', TEXT_MESSAGE), { authorization: '' })).toEqual(UNAUTHORIZED);
		expect(await harness.deliver(delivery('message.any', TEXT_MESSAGE))).toEqual(UNAUTHORIZED);
		expect(await harness.executions()).toHaveLength(0);
	});

	test('a secret shorter than 16 characters: activation refused', async () => {
		const harness = await trigger({}, { credentials: { ...CREDENTIALS, webhookSecret: 'short-secret' } });
		await expect(harness.activate()).rejects.toThrow("The 'Webhook Authorization' in the 'Hypersender API' credential has 12 characters; at least 16 are needed");
	});

	test('a well-configured trigger activates', async () => {
		const harness = await trigger({ events: ['message.any', 'poll.vote'], options: { onlyFrom: '+20 106 317 8738' } });
		await expect(harness.activate()).resolves.toBeUndefined();
	});

	test('a delivery for another instance is acknowledged and starts nothing; the instance ID is compared without case', async () => {
		const harness = await trigger();
		expect(await harness.deliver(delivery('message.any', TEXT_MESSAGE, { instanceId: '00000000-0000-4000-8000-000000000000' }), AUTH)).toEqual(
			ignored("the delivery is for another instance than the trigger's credential, or names none"),
		);
		expect(await harness.deliver(delivery('message.any', TEXT_MESSAGE, { instanceId: INSTANCE_ID.toUpperCase() }), AUTH)).toEqual(STARTED);
		expect(await harness.executions()).toHaveLength(1);
	});
});

describe('Hypersender Trigger: bodies that are not deliveries', () => {
	test('malformed JSON sent as application/json: n8n itself answers 422 before the node runs', async () => {
		const harness = await trigger();
		expect(await harness.deliver('{"event": "message.any", ', AUTH)).toEqual({ status: 422, body: { message: 'Failed to parse request body' } });
		expect(await harness.executions()).toHaveLength(0);
	});

	test.each([
		['malformed JSON as text/plain', '{"event": "message.any", ', 'text/plain', 'The body is not JSON'],
		['malformed JSON without a Content-Type', '{"event"', null, 'The body is not JSON'],
		['an empty body', '', 'application/json', 'The body is not JSON'],
		['a JSON array', '[{"event":"message.any"}]', 'application/json', 'The body is not a JSON object'],
		['a JSON string', '"message.any"', 'application/json', 'The body is not a JSON object'],
		['no event', JSON.stringify({ data: { payload: TEXT_MESSAGE } }), 'application/json', 'The body has no "event"'],
		['an empty event', JSON.stringify({ event: ' ', data: {} }), 'application/json', 'The body has no "event"'],
		['an event that is not text', JSON.stringify({ event: 42, data: {} }), 'application/json', 'The body has no "event"'],
		['a form instead of JSON', 'event=message.any', 'application/x-www-form-urlencoded', 'The body is not JSON'],
	])('%s: 400 and no execution', async (_name, body, contentType, problem) => {
		const harness = await trigger();
		const answer = await harness.deliver(body, { ...AUTH, contentType });
		expect(answer.status).toBe(400);
		expect((answer.body as IDataObject).message).toMatch(new RegExp(`^${problem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\. Expected a Hypersender webhook delivery`));
		expect(await harness.executions()).toHaveLength(0);
	});

	test('a body over 1 MiB: 400 and no execution; one just under starts the workflow', async () => {
		const harness = await trigger();
		const base = JSON.stringify(delivery('message.any', { ...TEXT_MESSAGE, body: '' }));
		const sized = (bytes: number) => JSON.stringify(delivery('message.any', { ...TEXT_MESSAGE, body: 'x'.repeat(bytes - base.length) }));
		const tooBig = sized(MAX_DELIVERY_BYTES + 1);
		const justUnder = sized(MAX_DELIVERY_BYTES - 100);
		expect(Buffer.byteLength(tooBig)).toBeGreaterThan(MAX_DELIVERY_BYTES);
		expect(Buffer.byteLength(justUnder)).toBeLessThanOrEqual(MAX_DELIVERY_BYTES);
		const answer = await harness.deliver(tooBig, AUTH);
		expect(answer.status).toBe(400);
		expect((answer.body as IDataObject).message).toMatch(/^The body has \d+ bytes; a Hypersender delivery has at most 1048576\./);
		expect(await harness.deliver(justUnder, AUTH)).toEqual(STARTED);
		expect(await harness.executions()).toHaveLength(1);
	});

	test('a JSON delivery sent as text/plain is read like one sent as JSON', async () => {
		const harness = await trigger();
		expect(await harness.deliver(JSON.stringify(delivery('message.any', TEXT_MESSAGE)), { ...AUTH, contentType: 'text/plain' })).toEqual(STARTED);
		expect(jsonOf((await harness.executions())[0].items)).toEqual([TEXT_ITEM]);
	});

	// n8n reads no body of a version-2 webhook node whose Content-Type is not JSON, form, text or
	// XML; the trigger reads it itself, so each version reads every body alike.
	test.each([
		['version 2, no Content-Type', 2, null],
		['version 2, application/octet-stream', 2, 'application/octet-stream'],
		['version 1, no Content-Type', 1, null],
		['version 1, application/json', 1, 'application/json'],
	])('%s: a delivery starts the workflow with the same item as JSON on the current version', async (_name, typeVersion, contentType) => {
		const harness = await trigger({}, { typeVersion });
		expect(await harness.deliver(JSON.stringify(delivery('message.any', TEXT_MESSAGE)), { ...AUTH, contentType })).toEqual(STARTED);
		expect(jsonOf((await harness.executions())[0].items)).toEqual([TEXT_ITEM]);
	});

	test("version 2: a body that n8n leaves unread and that is over n8n's payload limit: 400 naming why, no execution", async () => {
		const harness = await trigger({}, { typeVersion: 2 });
		const answer = await harness.deliver('x'.repeat(16 * 1024 * 1024 + 1), { ...AUTH, contentType: null });
		expect(answer).toEqual({ status: 400, body: { message: expect.stringMatching(/^The body could not be read \(request entity too large\)\. Expected a Hypersender webhook delivery/) } });
		expect(await harness.executions()).toHaveLength(0);
	});

	test('a new trigger node is version 2; workflows saved with version 1 keep it', () => {
		const { version, defaultVersion } = new HypersenderTrigger().description;
		expect({ version, defaultVersion }).toEqual({ version: [1, 2], defaultVersion: 2 });
	});

	test('a selected event without a data object: 400', async () => {
		const harness = await trigger();
		expect(await harness.deliver({ event: 'message.any' }, AUTH)).toEqual({
			status: 400,
			body: { message: 'The body has no "data" object. Expected a Hypersender webhook delivery.' },
		});
	});
});

describe('Hypersender Trigger: events and options', () => {
	test('by default only messages start it; the other events are acknowledged and start nothing', async () => {
		const harness = await trigger();
		expect(await harness.deliver(delivery('message.ack', { id: 'true_201063178738@c.us_X', fromMe: true, ack: 2 }), AUTH)).toEqual(
			ignored('the trigger does not listen for "message.ack"'),
		);
		expect(await harness.deliver(delivery('session.status', { status: 'WORKING' }), AUTH)).toEqual(ignored('the trigger does not listen for "session.status"'));
		expect(await harness.executions()).toHaveLength(0);
	});

	test('every event can be selected; each delivery starts one execution', async () => {
		const harness = await trigger({ events: ALL_EVENTS });
		for (const event of ALL_EVENTS) expect(await harness.deliver(delivery(event, TEXT_MESSAGE), AUTH)).toEqual(STARTED);
		expect(jsonOf((await harness.executions()).flatMap((execution) => execution.items)).map((item) => item.event)).toEqual(ALL_EVENTS);
	});

	test('a presence update: the chat, the person and the presence', async () => {
		const harness = await trigger({ events: ['presence.update'] });
		const payload = { id: '201063178738@c.us', presences: [{ participant: '201063178738@c.us', lastKnownPresence: 'typing', lastSeen: 1759066612 }] };
		await harness.deliver(delivery('presence.update', payload), AUTH);
		expect(jsonOf((await harness.executions())[0].items)[0]).toMatchObject({
			event: 'presence.update',
			chat_id: '201063178738@c.us',
			phone: '+201063178738',
			text: 'typing',
			message_id: null,
			timestamp: '2025-09-28T13:36:52.000Z',
		});
	});

	test('messages this number sent are ignored by default, and arrive with the recipient as chat when allowed', async () => {
		const sent = { ...TEXT_MESSAGE, id: 'true_201063178738@c.us_3EB0SENT', from: '201553730661@c.us', to: '201063178738@c.us', fromMe: true, _data: { key: { remoteJid: '201063178738@s.whatsapp.net', fromMe: true } } };
		const harness = await trigger();
		expect(await harness.deliver(delivery('message.any', sent), AUTH)).toEqual(ignored('sent by this number (Ignore Messages Sent by This Number is on)'));
		expect(await harness.executions()).toHaveLength(0);

		const withOwn = await trigger({ ignoreOwnMessages: false });
		expect(await withOwn.deliver(delivery('message.any', sent), AUTH)).toEqual(STARTED);
		expect(jsonOf((await withOwn.executions())[0].items)[0]).toMatchObject({ from_me: true, chat_id: '201063178738@c.us', phone: '+201063178738' });
	});

	test('Only From: numbers as CRMs write them, @lid and group IDs; the rest is acknowledged and starts nothing', async () => {
		const harness = await trigger({ options: { onlyFrom: '+20 106 317 8738\n120363040000000000@g.us; 555555555555555@lid', country: 'EG' } });
		const lidSender = { ...TEXT_MESSAGE, from: '188905563410665@lid', _data: { key: { remoteJid: '188905563410665@lid', remoteJidAlt: '201063178738@s.whatsapp.net' } } };
		const groupMessage = { ...TEXT_MESSAGE, from: '120363040000000000@g.us', participant: '4915123456789@c.us' };
		const listedLid = { ...TEXT_MESSAGE, from: '555555555555555@lid', _data: {} };
		const stranger = { ...TEXT_MESSAGE, from: '4915123456789@c.us', _data: {} };
		for (const payload of [TEXT_MESSAGE, lidSender, groupMessage, listedLid]) expect(await harness.deliver(delivery('message.any', payload), AUTH)).toEqual(STARTED);
		expect(await harness.deliver(delivery('message.any', stranger), AUTH)).toEqual(ignored("from a chat that is not in 'Only From'"));
		expect(await harness.executions()).toHaveLength(4);

		const national = await trigger({ options: { onlyFrom: '0106 317 8738', country: 'EG' } });
		expect(await national.deliver(delivery('message.any', TEXT_MESSAGE), AUTH)).toEqual(STARTED);
	});

	test('Only From with an entry that is no phone number: activation refused naming it', async () => {
		const harness = await trigger({ options: { onlyFrom: '+20 106 317 8738, call me' } });
		await expect(harness.activate()).rejects.toMatchObject({
			message: `Invalid entry in 'Only From (Chat IDs or Phones)': "call me" contains letters`,
		});
	});

	test('Only From with an unknown Country: activation refused naming it', async () => {
		const harness = await trigger({ options: { onlyFrom: '0106 317 8738', country: 'Atlantis' } });
		await expect(harness.activate()).rejects.toThrow(/^Invalid 'Country' in the trigger's options: Country "Atlantis"/);
	});

	test('no event selected: activation refused', async () => {
		const harness = await trigger({ events: [] });
		await expect(harness.activate()).rejects.toThrow('No event is selected in the trigger');
	});

	test('Simplify off: the delivery exactly as it arrived', async () => {
		const harness = await trigger({ simplify: false });
		const raw = delivery('message.any', TEXT_MESSAGE);
		await harness.deliver(raw, AUTH);
		expect(jsonOf((await harness.executions())[0].items)).toEqual([raw]);
	});
});

/** Waits in its execute until the test lets it go: a slow workflow. */
function slowNode(release: Promise<void>): INodeType {
	const description: INodeTypeDescription = {
		displayName: 'Slow',
		name: 'slow',
		group: ['transform'],
		version: 1,
		description: 'Waits',
		defaults: { name: 'Slow' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};
	return {
		description,
		async execute(this: IExecuteFunctions) {
			await release;
			return [this.getInputData()];
		},
	};
}

describe('Hypersender Trigger: answers at once', () => {
	test('the 200 arrives while the workflow is still running', async () => {
		let letGo: () => void = () => {};
		const release = new Promise<void>((resolve) => (letGo = resolve));
		const harness = await trigger({}, { next: { type: slowNode(release) } });
		// Were the answer held until the workflow ends, this would never resolve: the workflow ends only after it.
		expect(await harness.deliver(delivery('message.any', TEXT_MESSAGE), AUTH)).toEqual(STARTED);
		letGo();
		const [execution] = await harness.executions();
		expect(jsonOf(execution.run.data.resultData.runData.Next[0].data!.main[0]!)).toEqual([TEXT_ITEM]);
	});

	test('the test URL (Listen for test event) behaves like the production URL', async () => {
		const harness = await trigger({}, { mode: 'manual' });
		expect(harness.url).toMatch(/\/webhook-test\/5b0c2f43-3f0e-4d6e-9d8c-1a2b3c4d5e6f\/webhook$/);
		expect(await harness.deliver(delivery('message.any', TEXT_MESSAGE), AUTH)).toEqual(STARTED);
		expect(await harness.deliver(delivery('message.any', TEXT_MESSAGE), { authorization: 'nope' })).toEqual(UNAUTHORIZED);
		expect(await harness.executions()).toHaveLength(1);
	});

	test('the production URL is n8n\'s /webhook/<webhook ID>/webhook', async () => {
		const harness = await trigger();
		expect(harness.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/webhook\/5b0c2f43-3f0e-4d6e-9d8c-1a2b3c4d5e6f\/webhook$/);
		expect(new HypersenderTrigger().description.webhooks?.[0]).toMatchObject({ httpMethod: 'POST', responseMode: 'onReceived', responseData: 'noData' });
	});
});

describe('Simplify: odd payloads', () => {
	const simplify = (event: string, payload: unknown, data: IDataObject = {}) =>
		simplifyDelivery({ event, data: { payload, instanceId: INSTANCE_ID, ...data } as IDataObject, body: {} });

	test('a payload that is missing or not an object gives nulls, not a failure', () => {
		for (const payload of [undefined, null, 'text', [1, 2], 42]) {
			expect(simplify('message.any', payload)).toEqual({
				event: 'message.any',
				chat_id: null,
				phone: null,
				lid: null,
				from_me: false,
				is_group: false,
				text: null,
				message_id: null,
				timestamp: null,
				has_media: false,
				media_url: null,
				media_mimetype: null,
				media_filename: null,
				ack: null,
				reply_to: null,
				instance_id: INSTANCE_ID,
			});
		}
	});

	test('a device suffix in an ID (201063178738:12@s.whatsapp.net) is dropped', () => {
		expect(simplify('message.any', { from: '201063178738:12@s.whatsapp.net' })).toMatchObject({ chat_id: '201063178738@c.us', phone: '+201063178738' });
	});

	test('timestamps in seconds, milliseconds or digit strings; nonsense gives null', () => {
		expect(simplify('message.any', { timestamp: 1759066612 }).timestamp).toBe('2025-09-28T13:36:52.000Z');
		expect(simplify('message.any', { timestamp: 1759066612345 }).timestamp).toBe('2025-09-28T13:36:52.345Z');
		expect(simplify('message.any', { timestamp: '1759066612' }).timestamp).toBe('2025-09-28T13:36:52.000Z');
		for (const timestamp of ['yesterday', -5, 0, Number.NaN, {}, 1e20]) expect(simplify('message.any', { timestamp }).timestamp).toBeNull();
	});

	test('an ack without its name is named from its number', () => {
		expect(simplify('message.ack', { ack: 4 }).ack).toBe('PLAYED');
		expect(simplify('message.ack', { ack: -1 }).ack).toBe('ERROR');
		expect(simplify('message.ack', { ack: 99 }).ack).toBeNull();
	});

	test('replyTo as an object or a serialized ID', () => {
		expect(simplify('message.any', { replyTo: { id: 'false_1@c.us_Q', body: 'quoted' } }).reply_to).toBe('false_1@c.us_Q');
		expect(simplify('message.any', { replyTo: 'false_1@c.us_Q' }).reply_to).toBe('false_1@c.us_Q');
		expect(simplify('message.any', { id: { _serialized: 'false_1@c.us_S' } }).message_id).toBe('false_1@c.us_S');
	});

	test('a failed poll vote with no options and unknown ID kinds', () => {
		expect(simplify('poll.vote.failed', { vote: { from: 'status@broadcast', selectedOptions: [] }, poll: {} })).toMatchObject({
			chat_id: 'status@broadcast',
			phone: null,
			text: null,
		});
	});
});

describe('DeliveryDeduplicator: bounded in time and size', () => {
	test('a key is a repeat within the window and new again after it', () => {
		let now = 1_000;
		const dedupe = new DeliveryDeduplicator({ now: () => now }, 60_000, 100);
		expect(dedupe.firstSighting('a')).toBe(true);
		now += 59_999;
		expect(dedupe.firstSighting('a')).toBe(false);
		now += 1;
		expect(dedupe.firstSighting('a')).toBe(true);
	});

	test('never holds more than its maximum; the oldest is forgotten first', () => {
		const dedupe = new DeliveryDeduplicator({ now: () => 0 }, 60_000, 3);
		for (const key of ['a', 'b', 'c', 'd']) expect(dedupe.firstSighting(key)).toBe(true);
		expect(dedupe.size).toBe(3);
		expect(dedupe.firstSighting('d')).toBe(false);
		expect(dedupe.firstSighting('a')).toBe(true);
	});

	test('expired entries are dropped as time passes', () => {
		let now = 0;
		const dedupe = new DeliveryDeduplicator({ now: () => now }, 10, 1000);
		for (let i = 0; i < 50; i++) dedupe.firstSighting(`k${i}`);
		now = 11;
		dedupe.firstSighting('fresh');
		expect(dedupe.size).toBe(1);
	});
});

describe('Hypersender Trigger: hostile and odd deliveries', () => {
	test.each([
		['no instance ID', { instanceId: undefined }],
		['a number as instance ID', { instanceId: 42 }],
		['an object as instance ID', { instanceId: { id: INSTANCE_ID } }],
	])('a delivery with %s is not for this credential: 200, no execution', async (_name, envelope) => {
		const harness = await trigger();
		expect(await harness.deliver(delivery('message.any', TEXT_MESSAGE, envelope), AUTH)).toEqual(
			ignored("the delivery is for another instance than the trigger's credential, or names none"),
		);
		expect(await harness.executions()).toHaveLength(0);
	});

	test.each([
		['+52 55 1234 5678', '5215512345678@c.us'],
		['5215512345678@c.us', '525512345678@c.us'],
		['+54 11 1234 5678', '5491112345678@c.us'],
		['+54 9 11 1234 5678', '541112345678@c.us'],
	])("Only From %p matches a delivery from %p (WhatsApp's mobile 1 for Mexico, 9 for Argentina)", async (onlyFrom, from) => {
		const harness = await trigger({ options: { onlyFrom } });
		const payload = { ...TEXT_MESSAGE, from, _data: { key: { remoteJid: from, fromMe: false } } };
		expect(await harness.deliver(delivery('message.any', payload), AUTH)).toEqual(STARTED);
		expect(jsonOf((await harness.executions())[0].items)[0]).toMatchObject({ chat_id: from });
	});

	test.each([
		['+52 55 1234 5679', '5215512345678@c.us'],
		['+52 55 1234 5678', '5315512345678@c.us'],
		['+1 213 213 2130', '5412132132130@c.us'],
	])('Only From %p does not match %p', async (onlyFrom, from) => {
		const harness = await trigger({ options: { onlyFrom } });
		const payload = { ...TEXT_MESSAGE, from, _data: { key: { remoteJid: from, fromMe: false } } };
		expect(await harness.deliver(delivery('message.any', payload), AUTH)).toEqual(ignored("from a chat that is not in 'Only From'"));
		expect(await harness.executions()).toHaveLength(0);
	});

	/** A delivery whose body nests `depth` objects in all: the body is 1, data 2, the payload 3, then a chain of `q`; as text, since JSON.stringify has a depth limit of its own. */
	function nestedDelivery(depth: number): string {
		const links = depth - 3;
		return JSON.stringify(delivery('message.any', { ...TEXT_MESSAGE, _data: null, q: 'CHAIN' })).replace('"CHAIN"', `${'{"q":'.repeat(links - 1)}{}${'}'.repeat(links - 1)}`);
	}

	test('a body nested deeper than 100 levels: 400 before any execution, with Simplify off too', async () => {
		const harness = await trigger({ simplify: false });
		expect(await harness.deliver(nestedDelivery(5000), AUTH)).toEqual({
			status: 400,
			body: { message: expect.stringMatching(/^The body is nested more than 100 levels deep\. Expected a Hypersender webhook delivery/) },
		});
		expect(await harness.deliver(nestedDelivery(101), AUTH)).toEqual({ status: 400, body: expect.anything() });
		expect(await harness.deliver(nestedDelivery(100), AUTH)).toEqual(STARTED);
		expect(await harness.executions()).toHaveLength(1);
	});

	test('fromMe given as the text "true" counts as sent by this number', async () => {
		const harness = await trigger();
		expect(await harness.deliver(delivery('message.any', { ...TEXT_MESSAGE, fromMe: 'true' }), AUTH)).toEqual(
			ignored('sent by this number (Ignore Messages Sent by This Number is on)'),
		);
		expect(await harness.executions()).toHaveLength(0);
	});

	test('Simplify off: __proto__, constructor and prototype keys are dropped at every level', async () => {
		const harness = await trigger({ simplify: false });
		const body = `{"event":"message.any","__proto__":{"polluted":1},"data":{"id":"evt_proto","instanceId":"${INSTANCE_ID}","__proto__":{"fromMe":true},"payload":{"__proto__":{"body":"x"},"from":"201063178738@c.us","body":"hi","list":[{"constructor":{"prototype":{"polluted":2}},"ok":1}],"prototype":1}}}`;
		expect(await harness.deliver(body, AUTH)).toEqual(STARTED);
		const [json] = jsonOf((await harness.executions())[0].items);
		expect(json).toEqual({ event: 'message.any', data: { id: 'evt_proto', instanceId: INSTANCE_ID, payload: { from: '201063178738@c.us', body: 'hi', list: [{ ok: 1 }] } } });
		expect(JSON.stringify(json)).not.toMatch(/__proto__|constructor|prototype|polluted/);
	});

	test('a revoke that names the revoked message by its bare key: message_id is completed to <fromMe>_<chat>_<id>', async () => {
		const harness = await trigger({ events: ['message.revoked'] });
		const payload = { revokedMessageId: 'ABCD1234EF567890', before: { ...TEXT_MESSAGE, id: undefined, body: 'oops' } };
		expect(await harness.deliver(delivery('message.revoked', payload), AUTH)).toEqual(STARTED);
		expect(jsonOf((await harness.executions())[0].items)[0]).toMatchObject({ message_id: 'false_201063178738@c.us_ABCD1234EF567890', text: 'oops' });
	});
});

describe('Hypersender Trigger: the credential remembered for a few seconds (n8n decrypts it with an isolate of its own per read)', () => {
	/** The trigger's credentials, counting how often n8n decrypted them (each decryption reads the secret once). */
	function countedCredentials(overrides: Record<string, string> = {}) {
		const data: Record<string, string> = { ...CREDENTIALS, ...overrides };
		const reads = { count: 0 };
		const credentials = new Proxy(data, {
			get(target, property, receiver) {
				if (property === 'webhookSecret') reads.count++;
				return Reflect.get(target, property, receiver) as unknown;
			},
		});
		return { data, credentials, reads };
	}

	/** Moves Date.now on by `ms` for the rest of the test, as time passing between deliveries. */
	function laterBy(ms: number) {
		const realNow = Date.now.bind(Date);
		jest.spyOn(Date, 'now').mockImplementation(() => realNow() + ms);
	}
	afterEach(() => jest.restoreAllMocks());

	test('a burst of deliveries reads the credential once, and each still starts its execution', async () => {
		const { credentials, reads } = countedCredentials();
		const harness = await trigger({}, { credentials });
		for (let i = 0; i < 5; i++) {
			expect(await harness.deliver(delivery('message.any', { ...TEXT_MESSAGE, id: `false_201063178738@c.us_BURST${i}` }), AUTH)).toEqual(STARTED);
		}
		expect(await harness.executions()).toHaveLength(5);
		expect(reads.count).toBe(1);
	});

	test('a changed secret works at once; the old one is refused once the memory ends; a wrong one never gets in', async () => {
		const { data, credentials } = countedCredentials();
		const harness = await trigger({}, { credentials });
		expect(await harness.deliver(delivery('message.any', { ...TEXT_MESSAGE, id: 'false_201063178738@c.us_OLD1' }), AUTH)).toEqual(STARTED);
		expect(await harness.deliver(delivery('message.any', TEXT_MESSAGE), { authorization: 'hs-webhook-wrong-but-long-enough' })).toEqual(UNAUTHORIZED);

		const rotated = 'hs-webhook-rotated-0123456789';
		data.webhookSecret = rotated;
		expect(await harness.deliver(delivery('message.any', { ...TEXT_MESSAGE, id: 'false_201063178738@c.us_NEW1' }), { authorization: rotated })).toEqual(STARTED);
		laterBy(ACCOUNT_MEMORY_MS + 1);
		expect(await harness.deliver(delivery('message.any', { ...TEXT_MESSAGE, id: 'false_201063178738@c.us_OLD2' }), AUTH)).toEqual(UNAUTHORIZED);
		expect(await harness.executions()).toHaveLength(2);
	});

	test('the old secret works at most the memory time after a change, not longer', async () => {
		const { data, credentials } = countedCredentials();
		const harness = await trigger({}, { credentials });
		expect(await harness.deliver(delivery('message.any', { ...TEXT_MESSAGE, id: 'false_201063178738@c.us_M1' }), AUTH)).toEqual(STARTED);
		data.webhookSecret = 'hs-webhook-rotated-0123456789';
		// Within the memory the remembered secret still lets the old one in (the cost of reading once).
		expect(await harness.deliver(delivery('message.any', { ...TEXT_MESSAGE, id: 'false_201063178738@c.us_M2' }), AUTH)).toEqual(STARTED);
		laterBy(ACCOUNT_MEMORY_MS);
		expect(await harness.deliver(delivery('message.any', { ...TEXT_MESSAGE, id: 'false_201063178738@c.us_M3' }), AUTH)).toEqual(UNAUTHORIZED);
	});

	test('a changed Instance ID works at once: a delivery for the new instance is not answered 200 and lost on the remembered one', async () => {
		const { data, credentials } = countedCredentials();
		const harness = await trigger({}, { credentials });
		expect(await harness.deliver(delivery('message.any', { ...TEXT_MESSAGE, id: 'false_201063178738@c.us_I1' }), AUTH)).toEqual(STARTED);
		const movedTo = '0f0e0d0c-0b0a-4988-8766-554433221100';
		data.instanceId = movedTo;
		expect(await harness.deliver(delivery('message.any', { ...TEXT_MESSAGE, id: 'false_201063178738@c.us_I2' }, { instanceId: movedTo }), AUTH)).toEqual(STARTED);
		const executions = await harness.executions();
		expect(executions.map((execution) => execution.items[0].json.instance_id)).toEqual([INSTANCE_ID, movedTo]);
	});

	test('a credential with a problem is not remembered: its fix works at the next delivery', async () => {
		const { data, credentials, reads } = countedCredentials({ webhookSecret: '' });
		const harness = await trigger({}, { credentials });
		expect(await harness.deliver(delivery('message.any', TEXT_MESSAGE), AUTH)).toEqual(UNAUTHORIZED);
		data.webhookSecret = SECRET;
		expect(await harness.deliver(delivery('message.any', TEXT_MESSAGE), AUTH)).toEqual(STARTED);
		expect(reads.count).toBe(2);
	});

	test('two triggers on two credentials keep apart: one credential remembered does not let the other one\'s deliveries in', async () => {
		const first = await trigger();
		const second = await trigger({}, { credentials: { ...CREDENTIALS, webhookSecret: 'hs-webhook-second-0123456789' } });
		expect(await first.deliver(delivery('message.any', TEXT_MESSAGE), AUTH)).toEqual(STARTED);
		expect(await second.deliver(delivery('message.any', TEXT_MESSAGE), AUTH)).toEqual(UNAUTHORIZED);
	});
});
