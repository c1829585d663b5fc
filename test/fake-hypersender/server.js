'use strict';
/**
 * A fake Hypersender WhatsApp API v2 for tests, benchmarks and `npm run dev -- --fake`.
 * It follows ../shared/hypersender-api.md: bearer auth (401), the instance check (404),
 * Laravel-style 422 validation, offset paging, and a fixed-window rate limit that answers
 * 429 with Retry-After. Switches make it answer 429/5xx, drop connections, or answer as a
 * misbehaving proxy or server would (redirects, HTML, cut-off bodies, echoed headers) on demand.
 * Listens on 127.0.0.1 only.
 *
 * Messages (v2): every send endpoint validates its body as the contract says (422 in Laravel's
 * shape), takes JSON or a multipart upload (`file`; the bytes are kept in `uploads`), records
 * the message in `messages` and answers "queued" with a UUID. GET queued-requests/{uuid}
 * answers null while processing, for `pollsWhileProcessing` polls, then the outcome: 201, or
 * 404 for recipients in `notOnWhatsApp`, or whatever `outcomeNext` queued. `restrictSends` makes
 * it refuse sends as Hypersender does under a Meta restriction (423 capping or timelock) or for
 * an unresolved recipient, at once or as the queued outcome, for chosen chats or new contacts.
 *
 * Run standalone: node test/fake-hypersender/server.js [--port 5679] [--token T] [--instance I]
 *   [--rate-limit 600] [--window-ms 60000] [--reset-header]
 * `rateLimitResetHeader` (`--reset-header`) adds X-RateLimit-Reset (the window's end, Unix
 * seconds) to every answer the rate limit counts. Off by default: Laravel sends it only with
 * 429s and Hypersender documents none; n8n workers sharing one account use it to converge.
 * `messageRateLimit` counts sends apart from requests, per window (a plan's messages per minute),
 * and refuses a send over it with 429 and Retry-After before queuing it (`stats.messagesCapped`).
 * It prints one JSON line {"url", "apiBaseUrl", "token", "instanceId"} once listening.
 * To look inside from a browser or curl (no auth): GET /__fake/contacts (the address book),
 * GET /__fake/requests (what was sent).
 *
 * Media links (Hypersender does not document how its incoming media URLs look): GET
 * /media/<file> serves voice.ogg, photo.jpg or invoice.pdf (mediaFiles.js), on the API's origin
 * only with the Bearer token (401 otherwise), and on a second origin (`otherOrigin`, another port
 * on 127.0.0.1) without any auth. Every media request is recorded in `mediaRequests` with its
 * Authorization. Paths that misbehave, on both origins: /media/expired/<status>/<file>,
 * /media/login/<file> (an HTML login page), /media/big/<bytes> (that many bytes, no
 * Content-Length; /media/big-declared/<bytes> announces them), /media/trickle/<file> (the
 * first bytes, then nothing until `cutOffTrickles` or `stop`), /media/redirect?to=<url> (302),
 * /media/loop (302 to itself).
 */
const http = require('node:http');

const { MEDIA_FILES } = require('./mediaFiles');

const API_PREFIX = '/api/whatsapp/v2/';

function json(res, status, body, headers = {}) {
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'Content-Type': 'application/json',
		'Content-Length': Buffer.byteLength(text),
		...headers,
	});
	res.end(text);
}

/** The API treats `12132132130` and `12132132130@c.us` as one contact; `@lid` IDs stand for themselves. */
function contactKey(chatId) {
	if (/^\d{7,15}$/.test(chatId)) return `${chatId}@c.us`;
	if (/^\d{7,15}@c\.us$/.test(chatId)) return chatId;
	if (/^\d+@lid$/.test(chatId)) return chatId;
	return undefined;
}

const MESSAGE_ID = /^(true|false)_(\d+(-\d+)?@(c\.us|g\.us|lid))_[0-9A-Za-z]{6,}(_\d+@(c\.us|lid))?$/;
const CHAT_ID = /^(\d{5,15}@c\.us|\d+@lid|\d+(-\d+)?@g\.us)$/;

