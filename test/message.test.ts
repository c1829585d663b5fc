/**
 * The Message and Queued Request resources, run through n8n's WorkflowExecute against the fake
 * Hypersender: what each operation sends, what comes out after waiting for the result, bad input
 * stopped before any request, and the never-send-twice rule. Polling sleeps on a virtual clock.
 */
import { getSchema } from 'n8n-core/dist/execution-engine/node-execution-context/utils/create-node-as-tool';
import { NodeHelpers } from 'n8n-workflow';
import type { IBinaryKeyData, IDataObject, INode } from 'n8n-workflow';

import { Hypersender } from '../nodes/Hypersender/Hypersender.node';
import { credentialsFor, errorOf, INSTANCE_ID, TOKEN, useFakeHypersender } from './fixtures';
import { runHypersender } from './helpers/runWorkflow';
import { virtualPacingClock } from './helpers/virtualPacingClock';

jest.mock('../nodes/Hypersender/transport/clock', () => ({
	...jest.requireActual('../nodes/Hypersender/transport/clock'),
	systemClock: jest.requireActual('./helpers/virtualPacingClock').virtualPacingClock,
}));

const fake = useFakeHypersender();
const API = `/api/whatsapp/v2/${INSTANCE_ID}`;

beforeEach(() => {
	virtualPacingClock.reset();
});

async function run(parameters: IDataObject, items: IDataObject[] = [{}], binary?: Array<IBinaryKeyData | null>, continueOnFail = true) {
	const result = await runHypersender({
		items,
		binary,
		parameters: { resource: 'message', ...parameters },
		credentials: credentialsFor(fake),
		continueOnFail,
	});
	if (continueOnFail) {
		expect(result.error).toBeUndefined();
		expect(result.output).toHaveLength(items.length);
	}
	return result;
}

async function runOne(parameters: IDataObject, binary?: IBinaryKeyData) {
	const { output } = await run(parameters, [{}], binary ? [binary] : undefined);
	return output![0];
}

const sendText = (options: IDataObject = {}, extra: IDataObject = {}): IDataObject => ({
	operation: 'sendText',
	chatId: '+1 (213) 213-2130',
	text: 'Hello Maria',
	options,
	...extra,
});

const pathsRequested = () => fake.requests.map((request) => `${request.method} ${request.path.slice(API.length)}`);

