/**
 * Media into workflows: Message > Download Media and the Trigger's Download Media option, run
 * through n8n's WorkflowExecute (and the webhook harness) against the fake Hypersender's media
 * links on its own origin (Bearer token required) and on a second origin (no auth). Where the
 * token went is read from what the fake recorded per request. Deadlines sleep on the held clock.
 */
import { createHash } from 'node:crypto';

import { BinaryDataService } from 'n8n-core';
import type { IBinaryData, IDataObject, INodeExecutionData } from 'n8n-workflow';

import { MEDIA_FILES } from './fake-hypersender/server';
import type { MediaFileName } from './fake-hypersender/server';
import { credentialsFor, errorOf, INSTANCE_ID, TOKEN, useFakeHypersender } from './fixtures';
import { heldClock } from './helpers/heldClock';
import { WebhookHarness } from './helpers/runWebhook';
import { runHypersender } from './helpers/runWorkflow';

jest.mock('../nodes/Hypersender/transport/clock', () => ({
	...jest.requireActual('../nodes/Hypersender/transport/clock'),
	systemClock: jest.requireActual('./helpers/heldClock').heldClock,
}));

const fake = useFakeHypersender();
afterEach(() => heldClock.letGo());

const BEARER = `Bearer ${TOKEN}`;
const MESSAGE_ID = 'false_201063178738@c.us_3EB0VOICE0001';