/** Parses a multipart/form-data body: fields as text, files as { filename, contentType, bytes }. */
function parseMultipart(buffer, contentType) {
	const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
	if (!match) return undefined;
	const delimiter = Buffer.from(`--${match[1] ?? match[2]}`);
	const fields = {};
	const files = {};
	let start = buffer.indexOf(delimiter);
	if (start === -1) return undefined;
	// Every part sits between two delimiters; the last delimiter is followed by "--".
	for (let parts = 0; parts < 100; parts++) {
		const headersStart = start + delimiter.length;
		if (buffer.subarray(headersStart, headersStart + 2).toString() === '--') return { fields, files };
		const headersEnd = buffer.indexOf('\r\n\r\n', headersStart);
		const next = buffer.indexOf(delimiter, headersEnd);
		if (headersEnd === -1 || next === -1) return undefined;
		const headers = buffer.subarray(headersStart + 2, headersEnd).toString('utf8');
		// The part's content ends with the CRLF that precedes the next delimiter.
		const content = buffer.subarray(headersEnd + 4, next - 2);
		const name = /name="([^"]*)"/i.exec(headers)?.[1];
		const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
		const partType = /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1];
		if (name === undefined) return undefined;
		if (filename !== undefined) files[name] = { filename, contentType: partType, bytes: Buffer.from(content) };
		else fields[name] = content.toString('utf8');
		start = next;
	}
	return undefined;
}

const isText = (value) => typeof value === 'string' && value.trim() !== '';
const isOptionalText = (value) => value === undefined || typeof value === 'string';
// Laravel's boolean rule: true, false, 1, 0, "1", "0" (a form field is text).
const isBoolean = (value) => [true, false, 1, 0, '1', '0'].includes(value);
const isOptionalBoolean = (value) => value === undefined || isBoolean(value);

function validationError(errors) {
	return { status: 422, body: { message: 'The given data was invalid.', errors } };
}

class FakeHypersender {
	constructor({ token = 'test|fake-token-0123456789abcdefghijklmnopqrstuvwxyz', instanceId = '9d1f6f5e-2a3b-4c5d-8e9f-0a1b2c3d4e5f', rateLimit, windowMs = 60_000, rateLimitHeaders = true, rateLimitResetHeader = false, messageRateLimit, latencyMs = 0, logRequests = true, requestClock } = {}) {
		this.token = token;
		this.instanceId = instanceId;
		this.rateLimit = rateLimit;
		this.windowMs = windowMs;
		this.rateLimitHeaders = rateLimitHeaders;
		this.rateLimitResetHeader = rateLimitResetHeader;
		/** Sends accepted per `windowMs` window, counted apart from requests (a plan's messages per minute); over it, 429. */
		this.messageRateLimit = messageRateLimit;
		this.latencyMs = latencyMs;
		this.logRequests = logRequests;
		/** When given, each recorded request gets `at`: the time it arrived, on this clock (a test's virtual clock). */
		this.requestClock = requestClock;
		this.contacts = new Map();
		this.reset();
		this.sockets = new Set();
		/** Requests that the hang switches never answer, while their connection is open. */
		this.unanswered = new Set();
		this.server = http.createServer((req, res) => this.handle(req, res));
		this.server.keepAliveTimeout = 30_000;
		/** The second origin: media links on another host than the API's, served without auth. */
		this.otherServer = http.createServer((req, res) => this.handleMedia(req, res, new URL(req.url, 'http://127.0.0.1'), 'other'));
		for (const server of [this.server, this.otherServer]) {
			server.on('connection', (socket) => {
				this.sockets.add(socket);
				socket.on('close', () => this.sockets.delete(socket));
			});
		}
	}