describe('Send Text and the outcome of a send', () => {
	test('sends with human-like sending by default, waits, and outputs the sent message', async () => {
		fake.pollsWhileProcessing = 2;
		const item = await runOne(sendText());

		expect(item.error).toBeUndefined();
		expect(fake.requests[0].body).toEqual({ chatId: '12132132130@c.us', text: 'Hello Maria', link_preview: true });
		expect(pathsRequested()).toEqual([
			'POST /send-text-safe',
			...Array(3).fill(`GET /queued-requests/${fake.messages[0].uuid}`),
		]);
		expect(virtualPacingClock.sleepsSinceReset()).toEqual([1000, 2000, 4000]);
		expect(item.json).toEqual({
			status: 'sent',
			message_id: 'true_12132132130@c.us_3EB0000000000000000001',
			timestamp: '2025-12-04T14:51:46.000Z',
			chat_id: '12132132130@c.us',
			queued_request_uuid: fake.messages[0].uuid,
			queued_request_link: `${fake.url}${API}/queued-requests/${fake.messages[0].uuid}`,
			response_status: 201,
		});
		expect(item.pairedItem).toEqual({ item: 0 });
	});

	test('Human-like Sending off uses send-text; Reply To and Link Preview reach the API', async () => {
		await runOne(sendText({ replyTo: 'false_12132132130@c.us_ABCD1234EF567890', linkPreview: false }, { humanLike: false }));
		expect(fake.requests[0].path).toBe(`${API}/send-text`);
		expect(fake.requests[0].body).toEqual({ chatId: '12132132130@c.us', text: 'Hello Maria', link_preview: false, reply_to: 'false_12132132130@c.us_ABCD1234EF567890' });
	});

	test('the text is sent exactly as typed, in any script, with its line breaks', async () => {
		const text = '  Привет, Мария! 🚀\n*Bold* _italic_\n';
		await runOne(sendText({}, { text }));
		expect(fake.requests[0].body?.text).toBe(text);
	});

	test.each([
		['120363040000000000@g.us', '120363040000000000@g.us'],
		['12132132130@s.whatsapp.net', '12132132130@c.us'],
		['1234567890@lid', '1234567890@lid'],
		['0151 23456789', '4915123456789@c.us'],
	])('recipient %p is sent as %p (groups are valid recipients; the Country option applies)', async (chatId, sent) => {
		const item = await runOne(sendText({ defaultCountryCode: 'DE', waitForResult: false }, { chatId }));
		expect(item.json.chat_id).toBe(sent);
		expect(fake.requests[0].body?.chatId).toBe(sent);
	});

	test('without Wait for Result: status queued, the UUID and the link, one request', async () => {
		const item = await runOne(sendText({ waitForResult: false }));
		expect(item.json).toEqual({
			status: 'queued',
			chat_id: '12132132130@c.us',
			queued_request_uuid: fake.messages[0].uuid,
			queued_request_link: `${fake.url}${API}/queued-requests/${fake.messages[0].uuid}`,
		});
		expect(fake.requests).toHaveLength(1);
	});

	test('still processing at Max Wait: a normal item with status pending and the UUID; polls back off to 15 s', async () => {
		fake.pollsWhileProcessing = 1000;
		const item = await runOne(sendText({ maxWaitSeconds: 60 }));
		expect(item.error).toBeUndefined();
		expect(item.json).toMatchObject({ status: 'pending', message_id: null, queued_request_uuid: fake.messages[0].uuid, poll_error: null });
		// A poll is sent only while Max Wait has time left for its answer: none at second 60.
		expect(virtualPacingClock.sleepsSinceReset()).toEqual([1000, 2000, 4000, 8000, 15000, 15000]);
		expect(fake.requests).toHaveLength(1 + 6);
	});

	const json = (status: number, body: unknown, headers: IDataObject = {}) => ({ status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
	const processing = (status: unknown) => json(200, { uuid: 'x', request: {}, response_status: status, response_body: null });
	// Max Wait 10 polls at seconds 1, 3 and 7. A failure the next poll may get past is polled again (3 polls);
	// one it cannot (a wrong token, an unknown UUID, an answer that is not the API's) ends the wait at once.
	test.each([
		['a 5xx', json(503, { message: 'Service Unavailable' }), 3, 'HTTP 503'],
		['a dropped connection', { drop: true }, 3, 'The connection to Hypersender failed'],
		['a 429 without Retry-After', json(429, { message: 'Too Many Attempts.' }), 3, 'rate limit'],
		['a 429 with a Retry-After beyond Max Wait', json(429, { message: 'Too Many Attempts.' }, { 'Retry-After': '99999' }), 1, 'rate limit'],
		['a 401', json(401, { message: 'Unauthenticated.' }), 1, 'rejected the API token (401)'],
		['a 404 for the UUID', json(404, { message: 'Queued request not found.' }), 1, 'No queued request'],
		['an HTML page', { status: 200, headers: { 'Content-Type': 'text/html' }, body: '<html>login</html>' }, 1, 'not JSON'],
		['response_status 999', processing(999), 1, 'response_status is 999'],
		['response_status -1', processing(-1), 1, 'response_status is -1'],
		['response_status ""', processing(''), 1, 'response_status is ""'],
		['response_status true', processing(true), 1, 'response_status is true'],
		['response_status [201]', processing([201]), 1, 'response_status is [201]'],
		['response_status {}', processing({}), 1, 'response_status is {}'],
		['response_status 302', processing(302), 1, 'response_status is 302'],
	])('a poll failure after the send was accepted (%s) is a pending item with poll_error, never a failed send', async (_kind, answer, polls, reason) => {
		fake.answerNextPollsWith(...Array(10).fill(answer));
		const item = await runOne(sendText({ maxWaitSeconds: 10 }));
		expect(item.error).toBeUndefined();
		expect(item.json).toMatchObject({ status: 'pending', message_id: null, chat_id: '12132132130@c.us', queued_request_uuid: fake.messages[0].uuid });
		expect(item.json.poll_error).toMatch(/^The result could not be read: /);
		expect(item.json.poll_error).toContain(reason);
		expect(item.json.poll_error).toMatch(/The message was queued; read its outcome later with Queued Request > Get\.$/);
		expect(pathsRequested()).toEqual(['POST /send-text-safe', ...Array(polls).fill(`GET /queued-requests/${fake.messages[0].uuid}`)]);
		expect(fake.messages).toHaveLength(1);
	});

	test('a failed poll is retried by the next poll: a 5xx, then the outcome, is sent with no poll_error', async () => {
		fake.answerNextPollsWith(json(500, { message: 'Server Error' }));
		const item = await runOne(sendText());
		expect(item.json).toMatchObject({ status: 'sent', message_id: 'true_12132132130@c.us_3EB0000000000000000001' });
		expect(item.json.poll_error).toBeUndefined();
		expect(virtualPacingClock.sleepsSinceReset()).toEqual([1000, 2000]);
	});

	test('Max Wait bounds each poll: a poll that hangs times out when Max Wait ends, not after Request Options > Timeout, and is not retried', async () => {
		fake.answerNextPollsWith({ hang: true }, { hang: true });
		// Max Wait 2: the one poll, at second 1, has 1 s left (the request time-out is 300 s, Max Retries 5).
		const item = await runOne(sendText({ maxWaitSeconds: 2, maxRetries: 5 }));
		expect(item.json).toMatchObject({ status: 'pending', queued_request_uuid: fake.messages[0].uuid });
		// The node's whole-answer deadline or n8n's own time-out for the headers, whichever ends first.
		expect(item.json.poll_error).toMatch(/did not answer (completely )?within 1 s/);
		expect(pathsRequested()).toEqual(['POST /send-text-safe', `GET /queued-requests/${fake.messages[0].uuid}`]);
	});

	test('Max Wait 0 polls never: pending at once', async () => {
		fake.pollsWhileProcessing = 1000;
		const item = await runOne(sendText({ maxWaitSeconds: 0 }));
		expect(item.json.status).toBe('pending');
		expect(fake.requests).toHaveLength(1);
	});

	test('"not on WhatsApp" is an item error that says so, with the UUID', async () => {
		fake.notOnWhatsApp.add('12132132130@c.us');
		const error = errorOf(await runOne(sendText()));
		expect(error.message).toBe('The message was not sent: the recipient is not on WhatsApp (404)');
		expect(error.description).toContain(`Queued request ${fake.messages[0].uuid}, chat 12132132130@c.us.`);
		expect(error.httpCode).toBe('404');
	});

	test('422 after queueing: the validation message', async () => {
		fake.outcomeNext(1, { status: 422, body: { message: 'The given data was invalid.', errors: { chatId: ['The chat id is not a valid WhatsApp ID.'] } } });
		const error = errorOf(await runOne(sendText()));
		expect(error.message).toBe('The message was not sent: Hypersender rejected it: chatId: The chat id is not a valid WhatsApp ID. (422)');
	});

	test("500 after queueing: Hypersender's own failure", async () => {
		fake.outcomeNext(1, { status: 500, body: { message: 'WhatsApp session is not connected' } });
		const error = errorOf(await runOne(sendText()));
		expect(error.message).toBe('The message was not sent: Hypersender failed to send it: "WhatsApp session is not connected" (500)');
		expect(error.description).toContain("Hypersender's side");
	});

	test('without On Error: Continue a failed send stops the workflow with that reason', async () => {
		fake.notOnWhatsApp.add('12132132130@c.us');
		const { output, error } = await run(sendText(), [{}], undefined, false);
		expect(output).toBeUndefined();
		expect(error?.message).toBe('The message was not sent: the recipient is not on WhatsApp (404)');
	});

	test('many items: each gets its own outcome, paired with its input', async () => {
		fake.notOnWhatsApp.add('12132132131@c.us');
		const rows = [{ phone: '12132132130' }, { phone: '12132132131' }, { phone: 'bad' }, { phone: '12132132132' }];
		const { output } = await run(sendText({}, { chatId: '={{ $json.phone }}' }), rows);
		expect(output!.map((item) => item.json.status ?? errorOf(item).message)).toEqual([
			'sent',
			'The message was not sent: the recipient is not on WhatsApp (404)',
			expect.stringContaining(`Invalid 'Chat ID or Phone' in item 2: "bad" contains letters`),
			'sent',
		]);
		expect(output!.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3].map((item) => ({ item })));
		expect(fake.messages).toHaveLength(3);
	});
});

describe('A message is never sent twice', () => {
	test('accepted, then the connection drops: one message, and an error saying it may have been sent', async () => {
		fake.acceptThenDropNext(1);
		const error = errorOf(await runOne(sendText({ maxRetries: 5 })));
		expect(fake.messagesTo('12132132130@c.us')).toHaveLength(1);
		expect(pathsRequested()).toEqual(['POST /send-text-safe']);
		expect(error.message).toMatch(/^The connection to Hypersender failed \(E[A-Z_]+\); the message may have been sent$/);
		expect(error.description).toContain('did not send it again');
		expect(error.description).toContain('Look in the WhatsApp chat');
	});

	test('an upsert in the same situation is retried (it is idempotent): the difference is the flag', async () => {
		fake.dropNextConnections(1);
		const { output } = await runHypersender({
			items: [{}],
			parameters: { resource: 'contact', operation: 'upsert', chatId: '12132132130', firstName: 'Maria' },
			credentials: credentialsFor(fake),
		});
		expect(output![0].error).toBeUndefined();
		expect(fake.requests).toHaveLength(2);
	});

	test('a 5xx on the send is not retried: it may have been queued', async () => {
		fake.failNext(3, 503);
		const error = errorOf(await runOne(sendText({ maxRetries: 5 })));
		expect(error.message).toBe('Hypersender failed on its side (HTTP 503); the message may have been sent');
		expect(pathsRequested()).toEqual(['POST /send-text-safe']);
	});

	test('a 429 is retried: Hypersender refused it before taking it', async () => {
		fake.failNext(2, 429, { retryAfter: 0 });
		const item = await runOne(sendText({ maxRetries: 5, waitForResult: false }));
		expect(item.error).toBeUndefined();
		expect(pathsRequested()).toEqual(Array(3).fill('POST /send-text-safe'));
		expect(fake.messages).toHaveLength(1);
	});

	test('reading a queued request is idempotent: a dropped read is retried, the send is not repeated', async () => {
		const queued = await runOne(sendText({ waitForResult: false }));
		fake.dropNextConnections(1);
		const { output } = await runHypersender({
			items: [{}],
			parameters: { resource: 'queuedRequest', operation: 'get', queuedRequestUuid: queued.json.queued_request_uuid },
			credentials: credentialsFor(fake),
		});
		expect(output![0].json.status).toBe('sent');
		expect(pathsRequested()).toEqual(['POST /send-text-safe', ...Array(2).fill(`GET /queued-requests/${fake.messages[0].uuid}`)]);
		expect(fake.messages).toHaveLength(1);
	});
});

describe('Send Media', () => {
	const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
	const binaryFile = (data: Buffer, extra: IDataObject = {}): IBinaryKeyData => ({
		data: { data: data.toString('base64'), mimeType: 'image/png', fileName: 'photo.png', fileExtension: 'png', ...extra } as never,
	});

	test('an image from a URL, with caption and file name', async () => {
		await runOne({ operation: 'sendMedia', chatId: '12132132130', mediaType: 'image', source: 'url', mediaUrl: 'https://example.com/a.jpg', caption: 'Look', options: { fileName: 'a.jpg', waitForResult: false } });
		expect(pathsRequested()).toEqual(['POST /send-image']);
		expect(fake.requests[0].body).toEqual({ chatId: '12132132130@c.us', url: 'https://example.com/a.jpg', caption: 'Look', filename: 'a.jpg' });
	});

	test('a video as a video note; a voice note carries no caption', async () => {
		await runOne({ operation: 'sendMedia', chatId: '12132132130', mediaType: 'video', source: 'url', mediaUrl: 'https://example.com/v.mp4', asNote: true, options: { waitForResult: false } });
		await runOne({ operation: 'sendMedia', chatId: '12132132130', mediaType: 'voice', source: 'url', mediaUrl: 'http://example.com/v.ogg', caption: 'ignored', options: { waitForResult: false } });
		expect(pathsRequested()).toEqual(['POST /send-video', 'POST /send-voice']);
		expect(fake.requests[0].body).toEqual({ chatId: '12132132130@c.us', url: 'https://example.com/v.mp4', asNote: true });
		expect(fake.requests[1].body).toEqual({ chatId: '12132132130@c.us', url: 'http://example.com/v.ogg' });
	});

	test('a binary property is uploaded as multipart; the bytes that arrive are the bytes of the file', async () => {
		const bytes = Buffer.concat([PNG, Buffer.from([0, 255, 13, 10, 45, 45, 0])]);
		const item = await runOne({ operation: 'sendMedia', chatId: '12132132130', mediaType: 'image', source: 'binary', binaryPropertyName: 'data', caption: 'Täglich 🚀' }, binaryFile(bytes));
		expect(item.json.status).toBe('sent');
		expect(fake.uploads).toHaveLength(1);
		expect(fake.uploads[0]).toMatchObject({ endpoint: 'send-image', field: 'file', filename: 'photo.png', contentType: 'image/png' });
		expect(fake.uploads[0].bytes.equals(bytes)).toBe(true);
		expect(fake.requests[0].body).toEqual({ chatId: '12132132130@c.us', caption: 'Täglich 🚀', filename: 'photo.png', mimetype: 'image/png' });
	});

	test('File Name and MIME Type options override the binary data; a video note from binary sends asNote as 1', async () => {
		await runOne({ operation: 'sendMedia', chatId: '12132132130', mediaType: 'document', source: 'binary', binaryPropertyName: 'data', options: { fileName: 'Rechnung "März".pdf', mimeType: 'application/pdf', waitForResult: false } }, binaryFile(PNG));
		expect(fake.uploads[0]).toMatchObject({ endpoint: 'send-file', filename: 'Rechnung %22März%22.pdf', contentType: 'application/pdf' });
		await runOne({ operation: 'sendMedia', chatId: '12132132130', mediaType: 'video', source: 'binary', binaryPropertyName: 'data', asNote: true, options: { waitForResult: false } }, binaryFile(PNG, { mimeType: 'video/mp4', fileName: 'clip.mp4' }));
		expect(fake.requests[1].body).toEqual({ chatId: '12132132130@c.us', asNote: '1' });
		expect(fake.uploads[1]).toMatchObject({ endpoint: 'send-video', filename: 'clip.mp4', contentType: 'video/mp4' });
	});

	test('the upload is not resent after a dropped connection either', async () => {
		fake.acceptThenDropNext(1);
		const item = await runOne({ operation: 'sendMedia', chatId: '12132132130', mediaType: 'image', source: 'binary', binaryPropertyName: 'data' }, binaryFile(PNG));
		expect(errorOf(item).message).toContain('the message may have been sent');
		expect(fake.uploads).toHaveLength(1);
	});
});

describe('Other operations send what the contract names', () => {
	test.each<[string, IDataObject, string, IDataObject | undefined, IDataObject]>([
		['Send Location', { operation: 'sendLocation', chatId: '12132132130', latitude: 52.52, longitude: -13.405, title: 'Shop' }, 'POST /send-location', { chatId: '12132132130@c.us', latitude: 52.52, longitude: -13.405, title: 'Shop' }, {}],
		[
			'Send Poll',
			{ operation: 'sendPoll', chatId: '12132132130', pollQuestion: 'When?', pollOptions: ['Monday', ' Tuesday ', ''], multipleAnswers: true },
			'POST /send-poll',
			{ chatId: '12132132130@c.us', poll: { name: 'When?', options: ['Monday', 'Tuesday'], multipleAnswers: true } },
			{},
		],
		[
			'Send Poll with options from an expression',
			{ operation: 'sendPoll', chatId: '12132132130', pollQuestion: 'When?', pollOptions: '={{ ["A", "B", "C"] }}' },
			'POST /send-poll',
			{ chatId: '12132132130@c.us', poll: { name: 'When?', options: ['A', 'B', 'C'], multipleAnswers: false } },
			{},
		],
		[
			'Send Contact Card from fields',
			{ operation: 'sendContactCard', chatId: '12132132130', cardFullName: ' Maria Doe ', cardPhone: '+44 20 7946 0958', cardOrganization: 'ACME' },
			'POST /send-contact-card',
			{ chatId: '12132132130@c.us', contacts: [{ fullName: 'Maria Doe', organization: 'ACME', phoneNumber: '+442079460958', whatsappId: '442079460958' }] },
			{},
		],
		[
			'Send Contact Card from a vCard',
			{ operation: 'sendContactCard', chatId: '12132132130', cardSource: 'vcard', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Maria\nEND:VCARD\n' },
			'POST /send-contact-card',
			{ chatId: '12132132130@c.us', contacts: [{ vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Maria\nEND:VCARD' }] },
			{},
		],
		['React', { operation: 'react', messageId: 'false_12132132130@c.us_ABCD1234EF567890', reaction: '👍🏽' }, 'PUT /react-to-message', { messageId: 'false_12132132130@c.us_ABCD1234EF567890', reaction: '👍🏽' }, { chat_id: '12132132130@c.us' }],
		['React with a flag', { operation: 'react', messageId: 'false_12132132130@c.us_ABCD1234EF567890', reaction: '🇩🇪' }, 'PUT /react-to-message', { messageId: 'false_12132132130@c.us_ABCD1234EF567890', reaction: '🇩🇪' }, {}],
		['React with a family (one grapheme)', { operation: 'react', messageId: 'false_12132132130@c.us_ABCD1234EF567890', reaction: '👨‍👩‍👧' }, 'PUT /react-to-message', { messageId: 'false_12132132130@c.us_ABCD1234EF567890', reaction: '👨‍👩‍👧' }, {}],
		['React with nothing removes the reaction', { operation: 'react', messageId: 'false_12132132130@c.us_ABCD1234EF567890', reaction: '' }, 'PUT /react-to-message', { messageId: 'false_12132132130@c.us_ABCD1234EF567890', reaction: '' }, {}],
		[
			'Mark as Seen in a group',
			{ operation: 'markSeen', chatId: '120363040000000000@g.us', messageId: 'false_120363040000000000@g.us_ABCD1234EF567890_12132132130@c.us', options: { participant: '+1 213 213 2130' } },
			'POST /send-seen',
			{ chatId: '120363040000000000@g.us', messageId: 'false_120363040000000000@g.us_ABCD1234EF567890_12132132130@c.us', participant: '12132132130@c.us' },
			{ status: 'done' },
		],
		['Start Typing', { operation: 'startTyping', chatId: '12132132130' }, 'POST /start-typing', { chatId: '12132132130@c.us' }, { status: 'done' }],
		['Stop Typing', { operation: 'stopTyping', chatId: '12132132130' }, 'POST /stop-typing', { chatId: '12132132130@c.us' }, { status: 'done' }],
		['Forward', { operation: 'forward', chatId: '4915123456789', messageId: 'true_12132132130@c.us_3EB08F6AD2A432386EFA0E' }, 'POST /forward-message', { chatId: '4915123456789@c.us', messageId: 'true_12132132130@c.us_3EB08F6AD2A432386EFA0E' }, { status: 'sent' }],
		['Delete', { operation: 'delete', chatId: '12132132130', messageId: 'true_12132132130@c.us_3EB08F6AD2A432386EFA0E' }, 'DELETE /delete-message', undefined, { status: 'done' }],
	])('%s', async (_name, parameters, route, body, output) => {
		const item = await runOne(parameters);
		expect(item.error).toBeUndefined();
		expect(pathsRequested()[0]).toBe(route);
		if (body) expect(fake.requests[0].body).toEqual(body);
		else expect(fake.requests[0].query).toEqual({ chatId: '12132132130@c.us', messageId: 'true_12132132130@c.us_3EB08F6AD2A432386EFA0E' });
		expect(item.json).toMatchObject({ status: expect.stringMatching(/^(sent|done)$/), ...output });
		expect(fake.messages).toHaveLength(1);
	});

	test('reactions, read receipts, typing and deletes are retried after a dropped connection (sending them twice does no harm)', async () => {
		fake.acceptThenDropNext(1);
		const item = await runOne({ operation: 'startTyping', chatId: '12132132130', options: { waitForResult: false } });
		expect(item.error).toBeUndefined();
		expect(fake.requests).toHaveLength(2);
	});
});

describe('Bad input fails the item before any request, naming item, field, value and fix', () => {
	const PHOTO: IBinaryKeyData = { photo: { data: Buffer.from('x').toString('base64'), mimeType: 'image/png', fileName: 'p.png' } as never };
	test.each<[string, IDataObject, string, string, IBinaryKeyData?]>([
		['empty text (n8n itself refuses a literal empty required field; an expression can still give one)', sendText({}, { text: '={{ $json.missing }}' }), `Invalid 'Text' in item 0: "" is empty`, "Set 'Text'"],
		['text of spaces only', sendText({}, { text: ' \n\u200b ' }), `Invalid 'Text' in item 0: " \n\u200b " shows nothing (only spaces or invisible characters)`, "Set 'Text'"],
		['text as an object', sendText({}, { text: '={{ { a: 1 } }}' }), `Invalid 'Text' in item 0: {"a":1} is not text`, 'Map a field that holds text'],
		['a bad recipient', sendText({}, { chatId: 'call me' }), `Invalid 'Chat ID or Phone' in item 0: "call me" contains letters`, 'or a group ID such as 120363040000000000@g.us'],
		['an unknown Country', sendText({ defaultCountryCode: 'Atlantis' }, { chatId: '0151 23456789' }), `Invalid 'Country' in item 0: Country "Atlantis" is not a country code or name this node knows`, 'Nothing was sent'],
		['a malformed Reply To', sendText({ replyTo: '3EB08F6AD2A432386EFA0E' }), `Invalid 'Reply To' in item 0: "3EB08F6AD2A432386EFA0E" is not a WhatsApp message ID`, 'true_12132132130@c.us_3EB08F6AD2A432386EFA0E'],
		['Wait for Result that is not true/false', sendText({ waitForResult: '={{ "maybe" }}' }), `'Wait for Result' in item 0 is "maybe", not true or false`, "Set 'Wait for Result' to true or false"],
		['a negative Max Wait', sendText({ maxWaitSeconds: -1 }), `'Max Wait (Seconds)' in item 0 is -1, not a whole number from 0 to 3600`, 'Nothing was sent'],
		['a media URL that is not http(s)', { operation: 'sendMedia', chatId: '12132132130', source: 'url', mediaUrl: 'ftp://example.com/a.jpg' }, `Invalid 'Media URL' in item 0: "ftp://example.com/a.jpg" is not an http(s) URL`, 'public http:// or https://'],
		['a media URL that is a path', { operation: 'sendMedia', chatId: '12132132130', source: 'url', mediaUrl: '/tmp/a.jpg' }, `Invalid 'Media URL' in item 0: "/tmp/a.jpg" is not an http(s) URL`, "'Binary File'"],
		['an empty media URL', { operation: 'sendMedia', chatId: '12132132130', source: 'url', mediaUrl: '={{ "" }}' }, `Invalid 'Media URL' in item 0: "" is empty`, 'public http'],
		[
			'a binary property that does not exist',
			{ operation: 'sendMedia', chatId: '12132132130', source: 'binary', binaryPropertyName: 'data' },
			`Invalid 'Input Binary Field' in item 0: "data" is not a binary property of this item; it has "photo"`,
			"Set 'Input Binary Field' to one of them.",
			PHOTO,
		],
		['no binary data at all', { operation: 'sendMedia', chatId: '12132132130', source: 'binary', binaryPropertyName: 'data' }, `Invalid 'Input Binary Field' in item 0: "data" is not there: this item has no binary data`, 'Read/Write Files from Disk'],
		['a poll with one option', { operation: 'sendPoll', chatId: '12132132130', pollQuestion: 'Q?', pollOptions: ['Only', '  '] }, `Invalid 'Options' in item 0: ["Only","  "] has 1 answer; a poll needs at least 2`, 'at least 2 different answers'],
		['a poll with no options', { operation: 'sendPoll', chatId: '12132132130', pollQuestion: 'Q?', pollOptions: [] }, `Invalid 'Options' in item 0: [] has 0 answers; a poll needs at least 2`, 'at least 2'],
		['a poll with the same option twice', { operation: 'sendPoll', chatId: '12132132130', pollQuestion: 'Q?', pollOptions: ['Yes', 'Yes '] }, `Invalid 'Options' in item 0: ["Yes","Yes "] has the same answer twice`, 'different answers'],
		['a poll without question', { operation: 'sendPoll', chatId: '12132132130', pollQuestion: '={{ "" }}', pollOptions: ['A', 'B'] }, `Invalid 'Question' in item 0: "" is empty`, "Set 'Question'"],
		['latitude out of range', { operation: 'sendLocation', chatId: '12132132130', latitude: 91, longitude: 0, title: 'X' }, `Invalid 'Latitude' in item 0: 91 is not a number from -90 to 90`, 'decimal degrees'],
		['longitude out of range', { operation: 'sendLocation', chatId: '12132132130', latitude: 0, longitude: -180.5, title: 'X' }, `Invalid 'Longitude' in item 0: -180.5 is not a number from -180 to 180`, 'decimal degrees'],
		['latitude as text', { operation: 'sendLocation', chatId: '12132132130', latitude: '={{ "north" }}', longitude: 0, title: 'X' }, `Invalid 'Latitude' in item 0: "north" is not a number from -90 to 90`, 'decimal degrees'],
		['a location without title', { operation: 'sendLocation', chatId: '12132132130', latitude: 1, longitude: 1, title: '={{ "" }}' }, `Invalid 'Title' in item 0: "" is empty`, "Set 'Title'"],
		['a reaction of two emoji', { operation: 'react', messageId: 'false_12132132130@c.us_ABCD1234EF567890', reaction: '👍👍' }, `Invalid 'Reaction' in item 0: "👍👍" is 2 characters, not one emoji`, 'exactly one emoji'],
		['a reaction that is a word', { operation: 'react', messageId: 'false_12132132130@c.us_ABCD1234EF567890', reaction: 'ok' }, `Invalid 'Reaction' in item 0: "ok" is 2 characters, not one emoji`, 'leave it empty to remove'],
		['a reaction that is a letter', { operation: 'react', messageId: 'false_12132132130@c.us_ABCD1234EF567890', reaction: 'a' }, `Invalid 'Reaction' in item 0: "a" is not an emoji`, 'exactly one emoji'],
		['a malformed message ID', { operation: 'react', messageId: '3EB08F6AD2A432386EFA0E', reaction: '👍' }, `Invalid 'Message ID' in item 0: "3EB08F6AD2A432386EFA0E" is not a WhatsApp message ID`, 'message_id of a message this node sent'],
		['a message ID with a bad chat', { operation: 'forward', chatId: '12132132130', messageId: 'true_maria@example.com_3EB08F6AD2A432386EFA0E' }, `Invalid 'Message ID' in item 0: "true_maria@example.com_3EB08F6AD2A432386EFA0E" is not a WhatsApp message ID`, 'e.g. true_'],
		['a delete without message ID', { operation: 'delete', chatId: '12132132130', messageId: '={{ "" }}' }, `Invalid 'Message ID' in item 0: "" is not a WhatsApp message ID`, 'e.g. true_'],
		['a vCard that is not one', { operation: 'sendContactCard', chatId: '12132132130', cardSource: 'vcard', vcard: 'Maria, +1 213' }, `Invalid 'vCard' in item 0: "Maria, +1 213" is not a vCard`, 'BEGIN:VCARD to END:VCARD'],
		['a contact card with a hidden ID', { operation: 'sendContactCard', chatId: '12132132130', cardFullName: 'M', cardPhone: '123@lid' }, `Invalid 'Contact Phone' in item 0: "123@lid" is a hidden user ID (@lid), not a phone number`, 'international form'],
		['a contact card without name', { operation: 'sendContactCard', chatId: '12132132130', cardFullName: ' ', cardPhone: '+12132132130' }, `Invalid 'Full Name' in item 0: " " shows nothing (only spaces or invisible characters)`, "Set 'Full Name'"],
		// The rest parameter keeps jest from reading a fifth parameter as a done callback in rows without binary data.
	])('%s', async (...[, parameters, message, fix, binary]) => {
		const item = await runOne(parameters, binary);
		const error = errorOf(item);
		expect(error.message).toBe(message);
		expect(error.description).toMatch(/^Nothing was sent for this item\. /);
		expect(error.description).toContain(fix);
		expect(fake.requests).toHaveLength(0);
	});

	const media = (mediaUrl: string): IDataObject => ({ operation: 'sendMedia', chatId: '12132132130', mediaType: 'image', source: 'url', mediaUrl, options: { waitForResult: false } });
	const card = (fields: IDataObject): IDataObject => ({ operation: 'sendContactCard', chatId: '12132132130', cardSource: 'fields', cardFullName: 'Maria', cardPhone: '+12132132130', ...fields });
	const react = (reaction: string): IDataObject => ({ operation: 'react', messageId: 'false_12132132130@c.us_ABCD1234EF567890', reaction, options: { waitForResult: false } });
	const poll = (pollOptions: string[]): IDataObject => ({ operation: 'sendPoll', chatId: '12132132130', pollQuestion: 'Q?', pollOptions });
	test.each<[string, IDataObject, RegExp, string]>([
		...['http://localhost/a.jpg', 'http://app.localhost/a.jpg', 'http://127.0.0.1:8080/a.jpg', 'http://127.1.2.3/a', 'http://[::1]/a', 'http://[::ffff:127.0.0.1]/a', 'http://169.254.169.254/latest', 'http://10.0.0.5/a', 'http://172.16.0.1/a', 'http://172.31.255.255/a', 'http://192.168.1.10/a', 'http://0.0.0.0/a', 'http://2130706433/a'].map(
			(url): [string, IDataObject, RegExp, string] => [`a media URL on a local or private host: ${url}`, media(url), /^Invalid 'Media URL' in item 0: ".+" points at a local or private address$/, 'cannot reach this machine or your private network'],
		),
		['text longer than WhatsApp takes', sendText({}, { text: 'a'.repeat(65_537) }), /^Invalid 'Text' in item 0: .* has 65537 characters; WhatsApp takes at most 65536$/, "Shorten 'Text'"],
		['text with a lone surrogate', sendText({}, { text: 'broken \ud83d emoji' }), /^Invalid 'Text' in item 0: .* holds a broken character \(half of a surrogate pair\)$/, 'cut in the middle'],
		['a poll with 13 options', poll(Array.from({ length: 13 }, (_, i) => `o${i}`)), /^Invalid 'Options' in item 0: .* has 13 answers; WhatsApp takes at most 12$/, 'Give 2 to 12 different answers'],
		['a poll with the same option in other case', poll(['Yes', ' yes ']), /^Invalid 'Options' in item 0: \["Yes"," yes "\] has the same answer twice$/, 'different answers'],
		['a latitude in hex', { operation: 'sendLocation', chatId: '12132132130', latitude: '0x10', longitude: 13.4, title: 'X' }, /^Invalid 'Latitude' in item 0: "0x10" is not a number from -90 to 90$/, 'decimal degrees'],
		['a longitude with an exponent', { operation: 'sendLocation', chatId: '12132132130', latitude: 52.5, longitude: '1e1', title: 'X' }, /^Invalid 'Longitude' in item 0: "1e1" is not a number from -180 to 180$/, 'decimal degrees'],
		['a contact name with a line break (vCard injection)', card({ cardFullName: 'Maria\nTEL:+999' }), /^Invalid 'Full Name' in item 0: "Maria\nTEL:\+999" holds a line break$/, 'on one line'],
		['an organization with a CR', card({ cardOrganization: 'ACME\rX-EVIL:1' }), /^Invalid 'Organization' in item 0: "ACME\rX-EVIL:1" holds a line break$/, 'on one line'],
		['a contact phone with a line break', card({ cardPhone: '+12132132130\nTEL:+999' }), /^Invalid 'Contact Phone' in item 0: "\+12132132130\nTEL:\+999" holds a line break$/, 'on one line'],
		['a reaction with a combining mark on the emoji', react('\u{1F44D}\u0301'), /^Invalid 'Reaction' in item 0: ".+" is an emoji with an added mark, not an emoji$/, 'exactly one emoji'],
	])('%s', async (_name, parameters, message, fix) => {
		const error = errorOf(await runOne(parameters));
		expect(error.message).toMatch(message);
		expect(error.description).toMatch(/^Nothing was sent for this item\. /);
		expect(error.description).toContain(fix);
		expect(fake.requests).toHaveLength(0);
	});

	test.each([
		['HTTPS://EXAMPLE.COM/A.JPG', 'https://example.com/A.JPG'],
		['https://example.com/a b.jpg'.replace(' ', '%20'), 'https://example.com/a%20b.jpg'],
		['http://172.32.0.1/a.jpg', 'http://172.32.0.1/a.jpg'],
	])('a public media URL %p is sent normalized as %p', async (mediaUrl, sent) => {
		const item = await runOne(media(mediaUrl));
		expect(item.error).toBeUndefined();
		expect(fake.requests[0].body?.url).toBe(sent);
	});

	test('edge values that WhatsApp takes are sent: 65,536 characters, 12 poll answers, decimal text coordinates', async () => {
		await runOne(sendText({ waitForResult: false }, { text: '🚀'.repeat(65_536) }));
		expect(fake.requests[0].body?.text).toBe('🚀'.repeat(65_536));
		const options = Array.from({ length: 12 }, (_, i) => `o${i}`);
		await runOne({ ...poll(options), options: { waitForResult: false } });
		expect((fake.requests[1].body?.poll as IDataObject).options).toEqual(options);
		await runOne({ operation: 'sendLocation', chatId: '12132132130', latitude: ' -52.5 ', longitude: '.5', title: 'X', options: { waitForResult: false } });
		expect(fake.requests[2].body).toMatchObject({ latitude: -52.5, longitude: 0.5 });
	});

	test.each([
		['©', '©\uFE0F'],
		['❤', '❤\uFE0F'],
		['❤\uFE0F', '❤\uFE0F'],
		['👍', '👍'],
		['1\uFE0F\u20E3', '1\uFE0F\u20E3'],
	])('a reaction %p is sent as the emoji %p (text-style symbols get the emoji variation selector)', async (reaction, sent) => {
		const item = await runOne(react(reaction));
		expect(item.error).toBeUndefined();
		expect(fake.requests[0].body?.reaction).toBe(sent);
	});

	test('a media URL of 5,000 characters is quoted by its start only', async () => {
		const error = errorOf(await runOne({ operation: 'sendMedia', chatId: '12132132130', source: 'url', mediaUrl: `ftp://${'a'.repeat(5000)}` }));
		expect(error.message.length).toBeLessThan(200);
		expect(error.message).toContain('(5006 characters)');
	});
});

describe('Queued Request > Get', () => {
	async function getQueued(uuid: string) {
		const { output } = await runHypersender({
			items: [{ uuid }],
			parameters: { resource: 'queuedRequest', operation: 'get', queuedRequestUuid: '={{ $json.uuid }}' },
			credentials: credentialsFor(fake),
			continueOnFail: true,
		});
		return output![0];
	}

	test('a send left pending is read later: pending while processing, then sent', async () => {
		fake.pollsWhileProcessing = 1;
		const queued = await runOne(sendText({ waitForResult: false }));
		const uuid = queued.json.queued_request_uuid as string;
		expect((await getQueued(uuid)).json).toMatchObject({ status: 'pending', queued_request_uuid: uuid, chat_id: '12132132130@c.us' });
		expect((await getQueued(uuid)).json).toMatchObject({ status: 'sent', message_id: 'true_12132132130@c.us_3EB0000000000000000001', queued_request_uuid: uuid });
	});

	test('a failed send read later is an item error with the reason', async () => {
		fake.notOnWhatsApp.add('12132132130@c.us');
		const queued = await runOne(sendText({ waitForResult: false }));
		expect(errorOf(await getQueued(queued.json.queued_request_uuid as string)).message).toBe('The queued request failed: the recipient is not on WhatsApp (404)');
	});

	test('a failure read later is worded for any request (typing, reactions), not only messages', async () => {
		fake.outcomeNext(1, { status: 500, body: { message: 'typing failed' } });
		const queued = await runOne({ operation: 'startTyping', chatId: '12132132130', options: { waitForResult: false } });
		const error = errorOf(await getQueued(queued.json.queued_request_uuid as string));
		expect(error.message).toBe('The queued request failed: Hypersender failed to send it: "typing failed" (500)');
		expect(error.description).toContain('If it was a message, it was not sent.');
		expect(error.message).not.toContain('message was not sent');
	});

	test('an unknown UUID says so; a malformed one is refused before any request', async () => {
		expect(errorOf(await getQueued('00000000-0000-4000-8000-000000000000')).message).toBe('No queued request "00000000-0000-4000-8000-000000000000" found, or the instance was not found (404)');
		fake.reset();
		const error = errorOf(await getQueued('a0816120/../../contacts'));
		expect(error.message).toBe(`Invalid 'Queued Request UUID' in item 0: "a0816120/../../contacts" is not a UUID`);
		expect(fake.requests).toHaveLength(0);
	});

	test('a response_status that is not a status is reported, not read as success', async () => {
		fake.answerNextWith(1, { headers: { 'Content-Type': 'application/json' }, body: '{"uuid":"x","response_status":"sent"}' });
		const error = errorOf(await getQueued('00000000-0000-4000-8000-000000000000'));
		expect(error.message).toBe(`Hypersender's answer is not what the API documents: response_status is "sent"`);
	});
});

describe('As an AI agent tool', () => {
	const toolNode = (parameters: IDataObject): INode => ({
		id: 'tool',
		name: 'Send WhatsApp',
		type: 'n8n-nodes-hypersender.hypersender',
		typeVersion: 1,
		position: [0, 0],
		parameters: parameters as INode['parameters'],
	});
	const agentParameters = {
		resource: 'message',
		operation: 'sendText',
		chatId: "={{ $fromAI('recipient', 'Phone number in international form, e.g. +49 151 23456789', 'string') }}",
		text: "={{ $fromAI('text', 'The message to send', 'string') }}",
	};

	test('Send Text describes itself and asks the agent for recipient and text', () => {
		const nodeType = new Hypersender();
		expect(nodeType.description.usableAsTool).toBe(true);
		const node = toolNode(agentParameters);
		expect(NodeHelpers.getToolDescriptionForNode(node, nodeType)).toBe('Send a text message in Hypersender');
		const schema = getSchema(node);
		expect(Object.keys(schema.shape).sort()).toEqual(['recipient', 'text']);
		expect(schema.safeParse({ recipient: '+49 151 23456789', text: 'Hi' }).success).toBe(true);
		expect(schema.safeParse({ text: 'Hi' }).success).toBe(false);
	});

	test('the values the agent fills in are normalized and sent', async () => {
		const { output } = await runHypersender({
			items: [{ query: { recipient: '+49 151 23456789', text: 'Your order has shipped' } }],
			parameters: { ...agentParameters, options: { waitForResult: false } },
			credentials: credentialsFor(fake),
		});
		expect(output![0].json.status).toBe('queued');
		expect(fake.requests[0]).toMatchObject({ body: { chatId: '4915123456789@c.us', text: 'Your order has shipped' }, authorization: `Bearer ${TOKEN}` });
	});
});