/** Waits (bounded, in real time) until the condition holds: for answers over loopback. */
async function until(condition: () => boolean): Promise<void> {
	for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const bytesOf = (binary: IBinaryData) => Buffer.from(binary.data, 'base64');

/** The Trigger's simplified item of a voice note (or another file) at `url`. */
function triggerItem(url: string, mimeType = 'audio/ogg; codecs=opus', fileName: string | null = null): IDataObject {
	return { event: 'message.any', chat_id: '201063178738@c.us', message_id: MESSAGE_ID, has_media: true, media_url: url, media_mimetype: mimeType, media_filename: fileName };
}

async function download(items: IDataObject[], parameters: IDataObject = {}, credentials = credentialsFor(fake)) {
	const { output, error } = await runHypersender({
		items,
		parameters: { resource: 'message', operation: 'downloadMedia', ...parameters },
		credentials,
		continueOnFail: true,
	});
	expect(error).toBeUndefined();
	expect(output).toHaveLength(items.length);
	return output as INodeExecutionData[];
}

async function downloadOne(item: IDataObject, parameters: IDataObject = {}): Promise<INodeExecutionData> {
	return (await download([item], parameters))[0];
}

function expectFile(item: INodeExecutionData, name: MediaFileName, field = 'data'): IBinaryData {
	const binary = item.binary?.[field];
	expect(binary).toBeDefined();
	expect(sha256(bytesOf(binary!))).toBe(sha256(MEDIA_FILES[name].bytes));
	return binary!;
}

describe('Download Media: where the token goes', () => {
	test("a voice note on the Base URL's origin is fetched with the token; the type stays audio/ogg, named after the message", async () => {
		const item = await downloadOne(triggerItem(fake.mediaLink('voice.ogg')));
		const binary = expectFile(item, 'voice.ogg');
		expect(binary).toMatchObject({ mimeType: 'audio/ogg', fileName: `${MESSAGE_ID}.ogg`, fileExtension: 'ogg' });
		expect(item.json).toEqual(triggerItem(fake.mediaLink('voice.ogg')));
		expect(fake.mediaRequests).toEqual([{ origin: 'api', path: '/media/voice.ogg', authorization: BEARER }]);
	});

	test('a link on another origin is fetched without any credential', async () => {
		const item = await downloadOne(triggerItem(fake.mediaLink('photo.jpg', { other: true }), 'image/jpeg', 'receipt.jpg'));
		expect(expectFile(item, 'photo.jpg')).toMatchObject({ mimeType: 'image/jpeg', fileName: 'receipt.jpg' });
		expect(fake.mediaRequests).toEqual([{ origin: 'other', path: '/media/photo.jpg', authorization: undefined }]);
	});

	test('a redirect to another origin is followed without the token; back on the Base URL it is sent again', async () => {
		const toOther = fake.mediaLink(`redirect?to=${encodeURIComponent(fake.mediaLink('invoice.pdf', { other: true }))}`);
		expectFile(await downloadOne(triggerItem(toOther, 'application/pdf', 'invoice.pdf')), 'invoice.pdf');
		expect(fake.mediaRequests.map(({ origin, authorization }) => [origin, authorization])).toEqual([
			['api', BEARER],
			['other', undefined],
		]);
		fake.mediaRequests.length = 0;
		const toApi = fake.mediaLink(`redirect?to=${encodeURIComponent(fake.mediaLink('invoice.pdf'))}`, { other: true });
		expectFile(await downloadOne(triggerItem(toApi, 'application/pdf')), 'invoice.pdf');
		expect(fake.mediaRequests.map(({ origin, authorization }) => [origin, authorization])).toEqual([
			['other', undefined],
			['api', BEARER],
		]);
	});

	test.each([
		['localhost', 'http://localhost:9/x.ogg'],
		['a private IPv4', 'http://10.0.0.7/x.ogg'],
		['a link-local IPv4', 'http://169.254.169.254/latest/meta-data'],
		['IPv6 loopback', 'http://[::1]:9/x.ogg'],
		['localhost with the trailing dot of a fully qualified name', 'http://localhost.:9/x.ogg'],
		['a carrier-grade NAT address (100.64/10, where VPN meshes such as Tailscale live)', 'http://100.100.100.100/x.ogg'],
		['loopback as an IPv4-compatible IPv6 address', 'http://[::127.0.0.1]:9/x.ogg'],
		["loopback through NAT64's prefix", 'http://[64:ff9b::127.0.0.1]:9/x.ogg'],
	])("%s is refused (it is not the Base URL's host), also as a redirect target", async (_, privateUrl) => {
		const direct = errorOf(await downloadOne(triggerItem(privateUrl)));
		expect(direct.message).toContain('points at a local or private address');
		const redirected = errorOf(await downloadOne(triggerItem(fake.mediaLink(`redirect?to=${encodeURIComponent(privateUrl)}`, { other: true }))));
		expect(redirected.message).toContain("The media link's redirect");
		expect(redirected.message).toContain('points at a local or private address');
		expect(fake.mediaRequests.map(({ path }) => path)).toEqual(['/media/redirect']);
	});

	test('redirects are followed a bounded number of times', async () => {
		expect(errorOf(await downloadOne(triggerItem(fake.mediaLink('loop', { other: true })))).message).toBe('The media link redirected more than 5 times');
		expect(fake.mediaRequests).toHaveLength(6);
	});
});

describe('Download Media: what the item names', () => {
	test('a raw delivery (Simplify off) is found by the default Media URL, with its payload file name', async () => {
		const raw = { event: 'message.any', data: { instanceId: INSTANCE_ID, payload: { id: MESSAGE_ID, hasMedia: true, media: { url: fake.mediaLink('invoice.pdf'), mimetype: 'application/pdf', filename: 'invoice 42.pdf' } } } };
		const item = await downloadOne(raw, { downloadUrl: '={{ $json.media_url }}' });
		expect(expectFile(item, 'invoice.pdf')).toMatchObject({ mimeType: 'application/pdf', fileName: 'invoice 42.pdf' });
		expect(item.json).toEqual(raw);
	});

	test('the whole message item can be mapped, and the file goes to the field named', async () => {
		const item = await downloadOne(triggerItem(fake.mediaLink('voice.ogg')), { downloadUrl: '={{ $json }}', outputBinaryField: 'voice' });
		expect(expectFile(item, 'voice.ogg', 'voice').mimeType).toBe('audio/ogg');
	});

	test.each([
		['an emoji where the name is cut', `${'a'.repeat(195)}😀😀😀.ogg`, `${'a'.repeat(195)}😀.ogg`],
		['bidi controls that would show photo<RLO>gpj.exe as photoexe.jpg', 'photo\u202Egpj.exe', 'photo_gpj.exe'],
		['a lone surrogate from the payload', 'note\ud83d.ogg', 'note_.ogg'],
	])('a payload file name with %s is kept whole characters, its extension and one n8n can offer as a download', async (_, given, expected) => {
		const binary = expectFile(await downloadOne(triggerItem(fake.mediaLink('voice.ogg'), 'audio/ogg', given)), 'voice.ogg');
		expect(binary.fileName).toBe(expected);
		// What n8n's binary-data download does with the name (Content-Disposition): a lone surrogate throws there.
		expect(() => encodeURIComponent(binary.fileName!)).not.toThrow();
	});

	test("a MIME type in the item longer than any real one is no type: the answer's is used", async () => {
		const item = await downloadOne(triggerItem(fake.mediaLink('voice.ogg'), `audio/${'x'.repeat(200)}`));
		expect(expectFile(item, 'voice.ogg').mimeType).toBe('audio/ogg');
	});

	test('without a type in the item, the answer names it and the extension follows it', async () => {
		const item = await downloadOne({ message_id: MESSAGE_ID }, { downloadUrl: fake.mediaLink('photo.jpg') });
		expect(expectFile(item, 'photo.jpg')).toMatchObject({ mimeType: 'image/jpeg', fileName: 'media.jpg' });
	});

	test.each([
		['a message without media', { ...triggerItem(''), has_media: false, media_url: null }, {}, "Invalid 'Media URL' in item 0: \"\" is empty, and the item has no media link"],
		['an ftp link', triggerItem('ftp://files.example.com/a.ogg'), {}, 'is not an http(s) URL'],
		['text that is no URL', {}, { downloadUrl: 'voice note' }, 'is not a URL'],
		['an object without a link', { media: { mimetype: 'audio/ogg' } }, { downloadUrl: '={{ $json.media }}' }, 'holds no media link'],
	])('%s fails the item before any request, naming the field and the fix', async (_, item, parameters, message) => {
		const error = errorOf(await downloadOne(item, parameters));
		expect(error.message).toContain(message);
		expect(error.description).toContain('Nothing was sent for this item. Map the message\'s media link, e.g. {{ $json.media_url }}');
		expect(fake.mediaRequests).toHaveLength(0);
	});

	test.each(['__proto__', 'constructor'])('an output field named %s (n8n deepCopy of the item drops it: the file would vanish) fails the item before any request', async (field) => {
		const error = errorOf(await downloadOne(triggerItem(fake.mediaLink('voice.ogg')), { outputBinaryField: field }));
		expect(error.message).toBe(`Invalid 'Put Output File in Field' in item 0: "${field}" is not a field name`);
		expect(error.description).toContain("Name the binary field the file goes into, e.g. 'data'.");
		expect(fake.mediaRequests).toHaveLength(0);
	});

	test('every item yields one output item: a failed one does not stop the others', async () => {
		const output = await download([triggerItem(fake.mediaLink('voice.ogg')), triggerItem(fake.mediaLink('expired/410/voice.ogg')), triggerItem(fake.mediaLink('photo.jpg', { other: true }), 'image/jpeg')]);
		expectFile(output[0], 'voice.ogg');
		expect(errorOf(output[1]).message).toContain('expired');
		expectFile(output[2], 'photo.jpg');
	});
});

describe('Download Media: what a hostile or expired link gets', () => {
	test.each([403, 404, 410])('HTTP %i: the link expired or is not yours, with the fix', async (status) => {
		const error = errorOf(await downloadOne(triggerItem(fake.mediaLink(`expired/${status}/voice.ogg`))));
		expect(error.message).toBe(`The media link answered HTTP ${status} (${fake.url}): the link expired or is not yours`);
		expect(error.description).toContain("the Trigger's 'Download Media' option");
	});

	test("a link on the Base URL's origin that refuses the credential's token asks for a login", async () => {
		const [item] = await download([triggerItem(fake.mediaLink('voice.ogg'))], {}, credentialsFor(fake, { apiToken: '234|another-token-0123456789abcdef' }));
		expect(errorOf(item).message).toBe(`The media link answered HTTP 401 (${fake.url}): it asks for a login`);
	});

	test("a file n8n cannot store (its binary data store failed) says so, not that the download failed", async () => {
		// A full disk, as n8n's filesystem mode would meet it: injected where n8n-core stores binary data.
		jest.spyOn(BinaryDataService.prototype, 'store').mockRejectedValueOnce(new Error('ENOSPC: no space left on device'));
		try {
			const item = await downloadOne(triggerItem(fake.mediaLink('voice.ogg')));
			const error = errorOf(item);
			expect(error.message).toBe(`The media file (${MEDIA_FILES['voice.ogg'].bytes.length} bytes) was downloaded, but n8n could not store it: ENOSPC: no space left on device`);
			expect(error.description).toContain("n8n's binary data storage");
			expect(item.binary).toBeUndefined();
		} finally {
			jest.restoreAllMocks();
		}
	});

	test('an empty answer is no file', async () => {
		expect(errorOf(await downloadOne(triggerItem(fake.mediaLink('big/0', { other: true })))).message).toContain('answered an empty file');
	});

	test('an HTML login page where a file was expected is its own error, and no file is output', async () => {
		const item = await downloadOne(triggerItem(fake.mediaLink('login/voice.ogg', { other: true })));
		expect(errorOf(item).message).toContain('answered with a web page');
		expect(item.binary).toBeUndefined();
	});

	test.each([
		['announced', 'big-declared'],
		['not announced', 'big'],
	])('a file over Max File Size (its size %s) fails the item, and nothing of it is kept', async (_, kind) => {
		const item = await downloadOne(triggerItem(fake.mediaLink(`${kind}/${2 * 1024 * 1024 + 1}`, { other: true })), { options: { maxFileSizeMb: 2 } });
		expect(errorOf(item).message).toBe('The media file is larger than the Max File Size of 2 MB');
		expect(item.binary).toBeUndefined();
	});

	test('a file of exactly Max File Size is taken', async () => {
		const item = await downloadOne(triggerItem(fake.mediaLink(`big/${1024 * 1024}`, { other: true }), 'application/octet-stream'), { options: { maxFileSizeMb: 1 } });
		expect(bytesOf(item.binary!.data).length).toBe(1024 * 1024);
	});

	test('a server that sends the first bytes and never finishes ends at Download Timeout', async () => {
		heldClock.hold();
		const running = downloadOne(triggerItem(fake.mediaLink('trickle/voice.ogg')), { options: { downloadTimeoutSeconds: 5 } });
		await until(() => fake.mediaRequests.length === 1 && heldClock.sleepsHeld() > 0);
		heldClock.advance(4_999);
		expect(heldClock.sleepsHeld()).toBeGreaterThan(0);
		heldClock.advance(1);
		const item = await running;
		expect(errorOf(item).message).toBe('The media download did not finish within 5 s');
		await until(() => fake.openTrickles() === 0);
		expect(fake.openTrickles()).toBe(0);
		expect(item.binary).toBeUndefined();
	});

	test("cancelling the execution ends a download that would never finish (on this clock its 60 s deadline ends only when aborted)", async () => {
		let cancelExecution = () => {};
		const running = runHypersender({
			items: [triggerItem(fake.mediaLink('trickle/voice.ogg'))],
			parameters: { resource: 'message', operation: 'downloadMedia' },
			credentials: credentialsFor(fake),
			continueOnFail: true,
			onStart: (cancel) => (cancelExecution = cancel),
		});
		await until(() => fake.openTrickles() === 1);
		cancelExecution();
		const { run } = await running;
		expect(run.status).toBe('canceled');
		// The node ended its request: the server sees the connection closed.
		await until(() => fake.openTrickles() === 0);
		expect(fake.openTrickles()).toBe(0);
	});

	test.each([
		['Max File Size (MB)', { maxFileSizeMb: 0 }],
		['Download Timeout (Seconds)', { downloadTimeoutSeconds: 'soon' }],
	])('a bad %s fails the item before any request', async (label, options) => {
		expect(errorOf(await downloadOne(triggerItem(fake.mediaLink('voice.ogg')), { options })).message).toContain(`'${label}' in item 0`);
		expect(fake.mediaRequests).toHaveLength(0);
	});
});

describe('Trigger: Download Media', () => {
	const SECRET = 'hs-webhook-7Qm2vX9pL4tR8wZ1';
	const harnesses: WebhookHarness[] = [];
	afterEach(async () => {
		await Promise.all(harnesses.splice(0).map(async (harness) => await harness.stop()));
	});
	let eventCounter = 0;

	async function triggerWith(downloadMedia: boolean): Promise<WebhookHarness> {
		const harness = await WebhookHarness.start({ credentials: { ...credentialsFor(fake), webhookSecret: SECRET }, parameters: { options: { downloadMedia } } });
		harnesses.push(harness);
		return harness;
	}

	function delivery(media: IDataObject | null): IDataObject {
		const payload = { id: `false_201063178738@c.us_3EB0VOICE${++eventCounter}`, from: '201063178738@c.us', fromMe: false, body: '', hasMedia: media !== null, media };
		return { event: 'message.any', data: { id: `evt_media_${eventCounter}`, event: 'message.any', payload, instanceId: INSTANCE_ID } };
	}

	test('a voice note starts the workflow with the file as binary data, answered with an empty 200', async () => {
		const harness = await triggerWith(true);
		const answer = await harness.deliver(delivery({ url: fake.mediaLink('voice.ogg'), mimetype: 'audio/ogg; codecs=opus', filename: null }), { authorization: SECRET });
		expect(answer).toEqual({ status: 200, body: '' });
		const [execution] = await harness.executions();
		const [item] = execution.items;
		expect(item.json).toMatchObject({ has_media: true, media_mimetype: 'audio/ogg; codecs=opus', media_error: null });
		expect(expectFile(item, 'voice.ogg')).toMatchObject({ mimeType: 'audio/ogg', fileExtension: 'ogg' });
		expect(fake.mediaRequests).toEqual([{ origin: 'api', path: '/media/voice.ogg', authorization: BEARER }]);
	});

	test('a failed download still starts the workflow, with media_error saying why', async () => {
		const harness = await triggerWith(true);
		await harness.deliver(delivery({ url: fake.mediaLink('expired/404/voice.ogg'), mimetype: 'audio/ogg; codecs=opus' }), { authorization: SECRET });
		const [item] = (await harness.executions())[0].items;
		expect(item.json.media_error).toContain('The media link answered HTTP 404');
		expect(item.json.media_error).toContain('expired or is not yours');
		expect(item.binary).toBeUndefined();
	});

	test('the delivery is answered before a download that never finishes; the workflow starts when it ends', async () => {
		const harness = await triggerWith(true);
		const answer = await harness.deliver(delivery({ url: fake.mediaLink('trickle/voice.ogg', { other: true }), mimetype: 'audio/ogg' }), { authorization: SECRET });
		expect(answer.status).toBe(200);
		// Answered while the download has not even reached the server, or is stuck there.
		await until(() => fake.mediaRequests.length === 1);
		expect(harness.executionsStarted()).toBe(0);
		// The server goes away mid-file: the download ends, and the workflow starts without a file.
		fake.cutOffTrickles();
		const [item] = (await harness.executions())[0].items;
		expect(item.json.media_error).toContain('cut off before the file was complete');
		expect(item.binary).toBeUndefined();
	});

	test.each([
		['media but no link to it', { mimetype: 'audio/ogg; codecs=opus' }, 'The message has media, but the delivery carries no link to it'],
		['a link that is no URL', { url: 'voice note', mimetype: 'audio/ogg' }, 'The media URL "voice note" is not a URL. Only http:// and https:// media links'],
	])('a message with %s still starts the workflow, with media_error saying so, and nothing is fetched', async (_, media, mediaError) => {
		const harness = await triggerWith(true);
		await harness.deliver(delivery(media), { authorization: SECRET });
		const [item] = (await harness.executions())[0].items;
		expect(item.json).toMatchObject({ has_media: true });
		expect(String(item.json.media_error)).toContain(mediaError);
		expect(item.binary).toBeUndefined();
		expect(fake.mediaRequests).toHaveLength(0);
	});

	test('off (the default), or for a message without media, nothing is downloaded and the item is as before', async () => {
		const off = await triggerWith(false);
		await off.deliver(delivery({ url: fake.mediaLink('voice.ogg'), mimetype: 'audio/ogg' }), { authorization: SECRET });
		const on = await triggerWith(true);
		await on.deliver(delivery(null), { authorization: SECRET });
		for (const harness of [off, on]) {
			const [item] = (await harness.executions())[0].items;
			expect(item.binary).toBeUndefined();
			expect(item.json).not.toHaveProperty('media_error');
		}
		expect(fake.mediaRequests).toHaveLength(0);
	});
});