	async start(port = 0) {
		await new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, '127.0.0.1', resolve);
		});
		this.url = `http://127.0.0.1:${this.server.address().port}`;
		await new Promise((resolve, reject) => {
			this.otherServer.once('error', reject);
			this.otherServer.listen(0, '127.0.0.1', resolve);
		});
		this.otherOrigin = `http://127.0.0.1:${this.otherServer.address().port}`;
		return this;
	}

	trackUnanswered(req) {
		this.unanswered.add(req);
		req.socket.once('close', () => this.unanswered.delete(req));
	}

	/** How many requests are left unanswered with their connection open (a client still waiting for them). */
	unansweredRequests() {
		return this.unanswered.size;
	}

	/** Ends the connections of the requests left unanswered. */
	endUnanswered() {
		for (const req of this.unanswered) req.socket.destroy();
		this.unanswered.clear();
	}

	async stop() {
		for (const socket of this.sockets) socket.destroy();
		await Promise.all([this.server, this.otherServer].map((server) => new Promise((resolve) => server.close(() => resolve()))));
	}

	/** A media link: `/media/<path>` on the API's origin (needs the token), or on `otherOrigin` with `{ other: true }`. */
	mediaLink(path, { other = false } = {}) {
		return `${other ? this.otherOrigin : this.url}/media/${path}`;
	}

	/** How many trickle links are still open: a client that gives up closes its connection. */
	openTrickles() {
		return this.trickling.size;
	}

	/** Closes the connections of the trickle links mid-file, as a server that goes away. */
	cutOffTrickles() {
		for (const res of this.trickling) res.destroy();
		this.trickling.clear();
	}

	/** Serves a media link (see the header); on the API's origin only with the token. */
	handleMedia(req, res, url, origin) {
		this.mediaRequests.push({ origin, path: url.pathname, authorization: req.headers.authorization });
		req.resume();
		if (origin === 'api' && req.headers.authorization !== `Bearer ${this.token}`) return json(res, 401, { message: 'Unauthenticated.' });
		const [kind, ...rest] = url.pathname.slice('/media/'.length).split('/');
		const file = (name) => MEDIA_FILES[name];
		if (kind === 'loop') {
			res.writeHead(302, { Location: url.pathname, 'Content-Length': 0 });
			return res.end();
		}
		if (kind === 'redirect') {
			res.writeHead(302, { Location: url.searchParams.get('to') ?? '/', 'Content-Length': 0 });
			return res.end();
		}
		if (kind === 'expired') return json(res, Number(rest[0]), { message: 'This link has expired.' });
		if (kind === 'login') {
			const page = '<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>Sign in to Hypersender</form></body></html>';
			res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(page) });
			return res.end(page);
		}
		if (kind === 'big' || kind === 'big-declared') {
			const size = Number(rest[0]);
			res.writeHead(200, { 'Content-Type': 'application/octet-stream', ...(kind === 'big-declared' ? { 'Content-Length': size } : {}) });
			const chunk = Buffer.alloc(64 * 1024, 7);
			let sent = 0;
			// Written as the client reads: a client that gives up stops it.
			const pump = () => {
				while (sent < size && !res.destroyed) {
					const part = chunk.subarray(0, Math.min(chunk.length, size - sent));
					sent += part.length;
					if (!res.write(part)) return res.once('drain', pump);
				}
				if (!res.destroyed) res.end();
			};
			return pump();
		}
		const served = file(kind === 'trickle' ? rest[0] : kind);
		if (!served) return json(res, 404, { message: 'Not Found' });
		if (kind === 'trickle') {
			res.writeHead(200, { 'Content-Type': served.contentType, 'Content-Length': served.bytes.length });
			this.trickling.add(res);
			res.on('close', () => this.trickling.delete(res));
			return res.write(served.bytes.subarray(0, 8));
		}
		res.writeHead(200, { 'Content-Type': served.contentType, 'Content-Length': served.bytes.length });
		res.end(served.bytes);
	}

	reset() {
		this.contacts.clear();
		this.requests = [];
		/** Every request for a media link: `{ origin: 'api' | 'other', path, authorization }`. */
		this.mediaRequests = [];
		/** Answers of trickle links still open (`cutOffTrickles` or `stop` ends them). */
		this.trickling = new Set();
		this.failures = [];
		this.connectionsToDrop = 0;
		this.rawAnswers = [];
		this.pagingIgnoresOffset = false;
		this.window = { startedAt: 0, count: 0 };
		this.messageWindow = { startedAt: 0, count: 0 };
		this.stats = { total: 0, rateLimited: 0, messagesCapped: 0 };
		this.resetMessages();
	}

	resetMessages() {
		/** Every send that was accepted (queued), in order: what the recipients get. */
		this.messages = [];
		/** Files that arrived as multipart uploads: { endpoint, field, filename, contentType, bytes }. */
		this.uploads = [];
		this.queued = new Map();
		/** Chat IDs (as sent, e.g. 12132132130@c.us) whose queued sends end in 404. */
		this.notOnWhatsApp = new Set();
		/** Chat IDs (as sent) whose sends are refused at once with this answer: `{ status, body, times? }` (a 422, a 500...; `times` sends only). */
		this.refuseSendsTo = new Map();
		/** Set by `restrictSends`: which sends are refused, and how. */
		this.restriction = undefined;
		/** How many polls of a queued request answer "still processing" (null) before its outcome. */
		this.pollsWhileProcessing = 0;
		this.outcomes = [];
		this.acceptsToDrop = 0;
		/** Chat IDs (as sent) whose sends are accepted and queued, then never answered (the client gives up, or `stop` ends them). */
		this.hangSendsTo = new Set();
		this.messageCounter = 0;
		this.pollAnswers = [];
	}

	/**
	 * The next polls (GET queued-requests/{uuid}) get these answers in order, while sends are
	 * answered as usual: a raw answer as for `answerNextWith`, `{ drop: true }` (connection
	 * destroyed) or `{ hang: true }` (never answered; `stop` ends it).
	 */
	answerNextPollsWith(...answers) {
		this.pollAnswers.push(...answers);
	}

	/** The next `count` accepted sends end with this outcome: `{ status, body }` (status 404, 422, 500...). */
	outcomeNext(count, outcome) {
		for (let i = 0; i < count; i++) this.outcomes.push(outcome);
	}

	/** The next `count` sends are accepted and queued, then their connection is destroyed before the answer. */
	acceptThenDropNext(count) {
		this.acceptsToDrop += count;
	}

	/** Accepted sends to one chat ID. */
	messagesTo(chatId) {
		return this.messages.filter((message) => message.chatId === chatId);
	}

	/** The next `count` API requests get `status` (429 carries Retry-After when `retryAfter` is set). */
	failNext(count, status, { retryAfter } = {}) {
		for (let i = 0; i < count; i++) this.failures.push({ status, retryAfter });
	}

	/** The next `count` API requests have their connection destroyed before any answer. */
	dropNextConnections(count) {
		this.connectionsToDrop += count;
	}

	/**
	 * The next `count` API requests get this answer as it is, whatever they ask: `{ status,
	 * headers, body }` with `body` as raw text; `cutOffAfter: N` sends the headers and N bytes of
	 * the body, then destroys the connection; `echoAuthorization: true` puts the request's
	 * Authorization header into a JSON body, as a debugging proxy might.
	 */
	answerNextWith(count, answer) {
		for (let i = 0; i < count; i++) this.rawAnswers.push(answer);
	}

	addContact(chatId, name, pushname = name) {
		const id = contactKey(chatId);
		this.contacts.set(id, { id, name, pushname });
	}

	contact(chatId) {
		return this.contacts.get(contactKey(chatId) ?? chatId);
	}

	handle(req, res) {
		const chunks = [];
		req.on('data', (chunk) => {
			chunks.push(chunk);
		});
		req.on('end', () => {
			const bytes = Buffer.concat(chunks);
			const url = new URL(req.url, 'http://127.0.0.1');
			if (url.pathname.startsWith('/__fake/')) return this.handleControl(req, res, url);
			if (url.pathname.startsWith('/media/')) return this.handleMedia(req, res, url, 'api');
			this.stats.total++;
			const answer = () => {
				const { status, body, headers, raw: rawAnswer } = this.answer(req, url, bytes);
				if (rawAnswer) return this.sendRaw(req, res, rawAnswer);
				if (status === undefined) {
					// Never answered (a hang switch): open until the client gives up or `stop` ends it.
					if (!req.socket.destroyed) this.trackUnanswered(req);
					return;
				}
				json(res, status, body, headers);
			};
			if (this.latencyMs > 0) setTimeout(answer, this.latencyMs);
			else answer();
		});
	}

	sendRaw(req, res, { status = 200, headers = {}, body = '', cutOffAfter, echoAuthorization }) {
		const text = echoAuthorization ? JSON.stringify({ message: 'Echo', data: { headers: { authorization: req.headers.authorization } } }) : body;
		res.writeHead(status, { 'Content-Length': Buffer.byteLength(text), ...headers });
		if (cutOffAfter === undefined) return res.end(text);
		res.write(Buffer.from(text).subarray(0, cutOffAfter));
		setTimeout(() => req.socket.destroy(), 20);
	}

	handleControl(req, res, url) {
		const route = `${req.method} ${url.pathname}`;
		if (route === 'GET /__fake/contacts') return json(res, 200, [...this.contacts.values()]);
		if (route === 'GET /__fake/requests') return json(res, 200, this.requests);
		return json(res, 404, { message: 'Unknown control route' });
	}

	rateLimitVerdict() {
		if (!this.rateLimit) return { headers: {} };
		const now = Date.now();
		if (now - this.window.startedAt >= this.windowMs) this.window = { startedAt: now, count: 0 };
		this.window.count++;
		const remaining = Math.max(0, this.rateLimit - this.window.count);
		// Hypersender's limits are per minute, so the announced limit is too, whatever window a test shortens it to.
		const perMinute = Math.round((this.rateLimit * 60_000) / this.windowMs);
		const headers = this.rateLimitHeaders
			? { 'X-RateLimit-Limit': String(perMinute), 'X-RateLimit-Remaining': String(remaining) }
			: {};
		if (this.rateLimitResetHeader) headers['X-RateLimit-Reset'] = String(Math.ceil((this.window.startedAt + this.windowMs) / 1000));
		if (this.window.count <= this.rateLimit) return { headers };
		const retryAfter = Math.max(1, Math.ceil((this.window.startedAt + this.windowMs - now) / 1000));
		return { limited: true, headers: { ...headers, 'Retry-After': String(retryAfter) } };
	}

	/** With `messageRateLimit`: a send over the window's message count is refused with 429 and Retry-After, before it is queued. */
	messageCapVerdict() {
		if (!this.messageRateLimit) return undefined;
		const now = Date.now();
		if (now - this.messageWindow.startedAt >= this.windowMs) this.messageWindow = { startedAt: now, count: 0 };
		if (++this.messageWindow.count <= this.messageRateLimit) return undefined;
		this.stats.messagesCapped++;
		const retryAfter = Math.max(1, Math.ceil((this.messageWindow.startedAt + this.windowMs - now) / 1000));
		return { status: 429, body: { message: "Too many messages: your plan's messages per minute are used up." }, headers: { 'Retry-After': String(retryAfter) } };
	}

	answer(req, url, bytes) {
		const raw = bytes.toString('utf8');
		const record = { method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), body: undefined, authorization: req.headers.authorization };
		if (this.requestClock) record.at = this.requestClock();
		if (this.logRequests) this.requests.push(record);

		if (this.connectionsToDrop > 0) {
			this.connectionsToDrop--;
			req.socket.destroy();
			return {};
		}

		const rawAnswer = this.rawAnswers.shift();
		if (rawAnswer) return { raw: rawAnswer };

		if (req.method === 'GET' && /\/queued-requests\/[^/]+$/.test(url.pathname) && this.pollAnswers.length > 0) {
			const pollAnswer = this.pollAnswers.shift();
			if (pollAnswer.hang) return {};
			if (pollAnswer.drop) {
				req.socket.destroy();
				return {};
			}
			return { raw: pollAnswer };
		}

		const auth = req.headers.authorization ?? '';
		if (auth !== `Bearer ${this.token}`) return { status: 401, body: { message: 'Unauthenticated.' } };

		if (!url.pathname.startsWith(API_PREFIX)) return { status: 404, body: { message: 'Not Found' } };
		const [instance, ...rest] = url.pathname.slice(API_PREFIX.length).split('/');
		if (instance !== this.instanceId) return { status: 404, body: { message: 'Instance not found' } };

		const verdict = this.rateLimitVerdict();
		if (verdict.limited) {
			this.stats.rateLimited++;
			return { status: 429, body: { message: 'Too Many Attempts.' }, headers: verdict.headers };
		}

		const failure = this.failures.shift();
		if (failure) {
			const headers = failure.retryAfter !== undefined ? { 'Retry-After': String(failure.retryAfter) } : {};
			return { status: failure.status, body: { message: failure.status === 429 ? 'Too Many Attempts.' : 'Server Error' }, headers };
		}

		let body;
		let files = {};
		const contentType = String(req.headers['content-type'] ?? '');
		if (/^multipart\/form-data/i.test(contentType)) {
			const parsed = parseMultipart(bytes, contentType);
			if (!parsed) return { status: 400, body: { message: 'Malformed multipart body' } };
			body = parsed.fields;
			files = parsed.files;
		} else {
			try {
				body = raw ? JSON.parse(raw) : {};
			} catch {
				return { status: 400, body: { message: 'Malformed JSON' } };
			}
		}
		record.body = body;
		const route = `${req.method} ${rest.join('/')}`;
		const result =
			route === 'POST contacts/upsert'
				? this.upsert(body)
				: route === 'GET contacts/get'
					? this.get(url.searchParams)
					: route === 'GET contacts/get-all'
						? this.getAll(url.searchParams)
						: rest[0] === 'queued-requests' && req.method === 'GET' && rest.length === 2
							? this.queuedRequest(rest[1])
							: this.messageRoute(req, route, body, files, url);
		if (result.drop) {
			req.socket.destroy();
			return {};
		}
		if (result.hang) return {};
		return { ...result, headers: { ...verdict.headers, ...result.headers } };
	}

	/** A message endpoint: validates like the API, then queues. Unknown routes are 404. */
	messageRoute(req, route, body, files, url) {
		const endpoint = route.split(' ')[1].split('?')[0];
		const validate = MESSAGE_ENDPOINTS[route];
		if (!validate) return { status: 404, body: { message: 'Not Found' } };
		const input = req.method === 'DELETE' ? Object.fromEntries(url.searchParams) : body;
		const fileKeys = Object.keys(files);
		const errors = {};
		if (validate.chatId !== false) {
			if (!isText(input.chatId)) errors.chatId = ['The chat id field is required.'];
			else if (!CHAT_ID.test(input.chatId)) errors.chatId = ['The chat id format is invalid.'];
		}
		if (validate.messageId) {
			if (!isText(input.messageId)) errors.messageId = ['The message id field is required.'];
			else if (!MESSAGE_ID.test(input.messageId)) errors.messageId = ['The message id format is invalid.'];
		}
		if (validate.media) {
			const hasUrl = input.url !== undefined;
			const hasFile = fileKeys.includes('file');
			if (hasUrl === hasFile) errors.url = ['Give either url or file.'];
			else if (hasUrl && !/^https?:\/\/\S+$/.test(String(input.url))) errors.url = ['The url must be a valid URL.'];
			if (fileKeys.some((key) => key !== 'file')) errors.file = ['Only one file, in the field "file".'];
		} else if (fileKeys.length > 0) {
			errors.file = ['This endpoint takes no file.'];
		}
		if (!isOptionalText(input.reply_to) || (input.reply_to !== undefined && !MESSAGE_ID.test(input.reply_to))) errors.reply_to = ['The reply to format is invalid.'];
		Object.assign(errors, validate.body(input, files));
		if (Object.keys(errors).length) return validationError(errors);
		const capped = SEND_ENDPOINTS.has(endpoint) ? this.messageCapVerdict() : undefined;
		if (capped) return capped;
		const refusal = this.refuseSendsTo.get(input.chatId);
		if (refusal) {
			if (refusal.times !== undefined && --refusal.times <= 0) this.refuseSendsTo.delete(input.chatId);
			return { status: refusal.status, body: refusal.body };
		}
		const restricted = this.restrictionFor(endpoint, input.chatId);
		if (restricted?.at === 'answer') return restricted.answer;

		for (const [field, file] of Object.entries(files)) this.uploads.push({ endpoint, field, ...file });
		const uuid = `a0816120-0000-4000-8000-${String(this.queued.size + 1).padStart(12, '0')}`;
		// A reaction names no chat; its message ID does.
		const chatId = input.chatId ?? MESSAGE_ID.exec(input.messageId)[2];
		const outcome = this.outcomes.shift() ?? restricted?.answer ?? (this.notOnWhatsApp.has(chatId) ? { status: 404, body: { message: 'The recipient is not on WhatsApp.' } } : { status: 201 });
		this.queued.set(uuid, { uuid, request: { endpoint, ...input }, chatId, pollsLeft: this.pollsWhileProcessing, outcome });
		this.messages.push({ uuid, endpoint, chatId, body: input });
		if (this.acceptsToDrop > 0) {
			this.acceptsToDrop--;
			return { drop: true };
		}
		if (this.hangSendsTo.has(input.chatId)) return { hang: true };
		const base = `${this.url}${API_PREFIX}${this.instanceId}`;
		return { status: 200, body: { queued: true, message: 'Processing your request...', queued_request_uuid: uuid, queued_request_link: `${base}/queued-requests/${uuid}` } };
	}

	// ---- Meta restrictions and unresolved recipients (Hypersender product updates, mid 2026) ----

	/**
	 * From now on (until `reset`), sends are refused as Hypersender refuses them: `kind` is a key
	 * of REFUSALS; `at: 'answer'` refuses the send itself, `at: 'outcome'` accepts and queues it and
	 * its queued request ends so. Which sends: those to `chatIds` (as sent, e.g. 12132132130@c.us),
	 * or with `existingConversations` those to every other chat (new contacts), or else all.
	 * `status` replaces the kind's status (the status of "could not resolve" is not documented).
	 */
	restrictSends({ kind, at = 'answer', chatIds, existingConversations, status }) {
		const refusal = REFUSALS[kind];
		if (!refusal) throw new Error(`Unknown refusal ${kind}; known: ${Object.keys(REFUSALS).join(', ')}`);
		if (at !== 'answer' && at !== 'outcome') throw new Error(`at is 'answer' or 'outcome', not ${at}`);
		this.restriction = {
			at,
			answer: { status: status ?? refusal.status, body: refusal.body },
			chatIds: chatIds && new Set(chatIds),
			existingConversations: existingConversations && new Set(existingConversations),
		};
	}

	/** The restriction that refuses this send, if one does: `{ at, answer: { status, body } }`. */
	restrictionFor(endpoint, chatId) {
		const restriction = this.restriction;
		if (!restriction || !REFUSABLE_SEND.test(endpoint)) return undefined;
		if (restriction.chatIds && !restriction.chatIds.has(chatId)) return undefined;
		if (restriction.existingConversations?.has(chatId)) return undefined;
		return restriction;
	}

	// ---- end of Meta restrictions ----

	queuedRequest(uuid) {
		const entry = this.queued.get(uuid);
		if (!entry) return { status: 404, body: { message: 'Queued request not found.' } };
		const pending = { uuid, request: entry.request, response_status: null, response_body: null, response_header: null };
		if (entry.pollsLeft > 0) {
			entry.pollsLeft--;
			return { status: 200, body: pending };
		}
		if (!entry.answer) {
			const { status, body } = entry.outcome;
			const sentBody = () => {
				this.messageCounter++;
				return {
					key: { id: `3EB0${String(this.messageCounter).padStart(18, '0')}`, fromMe: true, remoteJid: entry.chatId.replace(/@c\.us$/, '@s.whatsapp.net') },
					status: 'PENDING',
					message: {},
					messageTimestamp: '1764859906',
				};
			};
			entry.answer = { response_status: status, response_body: body ?? (status === 201 ? sentBody() : { message: 'Server Error' }), response_header: { 'content-type': ['application/json'] } };
		}
		return { status: 200, body: { uuid, request: entry.request, ...entry.answer } };
	}

	upsert(body) {
		const errors = {};
		const { chat_id: chatId, first_name: firstName, last_name: lastName } = body;
		if (typeof chatId !== 'string' || chatId === '') errors.chat_id = ['The chat id field is required.'];
		else if (!contactKey(chatId)) errors.chat_id = ['The chat id format is invalid.'];
		if (typeof firstName !== 'string' || firstName.trim() === '') errors.first_name = ['The first name field is required.'];
		else if (firstName.length > 255) errors.first_name = ['The first name may not be greater than 255 characters.'];
		if (lastName !== undefined && lastName !== null && typeof lastName !== 'string') errors.last_name = ['The last name must be a string.'];
		if (Object.keys(errors).length) return validationError(errors);

		const id = contactKey(chatId);
		const name = lastName ? `${firstName} ${lastName}` : firstName;
		const existing = this.contacts.get(id);
		this.contacts.set(id, { id, name, pushname: existing?.pushname ?? name });
		return { status: 200, body: { message: 'Contact upserted successfully.', data: { success: true } } };
	}

	get(query) {
		const chatId = query.get('chat_id');
		if (!chatId) return validationError({ chat_id: ['The chat id field is required.'] });
		const key = contactKey(chatId);
		if (!key) return validationError({ chat_id: ['The chat id format is invalid.'] });
		const contact = this.contacts.get(key);
		if (!contact) return { status: 404, body: { message: 'Contact not found.' } };
		return { status: 200, body: { message: 'Contact retrieved successfully.', data: contact } };
	}

	getAll(query) {
		const errors = {};
		const limit = query.has('limit') ? Number(query.get('limit')) : 100;
		const offset = query.has('offset') ? Number(query.get('offset')) : 0;
		const sortBy = query.get('sort_by') ?? 'name';
		const sortOrder = query.get('sort_order') ?? 'asc';
		if (!Number.isInteger(limit) || limit < 1 || limit > 1000) errors.limit = ['The limit must be between 1 and 1000.'];
		if (!Number.isInteger(offset) || offset < 0) errors.offset = ['The offset must be at least 0.'];
		if (!['id', 'name'].includes(sortBy)) errors.sort_by = ['The selected sort by is invalid.'];
		if (!['asc', 'desc'].includes(sortOrder)) errors.sort_order = ['The selected sort order is invalid.'];
		if (Object.keys(errors).length) return validationError(errors);

		const sorted = [...this.contacts.values()].sort((a, b) => {
			const order = String(a[sortBy]).localeCompare(String(b[sortBy])) || a.id.localeCompare(b.id);
			return sortOrder === 'asc' ? order : -order;
		});
		const from = this.pagingIgnoresOffset ? 0 : offset;
		return { status: 200, body: { message: 'Contacts retrieved successfully.', data: sorted.slice(from, from + limit) } };
	}
}

