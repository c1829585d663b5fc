// Media into workflows in a started n8n (issue 19). Two workflows, one voice-note delivery each:
//  - round trip: the Trigger with Download Media on (the file on the fake's own origin, with the
//    token) -> Message > Download Media of the same link -> Send Media of that binary back to the
//    sender. n8n's binary data (both) and the fake's upload hold the served file's bytes (sha256).
//  - examples/voice-note-assistant.json as users import it, the voice note on a second origin
//    (no auth): Trigger -> Only Voice Notes -> Download Media -> HTTP Request (multipart, to a
//    speech-to-text stand-in on 127.0.0.1 instead of OpenAI) -> Send Text of the transcript.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';

import { delivery, TEXT_PAYLOAD, TRIGGER_NAME, triggerCredential, triggerExampleFor, triggerUrlOf, triggerWorkflow } from '../lib/hypersender-trigger.mjs';
import { activateOrThrow, createCredential, createWorkflow, executionOutputOf, executionsOf, executionWithRun, finished } from '../lib/n8n-rest.mjs';
import { waitFor } from '../lib/wait.mjs';
import { workflowNode } from '../lib/workflows.mjs';

const require = createRequire(import.meta.url);
const { MEDIA_FILES, parseMultipart } = require('../../test/fake-hypersender/server.js');

const SECRET = 'e2e-webhook-authorization-media-7c41';
// Ids as an import would keep them; saved through the REST API, n8n chooses its own.
const ROUND_TRIP = { id: 'hsE2eMediaRoundTrip', webhookId: '9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d' };
const ASSISTANT_ID = 'hsExampleVoiceNoteAssistant';
const TRANSCRIPT = 'Please call me back tomorrow';
const VOICE = MEDIA_FILES['voice.ogg'];
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** An OpenAI-compatible POST /v1/audio/transcriptions on 127.0.0.1: records each upload, answers `{ text }`. */
async function startSpeechToText() {
	const uploads = [];
	const server = createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const form = parseMultipart(Buffer.concat(chunks), String(req.headers['content-type'] ?? ''));
			uploads.push({ path: req.url, model: form?.fields.model, file: form?.files.file });
			const ok = req.url === '/v1/audio/transcriptions' && form?.files.file;
			res.writeHead(ok ? 200 : 400, { 'Content-Type': 'application/json' }).end(JSON.stringify(ok ? { text: TRANSCRIPT } : { error: { message: 'expected a multipart file' } }));
		});
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	return { url: `http://127.0.0.1:${server.address().port}`, uploads, stop: () => new Promise((resolve) => server.close(resolve)) };
}

/** The bytes of a binary in a stored execution: inline (n8n's default mode) or read through n8n's REST API (filesystem mode). */
async function bytesOfBinary(n8n, binary) {
	if (!binary) return undefined;
	if (!binary.id) return Buffer.from(binary.data, 'base64');
	const response = await fetch(`${n8n.url}/rest/binary-data?id=${encodeURIComponent(binary.id)}&action=download`, { headers: { cookie: n8n.cookie, 'browser-id': 'hypersender-scripts' } });
	return response.ok ? Buffer.from(await response.arrayBuffer()) : undefined;
}

/** The one finished execution of a workflow, with its run. */
async function onlyExecutionOf(n8n, bins, workflowId) {
	const [summary] = await waitFor(`the execution of ${workflowId} to finish`, async () => {
		const list = await executionsOf(n8n, workflowId);
		return list.length >= 1 && list.every(finished) && list;
	});
	return await executionWithRun(n8n, bins, summary.id);
}

const voicePayload = (id, url) => ({ ...TEXT_PAYLOAD, id, body: '', hasMedia: true, media: { url, mimetype: 'audio/ogg; codecs=opus', filename: null } });

// The node's behaviour, the same code however the package was loaded (scripts/e2e.mjs).
export const installWays = ['community package'];

