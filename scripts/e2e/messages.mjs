// The Message resource in real n8n: a text sent and its result waited for; an image read from
// disk by n8n's Read/Write Files node and uploaded as multipart (the bytes that arrive are the
// file's); 100 sends on a rate-limited fake, none failed and none sent twice; a recipient that is
// not on WhatsApp ends as an error item on the error output, with that reason; a send that
// Hypersender accepted before the connection dropped says it may have been sent, once, unretried.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { chainWorkflow, codeNode, manualTrigger, node, workflowNode } from '../lib/workflows.mjs';

// A 1x1 PNG, with bytes that break text handling (NUL, CR LF, "--").
const PNG = Buffer.concat([
	Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f1d2b30000000049454e44ae426082', 'hex'),
	Buffer.from([0, 13, 10, 45, 45, 0]),
]);

const BULK = 100;
// The fake's limit for the bulk send: 200 requests per 10-second window (1200 a minute), and the
// node told to pace at that rate; sends and polls share it.
const BULK_LIMIT = { perWindow: 200, windowMs: 10_000, requestsPerMinute: 1200 };

const errorMessageOf = (item) => item.error?.message ?? item.json?.error ?? '';

// The node's behaviour, the same code however the package was loaded (scripts/e2e.mjs).
export const installWays = ['community package'];