// ---- Meta restrictions and unresolved recipients: the bodies of shared/hypersender-api.md "Errors" ----
const RESTRICTION_TAIL = 'You can send to numbers with an existing conversation, or use a different instance.';
const REFUSALS = {
	capping: {
		status: 423,
		body: { message: `Meta has capped this instance's new-chat messages for the current cycle. Hypersender cannot override this. The quota resets in 12 days, 4 hours. ${RESTRICTION_TAIL}` },
	},
	timelock: {
		status: 423,
		body: { message: `Meta has placed a temporary restriction on this instance, restricting messages to new contacts. Hypersender cannot override this. The restriction ends in 2 days, 5 hours. ${RESTRICTION_TAIL}` },
	},
	// The status is not documented; 404 is what a queued request reports for a recipient it did not reach.
	unresolved: {
		status: 404,
		body: { message: 'WhatsApp could not resolve this recipient. The number may not exist, may not be reachable, or the instance may be under a Meta restriction ending in 3 days. Try sending to a number with an open conversation, or use a different instance.' },
	},
	unresolvedWithoutRestriction: {
		status: 404,
		body: { message: 'WhatsApp could not resolve this recipient. The number may not exist, may not be reachable, or the instance may be under a Meta restriction. Try sending to a number with an open conversation, or use a different instance.' },
	},
};
/** Endpoints that send a message to a chat (what Meta's restrictions stop), not typing, seen or reactions. */
const REFUSABLE_SEND = /^(send-(?!seen$)[a-z-]+|forward-message)$/;
// ---- end of Meta restrictions ----

