/**
 * The request path against a misbehaving server, a careless proxy and careless input: every
 * case runs the node through n8n's WorkflowExecute against the fake Hypersender on 127.0.0.1.
 */
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { inspect } from 'node:util';
import type { IDataObject } from 'n8n-workflow';

import { FakeHypersender } from './fake-hypersender/server';
import { credentialsFor, errorOf, INSTANCE_ID, TOKEN, useFakeHypersender } from './fixtures';
import type { ItemError } from './fixtures';
import { runHypersender } from './helpers/runWorkflow';

const fake = useFakeHypersender();
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
		// 60 per minute: one request every ~1 s, so five items wait in the pacer.
		const credentials = credentialsFor(fake, { rateLimitPlan: 'starter' });
		const rows = Array.from({ length: 5 }, (_, i) => ({ phone: `+1213213213${i}`, first: `Row ${i}` }));
		let cancelExecution = () => {};
		const run = runHypersender({ items: rows, parameters: upsertParameters(), credentials, continueOnFail: true, onStart: (cancel) => (cancelExecution = cancel) });
		for (let i = 0; i < 3000 && fake.requests.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
		expect(fake.requests).toHaveLength(1);
		cancelExecution();
		await run;
		// Long enough for two more paced requests, had the queue not been emptied.
		await new Promise((resolve) => setTimeout(resolve, 2500));
		expect(fake.requests).toHaveLength(1);

		const next = await runHypersender({ items: [{ phone: '+12132132139', first: 'Next' }], parameters: upsertParameters(), credentials, continueOnFail: true });
		expect(next.output?.[0].error).toBeUndefined();
		expect(fake.requests.map((request) => request.body?.first_name)).toEqual(['Row 0', 'Next']);
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

	test('a server that sends its headers and then trickles the body is cut off at the time-out', async () => {
		const trickle = await startServer((socket) => {
			socket.once('data', () => {
				socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
				const timer = setInterval(() => socket.write(' '), 100);
				const stop = setTimeout(() => socket.destroy(), 30_000);
				socket.on('close', () => {
					clearInterval(timer);
					clearTimeout(stop);
				});
			});
		});
		try {
			const { output } = await runHypersender({
				items: [{ phone: '+12132132130', first: 'Maria' }],
				parameters: { ...upsertParameters({ maxRetries: 0 }), requestOptions: { timeout: 1000 } },
				credentials: credentialsFor(fake, { baseUrl: trickle.url }),
				continueOnFail: true,
			});
			expect(errorOf(output![0]).message).toBe('Hypersender did not answer completely within 1 s');
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
		expect(error.description).toMatch(/Nothing was sent\. (Set|Put|Copy)/);
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