export async function run(t) {
	const { label, fake, nodeType, credential } = t;
	const sendText = (name, parameters, extra = {}) =>
		workflowNode(name, nodeType, credential, { resource: 'message', operation: 'sendText', text: '={{ $json.text }}', chatId: '={{ $json.phone }}', ...parameters }, extra);

	const files = path.join(t.work, 'files');
	mkdirSync(files, { recursive: true });
	const imagePath = path.join(files, 'welcome.png');
	writeFileSync(imagePath, PNG);

	const notOnWhatsApp = chainWorkflow('hsE2eNotOnWhatsApp', 'E2E not on WhatsApp', [
		manualTrigger(),
		codeNode('Rows', [{ phone: '+1 213 213 2130', text: 'Hello' }, { phone: '+44 20 7946 0958', text: 'Hello' }]),
		sendText('Hypersender', { options: {} }, { onError: 'continueErrorOutput' }),
	]);
	await t.importWorkflow(
		chainWorkflow('hsE2eSendText', 'E2E send text and wait', [manualTrigger(), codeNode('Rows', [{ phone: '+1 (213) 213-2130', text: 'Hallo Maria 👋' }]), sendText('Hypersender', { options: {} })]),
		chainWorkflow('hsE2eSendImage', 'E2E send image from disk', [
			manualTrigger(),
			node('Read Image', 'n8n-nodes-base.readWriteFile', { operation: 'read', fileSelector: imagePath, options: {} }),
			workflowNode('Hypersender', nodeType, credential, {
				resource: 'message',
				operation: 'sendMedia',
				chatId: '+1 213 213 2130',
				mediaType: 'image',
				source: 'binary',
				binaryPropertyName: 'data',
				caption: 'Welcome',
				options: {},
			}),
		]),
		chainWorkflow('hsE2eBulkSend', 'E2E 100 sends, rate-limited', [
			manualTrigger(),
			codeNode('Rows', Array.from({ length: BULK }, (_, i) => ({ phone: `+1213373${String(i).padStart(4, '0')}`, text: `Order ${i} has shipped` }))),
			sendText('Hypersender', { humanLike: false, options: { requestsPerMinute: BULK_LIMIT.requestsPerMinute } }),
		]),
		notOnWhatsApp,
		chainWorkflow('hsE2eAcceptedThenDropped', 'E2E send accepted, then the connection drops', [
			manualTrigger(),
			codeNode('Rows', [{ phone: '+1 213 213 2130', text: 'Hello' }]),
			sendText('Hypersender', { options: { maxRetries: 5 } }, { onError: 'continueErrorOutput' }),
		]),
	);

	// 1. A text, waited for: sent, with the message ID that React/Forward/Delete take.
	const textOut = t.outputOf(await t.execute('hsE2eSendText'), 'Hypersender');
	t.check(
		textOut.length === 1 && textOut[0].json.status === 'sent' && /^true_12132132130@c\.us_3EB0/.test(textOut[0].json.message_id ?? '') && textOut[0].json.queued_request_uuid,
		`${label}: Send Text waits for the result: status sent, message_id, UUID`,
		textOut,
	);
	const textPaths = fake.requests.map((request) => request.path.split('/').slice(5).join('/'));
	t.check(
		fake.messages.length === 1 && fake.messages[0].body.text === 'Hallo Maria 👋' && textPaths[0] === 'send-text-safe' && textPaths.slice(1).every((p) => p.startsWith('queued-requests/')),
		`${label}: one send-text-safe request, then polls of its queued request`,
		textPaths,
	);

	// 2. An image from disk, through n8n's own binary data handling.
	fake.reset();
	const previousRestriction = t.env.N8N_RESTRICT_FILE_ACCESS_TO;
	t.env.N8N_RESTRICT_FILE_ACCESS_TO = files;
	let imageOut;
	try {
		imageOut = t.outputOf(await t.execute('hsE2eSendImage'), 'Hypersender');
	} finally {
		if (previousRestriction === undefined) delete t.env.N8N_RESTRICT_FILE_ACCESS_TO;
		else t.env.N8N_RESTRICT_FILE_ACCESS_TO = previousRestriction;
	}
	const upload = fake.uploads[0];
	t.check(imageOut.length === 1 && imageOut[0].json.status === 'sent', `${label}: Send Media from a binary file is sent`, imageOut);
	t.check(
		fake.uploads.length === 1 && upload.endpoint === 'send-image' && upload.filename === 'welcome.png' && upload.contentType === 'image/png' && upload.bytes.equals(PNG),
		`${label}: the bytes Read/Write Files read arrive unchanged as a multipart upload named welcome.png, image/png`,
		upload && { endpoint: upload.endpoint, filename: upload.filename, contentType: upload.contentType, size: upload.bytes.length, expected: PNG.length },
	);

	// 3. 100 sends on a rate-limited fake: no failed item, no message twice.
	fake.reset();
	const { rateLimit, windowMs } = fake;
	fake.rateLimit = BULK_LIMIT.perWindow;
	fake.windowMs = BULK_LIMIT.windowMs;
	let bulkOut;
	const started = Date.now();
	try {
		bulkOut = t.outputOf(await t.execute('hsE2eBulkSend'), 'Hypersender');
	} finally {
		fake.rateLimit = rateLimit;
		fake.windowMs = windowMs;
	}
	const seconds = (Date.now() - started) / 1000;
	const failed = bulkOut.filter((item) => item.error || item.json.status !== 'sent');
	t.check(bulkOut.length === BULK && failed.length === 0, `${label}: ${BULK} sends with Wait for Result on a rate-limited fake: ${BULK} items, none failed (${seconds.toFixed(1)} s, ${fake.stats.total} requests, ${fake.stats.rateLimited} answered 429)`, failed.slice(0, 3));
	const recipients = new Set(fake.messages.map((message) => message.chatId));
	t.check(fake.messages.length === BULK && recipients.size === BULK, `${label}: each of the ${BULK} recipients got exactly one message`, { messages: fake.messages.length, recipients: recipients.size });

	// 4. A recipient that is not on WhatsApp: an error item with that reason, on the error output.
	fake.reset();
	fake.notOnWhatsApp.add('12132132130@c.us');
	const notRun = await t.execute('hsE2eNotOnWhatsApp');
	const ok = t.outputOf(notRun, 'Hypersender', 0);
	const errors = t.outputOf(notRun, 'Hypersender', 1);
	t.check(
		ok.length === 1 && ok[0].json.status === 'sent' && errors.length === 1 && /recipient is not on WhatsApp/.test(errorMessageOf(errors[0])),
		`${label}: a recipient not on WhatsApp goes to the error output saying "recipient is not on WhatsApp"; the other item is sent`,
		{ ok, errors },
	);

	// 5. Accepted and queued, then the connection drops before the answer: whatever code n8n's HTTP
	// client gives it (1.x gave none, and the item said it was retried), the item says it may have
	// been sent, and the node does not send it again.
	fake.reset();
	fake.acceptThenDropNext(1);
	const droppedRun = await t.execute('hsE2eAcceptedThenDropped');
	const dropped = t.outputOf(droppedRun, 'Hypersender', 1);
	const sends = fake.requests.filter((request) => /\/send-text(-safe)?$/.test(request.path));
	t.check(
		dropped.length === 1 && /; the message may have been sent$/.test(errorMessageOf(dropped[0])) && !/are retried/.test(JSON.stringify(dropped[0])),
		`${label}: a send accepted before its connection dropped goes to the error output saying "the message may have been sent", not that it is retried`,
		{ dropped, regular: t.outputOf(droppedRun, 'Hypersender', 0) },
	);
	t.check(fake.messages.length === 1 && sends.length === 1, `${label}: that message was queued once and not sent again (Max Retries 5)`, { messages: fake.messages.length, sends: sends.length });
}
