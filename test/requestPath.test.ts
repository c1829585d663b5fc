/**
 * The request path against a misbehaving server, a careless proxy and careless input: every
 * case runs the node through n8n's WorkflowExecute against the fake Hypersender on 127.0.0.1.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { inspect } from 'node:util';
import { RoutingNode } from 'n8n-core';
import * as n8nAuthentication from 'n8n-core/dist/execution-engine/node-execution-context/utils/request-helpers/authentication';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { FakeHypersender } from './fake-hypersender/server';
import { credentialsFor, errorOf, INSTANCE_ID, TOKEN, useFakeHypersender } from './fixtures';
import type { ItemError } from './fixtures';
import { heldClock } from './helpers/heldClock';
import { runHypersender } from './helpers/runWorkflow';

// Pacing, back-offs and deadlines run on a virtual clock that a test may hold still (helpers/heldClock.ts).
jest.mock('../nodes/Hypersender/transport/clock', () => ({
	...jest.requireActual('../nodes/Hypersender/transport/clock'),
	systemClock: jest.requireActual('./helpers/heldClock').heldClock,
}));

const fake = useFakeHypersender();
// Each test starts an hour after the last: no spacing, pause or plan of an earlier test holds.
beforeEach(() => heldClock.advance(60 * 60_000));
afterEach(() => heldClock.letGo());

// The longest back-off before the first retry (transport/index.ts backoffMs: 500 ms, half of it jitter).
const BACKOFF_CEILING_MS = 500;

/** Waits, in real time, for something the server or the node does (at most 20 s, then the test goes on to fail). */
async function until(condition: () => boolean): Promise<void> {
	for (let i = 0; i < 2000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}
// A second origin (another port on loopback), to see what a redirect would hand it.
const otherHost = new FakeHypersender({ token: TOKEN, instanceId: INSTANCE_ID });
beforeAll(async () => {
	await otherHost.start();
});
afterAll(async () => {
	await otherHost.stop();
});
beforeEach(() => otherHost.reset());

const upsertParameters = (options: IDataObject = {}): IDataObject => ({
	operation: 'upsert',
	chatId: '={{ $json.phone }}',
	firstName: '={{ $json.first }}',
	lastName: '={{ $json.last }}',
	options,
});

async function upsertOne(options: IDataObject = {}, credentialOverrides: IDataObject = {}, row: IDataObject = { phone: '+12132132130', first: 'Maria' }) {
	const result = await runHypersender({
		items: [row],
		parameters: upsertParameters(options),
		credentials: credentialsFor(fake, credentialOverrides),
		continueOnFail: true,
	});
	expect(result.error).toBeUndefined();
	expect(result.output).toHaveLength(1);
	return result.output![0];
}

/** Everything an error carries, as n8n's log, UI and a careless `console.log` would show it. */
function everythingIn(error: unknown): string {
	const cause = (error as { cause?: unknown }).cause;
	return [JSON.stringify(error), inspect(error, { depth: 12, showHidden: true }), JSON.stringify(cause ?? null), inspect(cause, { depth: 12, showHidden: true })].join('\n');
}

describe('1. redirects: the token never goes to another origin', () => {
	test('a redirect without a Location says so', async () => {
		fake.answerNextWith(1, { status: 302 });
		const error = errorOf(await upsertOne());
		expect(error.message).toBe("Hypersender's address redirected (HTTP 302 without a Location); the node does not follow redirects");
	});

	test.each([301, 302, 307, 308])('a %i to another host fails the item; that host receives nothing', async (status) => {
		fake.answerNextWith(1, { status, headers: { Location: `${otherHost.url}/api/whatsapp/v2/${INSTANCE_ID}/contacts/upsert` } });
		const error = errorOf(await upsertOne());
		expect(error.message).toBe(`Hypersender's address redirected (HTTP ${status} to ${otherHost.url}); the node does not follow redirects`);
		expect(error.description).toContain("Set 'Base URL'");
		expect(otherHost.requests).toHaveLength(0);
		expect(fake.requests).toHaveLength(1);
	});
});

describe('2. answers that are not what the API documents are item errors that say what came back', () => {
	test.each<[string, { status?: number; headers?: Record<string, string>; body?: string }, string, string]>([
		['an HTML login page', { headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: '<!DOCTYPE html><html><head><title>Sign in</title></head><body>Log in</body></html>' }, 'not JSON', 'HTTP 200, text/html, "<!DOCTYPE html><html><head><title>Sign in</title>'],
		['an empty 200', { headers: { 'Content-Type': 'application/json' }, body: '' }, 'no JSON object', 'HTTP 200, application/json, an empty body'],
		['plain text', { headers: { 'Content-Type': 'text/plain' }, body: 'OK' }, 'not JSON', 'HTTP 200, text/plain, "OK"'],
		['a JSON list', { headers: { 'Content-Type': 'application/json' }, body: '[1,2]' }, 'no JSON object', 'HTTP 200, application/json, "[1,2]"'],
		['a 204 without body', { status: 204 }, 'no JSON object', 'HTTP 204, no content type, an empty body'],
		['"data" of the wrong shape', { headers: { 'Content-Type': 'application/json' }, body: '{"message":"ok","data":"yes"}' }, '"data" is not an object', 'HTTP 200, application/json'],
	])('%s', async (_what, answer, problem, shown) => {
		fake.answerNextWith(1, answer);
		const item = await upsertOne();
		const error = errorOf(item);
		expect(error.message).toBe(`Hypersender's answer is not what the API documents: ${problem}`);
		expect(error.description).toContain(`It answered ${shown}`);
		expect(item.json).not.toHaveProperty('success');
		expect(fake.requests).toHaveLength(1);
	});

	test.each(['"false"', '0', 'null'])('success: %s is a failure too', async (value) => {
		fake.answerNextWith(1, { headers: { 'Content-Type': 'application/json' }, body: `{"message":"No","data":{"success":${value}}}` });
		const item = await upsertOne();
		expect(errorOf(item).message).toBe('Hypersender reported a failure: "No" (success: false)');
	});

	test('a 422 whose messages are huge is quoted short', async () => {
		fake.answerNextWith(1, { status: 422, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message: 'x', errors: { first_name: ['y'.repeat(100_000)] } }) });
		const error = errorOf(await upsertOne());
		expect(error.message.length).toBeLessThan(700);
		expect(error.message).toContain('characters)');
	});

	test('success: false is a failure that quotes Hypersender, never success: true', async () => {
		fake.answerNextWith(1, { headers: { 'Content-Type': 'application/json' }, body: '{"message":"Number is blocked","data":{"success":false}}' });
		const error = errorOf(await upsertOne());
		expect(error.message).toBe('Hypersender reported a failure: "Number is blocked" (success: false)');
	});

	test('Get Many: "data" that is not a list fails the item, and the workflow goes on under On Error: Continue', async () => {
		fake.answerNextWith(1, { headers: { 'Content-Type': 'application/json' }, body: '{"message":"ok","data":{"id":"1@c.us"}}' });
		const { output, error } = await runHypersender({ items: [{}], parameters: { operation: 'getAll', returnAll: true }, credentials: credentialsFor(fake), continueOnFail: true });
		expect(error).toBeUndefined();
		expect(output).toHaveLength(1);
		expect(errorOf(output![0]).message).toBe('Hypersender\'s answer is not what the API documents: "data" is not a list of objects');
	});

	test('Get: a found contact whose "data" is not an object fails the item', async () => {
		fake.answerNextWith(1, { headers: { 'Content-Type': 'application/json' }, body: '{"message":"ok","data":null}' });
		const { output } = await runHypersender({ items: [{}], parameters: { operation: 'get', chatId: '+12132132130' }, credentials: credentialsFor(fake), continueOnFail: true });
		expect(errorOf(output![0]).message).toContain('"data" is not an object');
	});
});