/** The endpoints that send a message to a person: what a plan's messages per minute count. */
const SEND_ENDPOINTS = new Set(['send-text', 'send-text-safe', 'send-image', 'send-file', 'send-video', 'send-voice', 'send-location', 'send-poll', 'send-contact-card', 'forward-message']);

const inRange = (value, low, high) => typeof value === 'number' && Number.isFinite(value) && value >= low && value <= high;

/** What each message endpoint requires beyond chatId (and messageId where `messageId` is set), as the contract lists it. */
const MESSAGE_ENDPOINTS = {
	'POST send-text': { body: textBody },
	'POST send-text-safe': { body: textBody },
	'POST send-image': { media: true, body: fileBody },
	'POST send-file': { media: true, body: fileBody },
	'POST send-video': {
		media: true,
		body: (input) => ({
			...(isBoolean(input.asNote) ? {} : { asNote: ['The as note field must be true or false.'] }),
			...(isOptionalText(input.caption) ? {} : { caption: ['The caption must be a string.'] }),
		}),
	},
	'POST send-voice': { media: true, body: () => ({}) },
	'POST send-location': {
		body: (input) => ({
			...(inRange(input.latitude, -90, 90) ? {} : { latitude: ['The latitude must be between -90 and 90.'] }),
			...(inRange(input.longitude, -180, 180) ? {} : { longitude: ['The longitude must be between -180 and 180.'] }),
			...(isText(input.title) ? {} : { title: ['The title field is required.'] }),
		}),
	},
	'POST send-poll': {
		body: ({ poll }) => {
			if (!poll || typeof poll !== 'object') return { poll: ['The poll field is required.'] };
			return {
				...(isText(poll.name) ? {} : { 'poll.name': ['The poll.name field is required.'] }),
				...(Array.isArray(poll.options) && poll.options.length >= 2 && poll.options.every(isText) ? {} : { 'poll.options': ['The poll.options must have at least 2 items.'] }),
				...(typeof poll.multipleAnswers === 'boolean' ? {} : { 'poll.multipleAnswers': ['The poll.multiple answers field must be true or false.'] }),
			};
		},
	},
	'POST send-contact-card': {
		body: ({ contacts }) => {
			const valid =
				Array.isArray(contacts) &&
				contacts.length > 0 &&
				contacts.every((card) => (isText(card?.vcard) && /^BEGIN:VCARD/i.test(card.vcard)) || (isText(card?.fullName) && isText(card?.phoneNumber)));
			return valid ? {} : { contacts: ['The contacts must be a list of {vcard} or {fullName, phoneNumber}.'] };
		},
	},
	'POST forward-message': { messageId: true, body: () => ({}) },
	'POST send-seen': { messageId: true, body: (input) => (isOptionalText(input.participant) ? {} : { participant: ['The participant must be a string.'] }) },
	'POST start-typing': { body: () => ({}) },
	'POST stop-typing': { body: () => ({}) },
	'PUT react-to-message': { chatId: false, messageId: true, body: (input) => (typeof input.reaction === 'string' ? {} : { reaction: ['The reaction must be a string.'] }) },
	'DELETE delete-message': { messageId: true, body: () => ({}) },
};