export async function run(t) {
	const { label, bins, fake } = t;
	const n8n = await t.startN8nWithOwner();
	const stt = await startSpeechToText();
	try {
		// Saved through the started n8n's REST API, as the editor saves them: an import would cost
		// two n8n CLI start-ups.
		const withSecret = triggerCredential(t.credential, SECRET);
		const credential = await createCredential(n8n, { ...withSecret, name: `${withSecret.name} (media)` });
		const roundTrip = triggerWorkflow({
			...ROUND_TRIP,
			nodeType: t.nodeType,
			credential,
			parameters: { options: { downloadMedia: true } },
			next: [
				workflowNode('Download Media', t.nodeType, credential, { resource: 'message', operation: 'downloadMedia', downloadUrl: '={{ $json.media_url }}', outputBinaryField: 'downloaded', options: {} }),
				workflowNode('Send It Back', t.nodeType, credential, { resource: 'message', operation: 'sendMedia', chatId: '={{ $json.chat_id }}', mediaType: 'voice', source: 'binary', binaryPropertyName: 'downloaded', options: { waitForResult: false } }),
			],
		});
		const assistant = triggerExampleFor('voice-note-assistant.json', { id: ASSISTANT_ID, nodeType: t.nodeType, credential });
		const transcribe = assistant.nodes.find((node) => node.name === 'Transcribe');
		Object.assign(transcribe.parameters, { url: `${stt.url}/v1/audio/transcriptions`, authentication: 'none' });
		delete transcribe.parameters.nodeCredentialType;
		delete transcribe.credentials;
		const [roundTripId, assistantId] = [await createWorkflow(n8n, roundTrip), await createWorkflow(n8n, assistant)];
		await Promise.all([activateOrThrow(n8n, roundTripId), activateOrThrow(n8n, assistantId)]);

		const instanceId = withSecret.data.instanceId;
		const post = async (webhookId, payload, eventId) => {
			const response = await fetch(triggerUrlOf(n8n.url, webhookId), {
				method: 'POST',
				headers: { 'Content-Type': 'application/json', Authorization: SECRET },
				body: JSON.stringify(delivery('message.any', payload, { id: eventId, instanceId })),
			});
			return { status: response.status, body: await response.text() };
		};
		const answers = await Promise.all([
			post(ROUND_TRIP.webhookId, voicePayload('false_201063178738@c.us_E2EVOICE0001', fake.mediaLink('voice.ogg')), 'evt_e2e_voice_round_trip'),
			post(assistant.nodes.find((node) => node.webhookId).webhookId, voicePayload('false_201063178738@c.us_E2EVOICE0002', fake.mediaLink('voice.ogg', { other: true })), 'evt_e2e_voice_assistant'),
		]);
		t.check(answers.every((answer) => answer.status === 200 && answer.body === ''), `${label}: media: both voice-note deliveries are answered with an empty 200`, answers);

		const [trip, example] = await Promise.all([onlyExecutionOf(n8n, bins, roundTripId), onlyExecutionOf(n8n, bins, assistantId)]);
		const triggered = executionOutputOf(trip, TRIGGER_NAME)[0];
		const downloaded = executionOutputOf(trip, 'Download Media')[0];
		const fileOf = async (item, field) => {
			const binary = item?.binary?.[field];
			const bytes = await bytesOfBinary(n8n, binary);
			return { mimeType: binary?.mimeType, fileName: binary?.fileName, sha256: bytes && sha256(bytes) };
		};
		const files = { trigger: await fileOf(triggered, 'data'), download: await fileOf(downloaded, 'downloaded') };
		const expectedFile = { mimeType: 'audio/ogg', fileName: 'false_201063178738@c.us_E2EVOICE0001.ogg', sha256: sha256(VOICE.bytes) };
		t.check(
			trip.status === 'success' && triggered?.json.media_error === null && JSON.stringify(files.trigger) === JSON.stringify(expectedFile) && JSON.stringify(files.download) === JSON.stringify(expectedFile),
			`${label}: media: the Trigger's Download Media option and Message > Download Media each hold the served voice note (audio/ogg, sha256 equal)`,
			{ status: trip.status, media_error: triggered?.json.media_error, files, expectedFile },
		);
		const upload = fake.uploads.find((file) => file.endpoint === 'send-voice');
		t.check(
			upload !== undefined && sha256(upload.bytes) === sha256(VOICE.bytes) && fake.messagesTo('201063178738@c.us').some((message) => message.endpoint === 'send-voice'),
			`${label}: media: Send Media sent the voice note back to the sender, byte-exact in the fake's outbox`,
			{ uploads: fake.uploads.map((file) => ({ endpoint: file.endpoint, filename: file.filename, size: file.bytes.length })), messages: fake.messages },
		);

		const [sttUpload] = stt.uploads;
		const reply = fake.messages.find((message) => message.endpoint === 'send-text-safe');
		t.check(
			example.status === 'success' &&
				stt.uploads.length === 1 &&
				sttUpload.model === 'whisper-1' &&
				sttUpload.file?.filename === 'false_201063178738@c.us_E2EVOICE0002.ogg' &&
				sttUpload.file.contentType === 'audio/ogg' &&
				sha256(sttUpload.file.bytes) === sha256(VOICE.bytes) &&
				reply?.chatId === '201063178738@c.us' &&
				reply.body.text === `You said: ${TRANSCRIPT}` &&
				reply.body.reply_to === 'false_201063178738@c.us_E2EVOICE0002',
			`${label}: media: voice-note-assistant example: the voice note goes to speech-to-text as an .ogg file, and the transcript back to the sender`,
			{ status: example.status, error: example.run?.resultData?.error?.message, stt: stt.uploads.map((u) => ({ ...u, file: u.file && { filename: u.file.filename, contentType: u.file.contentType, size: u.file.bytes.length } })), reply },
		);
		const tokenSentTo = fake.mediaRequests.map((request) => `${request.origin}:${request.authorization === `Bearer ${fake.token}` ? 'token' : request.authorization === undefined ? 'none' : 'other'}`);
		t.check(
			JSON.stringify(tokenSentTo.sort()) === JSON.stringify(['api:token', 'api:token', 'other:none']),
			`${label}: media: the token went with the media links on the Base URL's origin only`,
			fake.mediaRequests,
		);
	} finally {
		await stt.stop();
	}
}