describe('3. options from expressions: a clear error for that item, nothing sent', () => {
	test.each<[string, IDataObject, string]>([
		['Max Retries as text', { maxRetries: '={{ "many" }}' }, `'Max Retries' in item 0 is "many", not a whole number from 0 to 10`],
		['Max Retries as a fraction', { maxRetries: '={{ 2.5 }}' }, `'Max Retries' in item 0 is 2.5, not a whole number from 0 to 10`],
		['Max Retries negative', { maxRetries: '={{ -1 }}' }, `'Max Retries' in item 0 is -1, not a whole number from 0 to 10`],
		['Max Retries out of range', { maxRetries: '={{ 1e9 }}' }, `'Max Retries' in item 0 is 1000000000, not a whole number from 0 to 10`],
		['Sync Attempts as text', { syncAttempts: '={{ "twice" }}' }, `'Sync Attempts' in item 0 is "twice", not a whole number from 1 to 3`],
		['Sync Attempts zero', { syncAttempts: '={{ 0 }}' }, `'Sync Attempts' in item 0 is 0, not a whole number from 1 to 3`],
		['the sync delay negative', { syncAttempts: 2, syncDelaySeconds: '={{ -3 }}' }, `'Delay Between Sync Attempts (Seconds)' in item 0 is -3, not a whole number from 0 to 60`],
		['Requests per Minute as text', { requestsPerMinute: '={{ "fast" }}' }, `'Requests per Minute' in item 0 is "fast", not a whole number from 0 to 100000`],
		['Requests per Minute as an object', { requestsPerMinute: '={{ { a: 1 } }}' }, `'Requests per Minute' in item 0 is {"a":1}, not a whole number from 0 to 100000`],
		['Max Retries as hexadecimal text', { maxRetries: '={{ "0x5" }}' }, `'Max Retries' in item 0 is "0x5", not a whole number from 0 to 10`],
		['Max Retries in exponent notation', { maxRetries: '={{ "1e1" }}' }, `'Max Retries' in item 0 is "1e1", not a whole number from 0 to 10`],
		['Verify as a word', { verify: '={{ "yes" }}' }, `'Verify by Reading Back' in item 0 is "yes", not true or false`],
	])('%s', async (_what, options, message) => {
		const error = errorOf(await upsertOne(options));
		expect(error.message).toBe(message);
		expect(error.description).toContain('Nothing was sent for this item.');
		expect(fake.requests).toHaveLength(0);
	});

	test('a number given as text from an expression is read as that number', async () => {
		fake.failNext(2, 503);
		const item = await upsertOne({ maxRetries: '={{ "2" }}' });
		expect(item.error).toBeUndefined();
		expect(fake.requests).toHaveLength(3);
	});

	test('Return All and Verify given as the text "true" by an expression are read as true', async () => {
		for (let i = 0; i < 60; i++) fake.addContact(String(10_000_000_000 + i), `Contact ${i}`);
		const { output } = await runHypersender({ items: [{}], parameters: { operation: 'getAll', returnAll: '={{ "true" }}' }, credentials: credentialsFor(fake) });
		expect(output).toHaveLength(60);
		fake.reset();
		const item = await upsertOne({ verify: '={{ "true" }}' });
		expect(item.json.verification).toMatchObject({ found: true, name_matches: true });
	});

	test('Return All that is neither true nor false fails the item instead of quietly returning 50', async () => {
		const { output } = await runHypersender({ items: [{}], parameters: { operation: 'getAll', returnAll: '={{ "yes" }}' }, credentials: credentialsFor(fake), continueOnFail: true });
		expect(output).toHaveLength(1);
		expect(errorOf(output![0]).message).toBe(`'Return All' in item 0 is "yes", not true or false`);
		expect(fake.requests).toHaveLength(0);
	});

	test.each<[string, string]>([
		['={{ "ten" }}', `'Limit' in item 0 is "ten", not a whole number from 1 to 100000`],
		['={{ 0 }}', `'Limit' in item 0 is 0, not a whole number from 1 to 100000`],
		['={{ 2.5 }}', `'Limit' in item 0 is 2.5, not a whole number from 1 to 100000`],
	])('Get Many with Limit %p fails the item instead of dropping contacts', async (limit, message) => {
		fake.addContact('12132132130', 'Ana');
		const { output } = await runHypersender({ items: [{}], parameters: { operation: 'getAll', returnAll: false, limit }, credentials: credentialsFor(fake), continueOnFail: true });
		expect(output).toHaveLength(1);
		expect(errorOf(output![0]).message).toBe(message);
		expect(fake.requests).toHaveLength(0);
	});
});