function textBody(input) {
	return {
		...(isText(input.text) ? {} : { text: ['The text field is required.'] }),
		...(isOptionalBoolean(input.link_preview) ? {} : { link_preview: ['The link preview field must be true or false.'] }),
	};
}

function fileBody(input) {
	const errors = {};
	for (const field of ['filename', 'mimetype', 'caption']) if (!isOptionalText(input[field])) errors[field] = [`The ${field} must be a string.`];
	return errors;
}

module.exports = { FakeHypersender, contactKey, REFUSALS, SEND_ENDPOINTS, MEDIA_FILES, parseMultipart };

if (require.main === module) {
	const args = process.argv.slice(2);
	const option = (name, fallback) => {
		const index = args.indexOf(`--${name}`);
		return index === -1 ? fallback : args[index + 1];
	};
	const rateLimit = option('rate-limit') ? Number(option('rate-limit')) : undefined;
	const fake = new FakeHypersender({
		token: option('token'),
		instanceId: option('instance'),
		rateLimit,
		windowMs: Number(option('window-ms', 60_000)),
		rateLimitResetHeader: args.includes('--reset-header'),
	});
	fake.start(Number(option('port', 0))).then(() => {
		process.stdout.write(`${JSON.stringify({ url: fake.url, apiBaseUrl: `${fake.url}/api/whatsapp/v2/${fake.instanceId}`, token: fake.token, instanceId: fake.instanceId })}\n`);
	});
	const stop = () => fake.stop().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}
