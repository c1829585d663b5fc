'use strict';
/**
 * A fake Hypersender WhatsApp API v2 for tests, benchmarks and `npm run dev -- --fake`.
 * It follows ../shared/hypersender-api.md: bearer auth (401), the instance check (404),
 * Laravel-style 422 validation, offset paging, and a fixed-window rate limit that answers
 * 429 with Retry-After. Switches make it answer 429/5xx, drop connections, or answer as a
 * misbehaving proxy or server would (redirects, HTML, cut-off bodies, echoed headers) on demand.
 * Listens on 127.0.0.1 only.
 *
 * Run standalone: node test/fake-hypersender/server.js [--port 5679] [--token T] [--instance I]
 *   [--rate-limit 600] [--window-ms 60000]
 * It prints one JSON line {"url", "apiBaseUrl", "token", "instanceId"} once listening.
 * To look inside from a browser or curl (no auth): GET /__fake/contacts (the address book),
 * GET /__fake/requests (what was sent).
 */
const http = require('node:http');

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

function validationError(errors) {
	return { status: 422, body: { message: 'The given data was invalid.', errors } };
}

class FakeHypersender {
	constructor({ token = 'test|fake-token-0123456789abcdefghijklmnopqrstuvwxyz', instanceId = '9d1f6f5e-2a3b-4c5d-8e9f-0a1b2c3d4e5f', rateLimit, windowMs = 60_000, rateLimitHeaders = true, latencyMs = 0, logRequests = true } = {}) {
		this.token = token;
		this.instanceId = instanceId;
		this.rateLimit = rateLimit;
		this.windowMs = windowMs;
		this.rateLimitHeaders = rateLimitHeaders;
		this.latencyMs = latencyMs;
		this.logRequests = logRequests;
		this.contacts = new Map();
		this.requests = [];
		this.failures = [];
		this.connectionsToDrop = 0;
		this.rawAnswers = [];
		this.pagingIgnoresOffset = false;
		this.window = { startedAt: 0, count: 0 };
		this.stats = { total: 0, rateLimited: 0 };
		this.sockets = new Set();
		this.server = http.createServer((req, res) => this.handle(req, res));
		this.server.keepAliveTimeout = 30_000;
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
	}

	async start(port = 0) {
		await new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, '127.0.0.1', resolve);
		});
		this.url = `http://127.0.0.1:${this.server.address().port}`;
		return this;
	}

	async stop() {
		for (const socket of this.sockets) socket.destroy();
		await new Promise((resolve) => this.server.close(() => resolve()));
	}

	reset() {
		this.contacts.clear();
		this.requests = [];
		this.failures = [];
		this.connectionsToDrop = 0;
		this.rawAnswers = [];
		this.pagingIgnoresOffset = false;
		this.window = { startedAt: 0, count: 0 };
		this.stats = { total: 0, rateLimited: 0 };
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
		let raw = '';
		req.setEncoding('utf8');
		req.on('data', (chunk) => {
			raw += chunk;
		});
		req.on('end', () => {
			const url = new URL(req.url, 'http://127.0.0.1');
			if (url.pathname.startsWith('/__fake/')) return this.handleControl(req, res, url);
			this.stats.total++;
			const answer = () => {
				const { status, body, headers, raw: rawAnswer } = this.answer(req, url, raw);
				if (rawAnswer) return this.sendRaw(req, res, rawAnswer);
				if (status === undefined) return;
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
		if (this.window.count <= this.rateLimit) return { headers };
		const retryAfter = Math.max(1, Math.ceil((this.window.startedAt + this.windowMs - now) / 1000));
		return { limited: true, headers: { ...headers, 'Retry-After': String(retryAfter) } };
	}

	answer(req, url, raw) {
		const record = { method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), body: undefined, authorization: req.headers.authorization };
		if (this.logRequests) this.requests.push(record);

		if (this.connectionsToDrop > 0) {
			this.connectionsToDrop--;
			req.socket.destroy();
			return {};
		}

		const rawAnswer = this.rawAnswers.shift();
		if (rawAnswer) return { raw: rawAnswer };

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
		try {
			body = raw ? JSON.parse(raw) : {};
		} catch {
			return { status: 400, body: { message: 'Malformed JSON' } };
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
						: { status: 404, body: { message: 'Not Found' } };
		return { ...result, headers: { ...verdict.headers, ...result.headers } };
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

module.exports = { FakeHypersender, contactKey };

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
	});
	fake.start(Number(option('port', 0))).then(() => {
		process.stdout.write(`${JSON.stringify({ url: fake.url, apiBaseUrl: `${fake.url}/api/whatsapp/v2/${fake.instanceId}`, token: fake.token, instanceId: fake.instanceId })}\n`);
	});
	const stop = () => fake.stop().then(() => process.exit(0));
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}