describe('4. cancel: waiting requests end without being sent', () => {
	test('stopping an execution on a slow plan sends nothing more, and the next run on the account is not held back', async () => {
		// 60 per minute: one request every ~1 s of virtual time, held still, so four items wait in the pacer.
		const credentials = credentialsFor(fake, { rateLimitPlan: 'starter' });
		const spacingMs = 60_000 / (60 * 0.98);
		const rows = Array.from({ length: 5 }, (_, i) => ({ phone: `+1213213213${i}`, first: `Row ${i}` }));
		heldClock.hold();
		let cancelExecution = () => {};
		const run = runHypersender({ items: rows, parameters: upsertParameters(), credentials, continueOnFail: true, onStart: (cancel) => (cancelExecution = cancel) });
		await until(() => fake.requests.length === 1 && heldClock.sleepsHeld() === 1);
		expect(fake.requests).toHaveLength(1);
		const firstSentAt = heldClock.now();
		cancelExecution();
		await run;
		// Time goes on past every waiting row's turn: a row still queued would be let through now,
		// ahead of the next run's request, and spend a turn of the account.
		heldClock.letGo();

		const next = await runHypersender({ items: [{ phone: '+12132132139', first: 'Next' }], parameters: upsertParameters(), credentials, continueOnFail: true });
		expect(next.output?.[0].error).toBeUndefined();
		expect(fake.requests.map((request) => request.body?.first_name)).toEqual(['Row 0', 'Next']);
		// The next request went one spacing after Row 0, not after four more.
		expect(heldClock.now() - firstSentAt).toBeCloseTo(spacingMs, 6);
	});
});

describe('6. retries', () => {
	test('a 5xx with Retry-After waits and is retried', async () => {
		fake.failNext(1, 503, { retryAfter: 1 });
		const item = await upsertOne();
		expect(item.error).toBeUndefined();
		expect(fake.requests).toHaveLength(2);
	});

	test('a Retry-After longer than the node waits fails the item at once and says so', async () => {
		fake.failNext(1, 503, { retryAfter: 3600 });
		const error = errorOf(await upsertOne());
		expect(error.message).toBe('Hypersender failed on its side (HTTP 503)');
		expect(error.description).toContain('asked to wait 3600 s before trying again, longer than the node waits (5 min)');
		expect(fake.requests).toHaveLength(1);
	});

	test('a connection dropped in the middle of the body is retried', async () => {
		fake.answerNextWith(1, { headers: { 'Content-Type': 'application/json' }, body: '{"message":"Contact upserted successfully.","data":{"success":true}}', cutOffAfter: 12 });
		const item = await upsertOne();
		expect(item.error).toBeUndefined();
		expect(fake.requests).toHaveLength(2);
		expect(fake.contact('12132132130')?.name).toBe('Maria');
	});

	test('a dropped connection names Hypersender and the code, not a generic network text', async () => {
		fake.dropNextConnections(1);
		const error = errorOf(await upsertOne({ maxRetries: 0 }));
		expect(error.message).toBe('The connection to Hypersender failed (ECONNRESET)');
		expect(error.description).toContain("Check the Base URL in the 'Hypersender API' credential");
	});

	test('a server that trickles its body is cut off at the time-out: the node ends that request before it tries again', async () => {
		// Every request gets its headers and then one space every 100 ms, for ever; the log says what the server saw.
		const log: string[] = [];
		let connections = 0;
		const trickle = await startServer((socket) => {
			const connection = ++connections;
			let timer: NodeJS.Timeout | undefined;
			let closed = false;
			const noteClosed = () => {
				clearInterval(timer);
				if (!closed) log.push(`closed ${connection}`);
				closed = true;
			};
			socket.on('end', noteClosed).on('close', noteClosed).on('error', noteClosed);
			socket.once('data', () => {
				log.push(`request ${connection}`);
				socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
				timer = setInterval(() => socket.write(' '), 100);
				log.push(`trickling ${connection}`);
			});
		});
		try {
			heldClock.hold();
			const run = runHypersender({
				items: [{ phone: '+12132132130', first: 'Maria' }],
				parameters: { ...upsertParameters({ maxRetries: 1 }), requestOptions: { timeout: 1000 } },
				credentials: credentialsFor(fake, { baseUrl: trickle.url }),
				continueOnFail: true,
			});
			await until(() => log.includes('trickling 1'));
			heldClock.advance(1000); // the first try's deadline
			await until(() => heldClock.sleepsHeld() === 1 && log.includes('closed 1')); // the back-off before the retry
			expect(log).toEqual(['request 1', 'trickling 1', 'closed 1']);
			heldClock.advance(BACKOFF_CEILING_MS);
			await until(() => log.includes('trickling 2'));
			heldClock.advance(1000); // the retry's deadline
			const { output } = await run;
			expect(errorOf(output![0]).message).toBe('Hypersender did not answer completely within 1 s');
			await until(() => log.includes('closed 2'));
			expect(log).toEqual(['request 1', 'trickling 1', 'closed 1', 'request 2', 'trickling 2', 'closed 2']);
		} finally {
			await trickle.stop();
		}
	});

	test('an error that was never retried does not say it was', async () => {
		fake.failNext(1, 500);
		const error = errorOf(await upsertOne({ maxRetries: 0 }));
		expect(error.message).toBe('Hypersender failed on its side (HTTP 500)');
		expect(error.description).not.toMatch(/tried|retries ran out/);
	});
});

/** A TCP server on 127.0.0.1 whose every connection is handled by `onConnection`; stop() closes them all. */
async function startServer(onConnection: (socket: Socket) => void): Promise<{ url: string; stop: () => Promise<void> }> {
	const sockets = new Set<Socket>();
	const server: Server = createServer((socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
		onConnection(socket);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		stop: async () => {
			sockets.forEach((socket) => socket.destroy());
			await new Promise((resolve) => server.close(resolve));
		},
	};
}

describe('7. secrets: the token appears in no error', () => {
	test('not in any error or its cause, whatever failed, even when the server echoes it', async () => {
		const garbage = await startServer((socket) => socket.on('data', () => socket.end(`NOT-HTTP ${TOKEN}\r\n\r\n`)));
		try {
			const errors: ItemError[] = [];
			const collect = async (options: IDataObject, overrides: IDataObject = {}) => errors.push(errorOf(await upsertOne({ maxRetries: 0, ...options }, overrides)));
			await collect({}, { apiToken: `${TOKEN}x` }); // 401
			fake.failNext(1, 500);
			await collect({});
			fake.dropNextConnections(1);
			await collect({});
			fake.answerNextWith(1, { status: 422, echoAuthorization: true, headers: { 'Content-Type': 'application/json' } });
			await collect({});
			fake.answerNextWith(1, { status: 500, echoAuthorization: true, headers: { 'Content-Type': 'application/json' } });
			await collect({});
			fake.answerNextWith(1, { status: 200, headers: { 'Content-Type': 'text/html' }, body: `<html>${TOKEN}</html>` });
			await collect({});
			fake.answerNextWith(1, { status: 302, headers: { Location: `${otherHost.url}/?token=${TOKEN}` } });
			await collect({});
			await collect({}, { baseUrl: garbage.url }); // an HTTP parse error
			await collect({}, { baseUrl: fake.url.replace('http:', 'https:') }); // a TLS error
			expect(errors).toHaveLength(9);
			for (const error of errors) {
				const shown = everythingIn(error);
				expect(shown).not.toContain(TOKEN);
				expect(shown).not.toContain(TOKEN.split('|')[1]);
				expect(shown).not.toMatch(/Bearer (?!\[redacted\])/);
			}
			expect(errors[5].message).toContain('is not what the API documents');
		} finally {
			await garbage.stop();
		}
	});

	test('not when the server echoes it URL-encoded or only its secret part', async () => {
		const secret = TOKEN.split('|')[1];
		fake.answerNextWith(1, { status: 500, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message: `bad ${encodeURIComponent(TOKEN)} and ${secret}` }) });
		const error = errorOf(await upsertOne({ maxRetries: 0 }));
		expect(everythingIn(error)).not.toContain(secret);
		expect(everythingIn(error)).not.toContain(encodeURIComponent(TOKEN));
	});

	test('not in the output when a 200 answer echoes the Authorization header', async () => {
		fake.answerNextWith(1, { status: 200, echoAuthorization: true, headers: { 'Content-Type': 'application/json' } });
		const item = await upsertOne();
		expect(item.error).toBeUndefined();
		expect(everythingIn(item)).not.toContain(TOKEN);
	});

	test.each<[string, IDataObject, string]>([
		['the token pasted into the Base URL', { baseUrl: `http://127.0.0.1:9/${TOKEN}` }, "The credential's Base URL contains the API token"],
		['the token URL-encoded in the Base URL', { baseUrl: `http://127.0.0.1:9/${encodeURIComponent(TOKEN)}` }, "The credential's Base URL contains the API token"],
		['the secret part of the token in the Base URL, in other letter case', { baseUrl: `http://127.0.0.1:9/${TOKEN.split('|')[1].toLowerCase()}` }, "The credential's Base URL contains the API token"],
		['user info in the Base URL', { baseUrl: 'http://user:secret@127.0.0.1:9' }, "The credential's Base URL contains a user name or password (before @)"],
		['a query in the Base URL', { baseUrl: 'http://127.0.0.1:9/?key=1' }, 'has a query (?) or fragment (#)'],
		['a fragment in the Base URL', { baseUrl: 'http://127.0.0.1:9/#top' }, 'has a query (?) or fragment (#)'],
		['a Base URL that is not http(s)', { baseUrl: 'file:///etc/passwd' }, 'is not an http(s) URL'],
		['an empty Instance ID', { instanceId: '  ' }, `The credential's Instance ID "" is not an instance ID`],
		['"." as Instance ID', { instanceId: '.' }, `The credential's Instance ID "." is not an instance ID`],
		['".." as Instance ID', { instanceId: '..' }, `The credential's Instance ID ".." is not an instance ID`],
	])('%s is refused before any request, saying what to fix', async (_what, overrides, message) => {
		const error = errorOf(await upsertOne({}, overrides));
		expect(error.message).toContain(message);
		expect(error.description).toMatch(/Nothing was sent for this item\. (Set|Put|Copy)/);
		expect(everythingIn(error)).not.toContain(TOKEN);
		expect(fake.requests).toHaveLength(0);
	});
});

describe('8. Get Many stops when the server makes no progress', () => {
	test('the same page again at the next offset is an error, not an endless loop', async () => {
		for (let i = 0; i < 1500; i++) fake.addContact(String(10_000_000_000 + i), `Contact ${i}`);
		fake.pagingIgnoresOffset = true;
		const { output } = await runHypersender({ items: [{}], parameters: { operation: 'getAll', returnAll: true }, credentials: credentialsFor(fake), continueOnFail: true });
		expect(output).toHaveLength(1);
		expect(errorOf(output![0]).message).toBe('Get Many stopped: Hypersender sent the same page again at offset 1000');
		expect(fake.requests).toHaveLength(2);
	});

	test('a page longer than asked for is an error', async () => {
		for (let i = 0; i < 20; i++) fake.addContact(String(10_000_000_000 + i), `Contact ${i}`);
		fake.answerNextWith(1, { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message: 'ok', data: [...fake.contacts.values()] }) });
		const { output } = await runHypersender({ items: [{}], parameters: { operation: 'getAll', returnAll: false, limit: 5 }, credentials: credentialsFor(fake), continueOnFail: true });
		expect(errorOf(output![0]).message).toBe('Get Many stopped: Hypersender sent 20 contacts for a page of 5');
	});
});

describe('9. input values', () => {
	test.each<[string, string, string]>([
		['an object', '={{ { first: "Ana" } }}', `'First Name' in item 0 is {"first":"Ana"}, not text`],
		['a list', '={{ ["Ana"] }}', `'First Name' in item 0 is ["Ana"], not text`],
		['a boolean', '={{ true }}', `'First Name' in item 0 is true, not text`],
		['only zero-width characters', '\u200B\u200D\uFEFF', `'First Name' in item 0 is "\u200B\u200D\uFEFF", which shows nothing`],
		['a Hangul filler and a Braille blank', '\u3164\u2800', `'First Name' in item 0 is "\u3164\u2800", which shows nothing`],
		['a lone combining mark', '\u0301', `'First Name' in item 0 is "\u0301", which shows nothing`],
		['not a number', '={{ NaN }}', `'First Name' in item 0 is NaN, not text`],
	])('a First Name that is %s is rejected naming item, field and value', async (_what, firstName, message) => {
		const { output } = await runHypersender({
			items: [{ phone: '+12132132130' }],
			parameters: { operation: 'upsert', chatId: '={{ $json.phone }}', firstName, options: {} },
			credentials: credentialsFor(fake),
			continueOnFail: true,
		});
		expect(errorOf(output![0]).message).toBe(message);
		expect(fake.requests).toHaveLength(0);
	});

	test('a Last Name that is an object is rejected too', async () => {
		const error = errorOf(await upsertOne({}, {}, { phone: '+12132132130', first: 'Ana', last: { x: 1 } }));
		expect(error.message).toBe(`'Last Name' in item 0 is {"x":1}, not text`);
	});

	test('an error quotes only a short prefix of a huge value', async () => {
		const huge = 'A'.repeat(200_000);
		const error = errorOf(await upsertOne({}, {}, { phone: huge, first: 'Ana' }));
		expect(error.message.length).toBeLessThan(300);
		expect(error.message).toContain('(200000 characters)');
	});
});

const sendTextParameters = (options: IDataObject = {}): IDataObject => ({ resource: 'message', operation: 'sendText', chatId: '+1 (213) 213-2130', text: 'Hello', options });

/** What the node handed n8n for its items in the last run, even where n8n drops it (a cancelled execution keeps no output). */
function whatTheNodeReturned() {
	const routing = jest.spyOn(RoutingNode.prototype, 'runNode');
	return {
		items: async () => ((await routing.mock.results[0]?.value) as INodeExecutionData[][] | undefined)?.[0] ?? [],
		restore: () => routing.mockRestore(),
	};
}

/**
 * n8n 1.x's HTTP helper (n8n-core 1.122, what n8n 1.123.81 ships) fails a request that got no
 * answer with a NodeApiError in its own words and without the cause: the code is only in
 * `httpCode`, or nowhere. From here on, until restored, n8n 2.40's failures come out so.
 */
function failingAsN8n1Does(httpCode: string | undefined) {
	const real = n8nAuthentication.httpRequestWithAuthentication;
	return jest.spyOn(n8nAuthentication, 'httpRequestWithAuthentication').mockImplementation(async function (this: ThisParameterType<typeof real>, ...args: Parameters<typeof real>) {
		try {
			return (await real.apply(this, args)) as unknown;
		} catch {
			throw Object.assign(new Error('The connection to the server was closed unexpectedly, perhaps it is offline. You can retry the request immediately or wait and retry later.'), {
				name: 'NodeApiError',
				...(httpCode === undefined ? {} : { httpCode }),
			});
		}
	});
}

describe('10. a send that may have reached Hypersender says so, whatever the HTTP client reports', () => {
	test.each<[string, string | undefined | null]>([
		['as n8n 2.40 reports it', null],
		['as n8n 1.x reports it: the code in httpCode only', 'ECONNRESET'],
		['as n8n 1.x may report it: no code at all', undefined],
	])('accepted, then the connection drops, %s: "may have been sent", not retried, one message', async (_how, httpCode) => {
		const n8n1 = httpCode === null ? undefined : failingAsN8n1Does(httpCode);
		try {
			fake.acceptThenDropNext(1);
			const { output } = await runHypersender({ items: [{}], parameters: sendTextParameters({ maxRetries: 5 }), credentials: credentialsFor(fake), continueOnFail: true });
			const error = errorOf(output![0]);
			expect(error.message).toMatch(/^The connection to Hypersender failed \((E[A-Z_]+|UNKNOWN)\); the message may have been sent$/);
			expect(error.description).toContain('did not send it again');
			expect(error.description).not.toMatch(/are retried/);
			expect(fake.messagesTo('12132132130@c.us')).toHaveLength(1);
			expect(fake.requests).toHaveLength(1);
		} finally {
			n8n1?.mockRestore();
		}
	});

	test.each([
		['as n8n 2.40 reports it', false],
		['as n8n 1.x reports it', true],
	])('a refused connection proves nothing went out, %s: the send says it could not reach Hypersender', async (_how, asN8n1) => {
		const n8n1 = asN8n1 ? failingAsN8n1Does('ECONNREFUSED') : undefined;
		const closed = await startServer(() => undefined);
		const closedUrl = closed.url;
		await closed.stop();
		try {
			const { output } = await runHypersender({ items: [{}], parameters: sendTextParameters({ maxRetries: 0 }), credentials: credentialsFor(fake, { baseUrl: closedUrl }), continueOnFail: true });
			const error = errorOf(output![0]);
			expect(error.message).toBe('Could not reach Hypersender (ECONNREFUSED)');
			expect(error.message + String(error.description)).not.toMatch(/may have been sent/);
		} finally {
			n8n1?.mockRestore();
		}
	});

	test('a cancel while the send is on its way says it may have been sent; a send still waiting for its turn says nothing was sent', async () => {
		// The server takes the first send in and never answers; the second waits for its turn (Starter: 1 a second, held still).
		const log: string[] = [];
		const silent = await startServer((socket) => socket.once('data', () => log.push('request')));
		const returned = whatTheNodeReturned();
		try {
			heldClock.hold();
			let cancelExecution = () => {};
			const run = runHypersender({
				items: [{}, {}],
				parameters: sendTextParameters(),
				credentials: credentialsFor(fake, { baseUrl: silent.url, rateLimitPlan: 'starter' }),
				continueOnFail: true,
				onStart: (cancel) => (cancelExecution = cancel),
			});
			await until(() => log.length === 1 && heldClock.sleepsHeld() === 1);
			cancelExecution();
			await run;
			const [onItsWay, waiting] = await returned.items();
			expect(errorOf(onItsWay).message).toBe("The execution was cancelled while item 0's request was on its way to Hypersender; the message may have been sent");
			expect(errorOf(onItsWay).description).toContain('Look in the WhatsApp chat');
			expect(errorOf(waiting).message).toBe("The execution was cancelled before item 1's request was sent");
			expect(errorOf(waiting).description).toBe('Nothing was sent to Hypersender for this item.');
			expect(log).toEqual(['request']);
		} finally {
			returned.restore();
			await silent.stop();
		}
	});
});

describe("11. n8n's routing options reach n8n's HTTP helper", () => {
	const restrictedTo = (allowedDomains: string) => ({ allowedHttpRequestDomains: 'domains', allowedDomains });

	test('a credential restricted to other domains than its Base URL is refused as n8n refuses it, before anything is sent', async () => {
		const { output } = await runHypersender({
			items: [{ phone: '+12132132130', first: 'Maria' }],
			parameters: upsertParameters(),
			credentials: credentialsFor(fake, restrictedTo('app.hypersender.com, *.example.com')),
			continueOnFail: true,
		});
		const error = errorOf(output![0]);
		expect(error.message).toBe(`Domain not allowed: the 'Hypersender API' credential may be used only with "app.hypersender.com, *.example.com", not with its Base URL's host "${new URL(fake.url).host}"`);
		expect(error.description).toMatch(/^Nothing was sent for this item\. n8n refused the request\. In the credential, add the Base URL's host to 'Allowed Domains'/);
		expect(fake.requests).toHaveLength(0);
	});

	test('a send refused so says nothing was sent, and is not tried again', async () => {
		const helper = jest.spyOn(n8nAuthentication, 'httpRequestWithAuthentication');
		try {
			const { output } = await runHypersender({ items: [{}], parameters: sendTextParameters({ maxRetries: 5 }), credentials: credentialsFor(fake, restrictedTo('app.hypersender.com')), continueOnFail: true });
			const error = errorOf(output![0]);
			expect(error.message).toMatch(/^Domain not allowed: /);
			expect(error.message + String(error.description)).not.toMatch(/may have been sent/);
			expect(helper).toHaveBeenCalledTimes(1);
			expect(fake.requests).toHaveLength(0);
		} finally {
			helper.mockRestore();
		}
	});

	test('a credential whose allowed domains include its Base URL works, and the helper gets the domains, the time-out and the SSL setting', async () => {
		const helper = jest.spyOn(n8nAuthentication, 'httpRequestWithAuthentication');
		try {
			const item = await upsertOne({}, restrictedTo('example.com, 127.0.0.1'));
			expect(item.error).toBeUndefined();
			expect(fake.contact('12132132130')?.name).toBe('Maria');
			expect(helper.mock.calls[0][1]).toMatchObject({ allowedDomains: 'example.com, 127.0.0.1', timeout: 300_000, skipSslCertificateValidation: false });
		} finally {
			helper.mockRestore();
		}
	});
});
