import type { IDataObject } from 'n8n-workflow';

import { ACCEPTED_CHAT_ID_FORMS, credentialsFor, errorOf, TOKEN, useFakeHypersender } from './fixtures';
import { maxRetriesOption, requestsPerMinuteOption } from '../nodes/Hypersender/descriptions/sharedOptions';
import { MAX_RETRIES, REQUESTS_PER_MINUTE } from '../nodes/Hypersender/transport';
import { runHypersender } from './helpers/runWorkflow';
import { virtualPacingClock } from './helpers/virtualPacingClock';

// Pacing and waits for retries run on a virtual clock (helpers/virtualPacingClock.ts): they take no real time and are measured exactly.
jest.mock('../nodes/Hypersender/transport/clock', () => ({
	...jest.requireActual('../nodes/Hypersender/transport/clock'),
	systemClock: jest.requireActual('./helpers/virtualPacingClock').virtualPacingClock,
}));

const fake = useFakeHypersender();
// Each test starts an hour after the last: no spacing or pause of an earlier test holds.
beforeEach(() => virtualPacingClock.advance(60 * 60_000));

const upsertFromJson: IDataObject = {
	operation: 'upsert',
	chatId: '={{ $json.phone }}',
	firstName: '={{ $json.first }}',
	lastName: '={{ $json.last }}',
};

async function upsert(items: IDataObject[], options: IDataObject = {}, continueOnFail = true) {
	return await runHypersender({
		items,
		parameters: { ...upsertFromJson, options },
		credentials: credentialsFor(fake),
		continueOnFail,
	});
}

describe('Contact > Upsert', () => {
	test('maps expressions from a CRM row to the endpoint and outputs the chat ID sent', async () => {
		const { output, error } = await upsert([{ phone: '+1 (213) 213-2130', first: 'Maria', last: 'Doe' }]);

		expect(error).toBeUndefined();
		expect(output).toEqual([
			{
				json: {
					success: true,
					message: 'Contact upserted successfully.',
					chat_id: '12132132130@c.us',
					first_name: 'Maria',
					last_name: 'Doe',
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(fake.requests).toHaveLength(1);
		expect(fake.requests[0]).toMatchObject({
			method: 'POST',
			path: `/api/whatsapp/v2/${fake.instanceId}/contacts/upsert`,
			body: { chat_id: '12132132130@c.us', first_name: 'Maria', last_name: 'Doe' },
			authorization: `Bearer ${TOKEN}`,
		});
		expect(fake.contact('12132132130')?.name).toBe('Maria Doe');
	});

	test('upsert then get round trip; a second upsert updates the same contact', async () => {
		await upsert([{ phone: '0012132132130', first: 'Maria' }]);
		await upsert([{ phone: '12132132130@s.whatsapp.net', first: 'María José', last: 'Núñez' }]);
		expect(fake.contacts.size).toBe(1);

		const { output } = await runHypersender({
			items: [{ phone: '+1 213.213.2130' }],
			parameters: { operation: 'get', chatId: '={{ $json.phone }}' },
			credentials: credentialsFor(fake),
		});
		expect(output).toEqual([
			{
				json: {
					found: true,
					chat_id: '12132132130@c.us',
					id: '12132132130@c.us',
					name: 'María José Núñez',
					pushname: 'Maria',
				},
				pairedItem: { item: 0 },
			},
		]);
	});

	test('names in any script reach the API unchanged, only trimmed', async () => {
		const names = [
			{ first: '  محمد ', last: 'الأحمد' },
			{ first: 'Дмитрий', last: 'Иванов' },
			{ first: 'Zoë', last: "O'Brien-Ångström" },
			{ first: '🚀 Rocket', last: '李' },
		];
		const rows = names.map((name, i) => ({ phone: `+1 213 213 21${10 + i}`, ...name }));
		const { output } = await upsert(rows);

		expect(output).toHaveLength(4);
		expect(fake.requests.map((request) => [request.body?.first_name, request.body?.last_name])).toEqual(
			names.map(({ first, last }) => [first.trim(), last]),
		);
		expect(fake.contact('12132132110')?.name).toBe('محمد الأحمد');
	});

	test('an empty Last Name is left out of the request, not sent as ""', async () => {
		await upsert([{ phone: '12132132130', first: 'Maria', last: '   ' }]);
		expect(fake.requests[0].body).toEqual({ chat_id: '12132132130@c.us', first_name: 'Maria' });
	});

	test.each(ACCEPTED_CHAT_ID_FORMS)('sends %p as chat_id %p', async (phone, sent) => {
		const { output } = await upsert([{ phone, first: 'Maria' }]);
		expect(output?.[0].json.chat_id).toBe(sent);
		expect(fake.requests[0].body?.chat_id).toBe(sent);
	});

	test.each([
		['', 'is empty'],
		['abc', 'contains letters'],
		['123456', 'is not a complete international number (no + in front), and no Country is set for it'],
		['1234567890123456', 'is not a complete international number (no + in front), and no Country is set for it'],
		['120363040000000000@g.us', 'is a group ID'],
		['maria@example.com', 'ends in an unknown suffix "@example.com"'],
		['0151 2345678', 'is a national number'],
	])('rejects %p before sending anything, naming item, field and value', async (phone, reason) => {
		const { output } = await upsert([{ phone, first: 'Maria' }]);

		expect(fake.requests).toHaveLength(0);
		expect(output).toHaveLength(1);
		const error = errorOf(output![0]);
		expect(error.message).toContain(`Invalid 'Chat ID or Phone' in item 0: "${phone}" ${reason}`);
		expect(error.description).toMatch(/^Nothing was sent for this item\. .+ Accepted: .*@c\.us.*1234567890@lid/);
	});

	test('a national number is accepted with a Default Country Code', async () => {
		const { output } = await upsert([{ phone: '0151 23456789', first: 'Jonas' }], { defaultCountryCode: '+49' });
		expect(output?.[0].json.chat_id).toBe('4915123456789@c.us');
		expect(fake.contact('4915123456789')?.name).toBe('Jonas');
	});

	test('the Country comes from each row: an ISO code, a calling code or a name', async () => {
		const rows = [
			{ phone: '0151 23456789', first: 'Jonas', country: 'DE' },
			{ phone: '(213) 213-2130', first: 'Maria', country: '+1' },
			{ phone: '020 7946 0958', first: 'Ben', country: 'United Kingdom' },
		];
		const { output } = await upsert(rows, { defaultCountryCode: '={{ $json.country }}' });
		expect(output!.map((item) => item.json.chat_id)).toEqual(['4915123456789@c.us', '12132132130@c.us', '442079460958@c.us']);
	});

	test('an unknown Country is named as such, before sending', async () => {
		const { output } = await upsert([{ phone: '0151 2345678', first: 'Jonas' }], { defaultCountryCode: 'Atlantis' });
		expect(errorOf(output![0]).message).toMatch(/^Invalid 'Country' in item 0: Country "Atlantis" /);
		expect(fake.requests).toHaveLength(0);
	});

	test('an empty First Name is rejected before sending', async () => {
		const { output } = await upsert([{ phone: '12132132130', first: '   ' }]);
		expect(errorOf(output![0]).message).toBe("'First Name' is empty in item 0");
		expect(fake.requests).toHaveLength(0);
	});

	test('On Error: Continue gives one output item per input item, errors paired with their input', async () => {
		const rows = [
			{ phone: '+1 213 213 2130', first: 'Ana' },
			{ phone: 'not a phone', first: 'Bad' },
			{ phone: '+44 20 7946 0958', first: 'Ben' },
			{ phone: '12132132131', first: '' },
			{ phone: '1234567890@lid', first: 'Cy' },
		];
		const { output, error } = await upsert(rows);

		expect(error).toBeUndefined();
		expect(output).toHaveLength(5);
		expect(output!.map((item) => item.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
		expect(output!.map((item) => Boolean(item.error))).toEqual([false, true, false, true, false]);
		expect(errorOf(output![1]).message).toContain('"not a phone" contains letters');
		expect(errorOf(output![3]).message).toContain("'First Name' is empty in item 3");
		expect(fake.requests).toHaveLength(3);
		expect([...fake.contacts.keys()].sort()).toEqual(['12132132130@c.us', '1234567890@lid', '442079460958@c.us']);
	});

	test('without On Error: Continue the first bad item fails the node and says which', async () => {
		const { output, error } = await upsert(
			[
				{ phone: '+1 213 213 2130', first: 'Ana' },
				{ phone: 'abc', first: 'Bad' },
			],
			{},
			false,
		);
		expect(output).toBeUndefined();
		expect(error?.message).toContain(`Invalid 'Chat ID or Phone' in item 1: "abc" contains letters`);
	});

	test('Sync Attempts waits its delay between attempts on the node\'s clock, through WorkflowExecute', async () => {
		const started = virtualPacingClock.now();
		const { output } = await upsert([{ phone: '12132132130', first: 'Maria', last: 'Doe' }], { syncAttempts: 3, syncDelaySeconds: 7 });

		expect(output?.[0].error).toBeUndefined();
		expect(fake.requests).toHaveLength(3);
		// Two delays of 7 s between three attempts, in virtual time (no real waiting).
		expect(virtualPacingClock.now() - started).toBeGreaterThanOrEqual(14_000);
		expect(virtualPacingClock.now() - started).toBeLessThan(15_000);
	});

	test('Sync Attempts repeats the upsert; Verify reads it back and says whether the name matches', async () => {
		const { output } = await upsert([{ phone: '12132132130', first: 'Maria', last: 'Doe' }], {
			syncAttempts: 3,
			syncDelaySeconds: 0,
			verify: true,
		});

		expect(fake.requests.map((request) => request.path.split('/').pop())).toEqual(['upsert', 'upsert', 'upsert', 'get']);
		expect(output?.[0].json).toMatchObject({
			chat_id: '12132132130@c.us',
			sync_attempts: 3,
			verification: {
				found: true,
				stored_name: 'Maria Doe',
				id: '12132132130@c.us',
				name_matches: true,
			},
		});
	});
});

test('the options show the defaults the transport uses (n8n lint wants them as literals)', () => {
	expect(maxRetriesOption.default).toBe(MAX_RETRIES.fallback);
	expect(requestsPerMinuteOption.default).toBe(REQUESTS_PER_MINUTE.fallback);
});

describe('Contact > Get', () => {
	test('"Contact not found" fails the item by default, with a message that says so', async () => {
		const { output } = await runHypersender({
			items: [{}],
			parameters: { operation: 'get', chatId: '12132132130' },
			credentials: credentialsFor(fake),
			continueOnFail: true,
		});
		const error = errorOf(output![0]);
		expect(error.message).toBe('Contact not found (404)');
		expect(error.description).toContain("'If Not Found'");
	});

	test('"If Not Found: Output an Item" outputs a flagged item instead', async () => {
		fake.addContact('12132132131', 'Known');
		const { output, error } = await runHypersender({
			items: [{ phone: '12132132130' }, { phone: '12132132131' }],
			parameters: { operation: 'get', chatId: '={{ $json.phone }}', options: { ifNotFound: 'outputItem' } },
			credentials: credentialsFor(fake),
		});
		expect(error).toBeUndefined();
		expect(output!.map((item) => item.json)).toEqual([
			{ found: false, chat_id: '12132132130@c.us' },
			{ found: true, chat_id: '12132132131@c.us', id: '12132132131@c.us', name: 'Known', pushname: 'Known' },
		]);
	});

	test('an unknown instance is not mistaken for an unknown contact', async () => {
		const { output } = await runHypersender({
			items: [{}],
			parameters: { operation: 'get', chatId: '12132132130', options: { ifNotFound: 'outputItem' } },
			credentials: credentialsFor(fake, { instanceId: 'not-my-instance' }),
			continueOnFail: true,
		});
		expect(errorOf(output![0]).message).toBe('Hypersender instance not found (404)');
	});
});

describe('Contact > Get Many', () => {
	function addContacts(count: number) {
		for (let i = 0; i < count; i++) fake.addContact(String(10_000_000_000 + i), `Contact ${String(i).padStart(5, '0')}`);
	}

	test('Return All reads 2,350 contacts in pages of 1000 and outputs one item per contact', async () => {
		addContacts(2350);
		const { output, error } = await runHypersender({
			items: [{}],
			parameters: { operation: 'getAll', returnAll: true },
			credentials: credentialsFor(fake),
		});

		expect(error).toBeUndefined();
		expect(output).toHaveLength(2350);
		expect(new Set(output!.map((item) => item.json.id)).size).toBe(2350);
		expect(output![0]).toEqual({
			json: { id: '10000000000@c.us', name: 'Contact 00000', pushname: 'Contact 00000' },
			pairedItem: { item: 0 },
		});
		expect(fake.requests.map((request) => [request.query.limit, request.query.offset])).toEqual([
			['1000', '0'],
			['1000', '1000'],
			['1000', '2000'],
		]);
	});

	test('an exact multiple of the page size ends with one empty page', async () => {
		addContacts(2000);
		const { output } = await runHypersender({
			items: [{}],
			parameters: { operation: 'getAll', returnAll: true },
			credentials: credentialsFor(fake),
		});
		expect(output).toHaveLength(2000);
		expect(fake.requests).toHaveLength(3);
	});

	test('Limit asks for no more than needed; Sort By and Sort Order reach the API', async () => {
		addContacts(30);
		const { output } = await runHypersender({
			items: [{}],
			parameters: { operation: 'getAll', returnAll: false, limit: 5, options: { sortBy: 'id', sortOrder: 'desc' } },
			credentials: credentialsFor(fake),
		});
		expect(output!.map((item) => item.json.id)).toEqual(
			[29, 28, 27, 26, 25].map((i) => `${10_000_000_000 + i}@c.us`),
		);
		expect(fake.requests).toHaveLength(1);
		expect(fake.requests[0].query).toMatchObject({ limit: '5', offset: '0', sort_by: 'id', sort_order: 'desc' });
	});

	test('an empty address book gives no items and no error', async () => {
		const { output, error } = await runHypersender({
			items: [{}],
			parameters: { operation: 'getAll', returnAll: true },
			credentials: credentialsFor(fake),
		});
		expect(error).toBeUndefined();
		expect(output).toEqual([]);
	});
});

describe('HTTP failures become errors a user can act on', () => {
	async function failingUpsert(credentialOverrides: IDataObject = {}, options: IDataObject = {}, first = 'Maria') {
		const { output } = await runHypersender({
			items: [{ phone: '12132132130', first }],
			parameters: { ...upsertFromJson, options: { maxRetries: 1, ...options } },
			credentials: credentialsFor(fake, credentialOverrides),
			continueOnFail: true,
		});
		expect(output).toHaveLength(1);
		return errorOf(output![0]);
	}

	test('401: the token is wrong or revoked', async () => {
		const error = await failingUpsert({ apiToken: '999|wrong-token' });
		expect(error.message).toBe('Hypersender rejected the API token (401)');
		expect(error.description).toContain('wrong or was revoked');
		expect(error.description).not.toContain('tried');
		expect(error.httpCode).toBe('401');
		expect(fake.requests).toHaveLength(1);
	});

	test('404: the instance ID is wrong', async () => {
		const error = await failingUpsert({ instanceId: '00000000-0000-0000-0000-000000000000' });
		expect(error.message).toBe('Hypersender instance not found (404)');
		expect(error.description).toContain('Instance ID');
	});

	test("422: the API's own field messages are shown", async () => {
		const error = await failingUpsert({}, {}, 'M'.repeat(300));
		expect(error.message).toBe(
			'Hypersender rejected the request (422): first_name: The first name may not be greater than 255 characters.',
		);
	});

	test('5xx: retried, then reported as a Hypersender-side failure', async () => {
		fake.failNext(2, 503);
		const error = await failingUpsert();
		expect(error.message).toBe('Hypersender failed on its side (HTTP 503)');
		expect(error.description).toContain('The node tried 1 more time');
		expect(fake.requests).toHaveLength(2);
	});

	test('5xx once: the retry succeeds and the item is fine', async () => {
		fake.failNext(1, 500);
		const { output } = await upsert([{ phone: '12132132130', first: 'Maria' }]);
		expect(output?.[0].error).toBeUndefined();
		expect(fake.requests).toHaveLength(2);
		expect(fake.contact('12132132130')?.name).toBe('Maria');
	});

	test('429 with Retry-After is waited out and retried', async () => {
		fake.failNext(1, 429, { retryAfter: 1 });
		const started = virtualPacingClock.now();
		const { output } = await upsert([{ phone: '12132132130', first: 'Maria' }]);
		expect(output?.[0].error).toBeUndefined();
		expect(fake.requests).toHaveLength(2);
		// The retry was let through when the second Hypersender asked for had passed, not before.
		expect(virtualPacingClock.now() - started).toBe(1000);
	});

	test('429 that outlasts Max Retries fails only that item, saying how to pace', async () => {
		fake.failNext(3, 429, { retryAfter: 0 });
		const error = await failingUpsert();
		expect(error.message).toBe('Hypersender rate limit reached (429)');
		expect(error.description).toContain('Rate Limit Plan');
		expect(error.description).toContain('The node tried 1 more time and the error persisted.');
		expect(fake.requests).toHaveLength(2);
	});

	test('a dropped connection is retried', async () => {
		fake.dropNextConnections(1);
		const { output } = await upsert([{ phone: '12132132130', first: 'Maria' }]);
		expect(output?.[0].error).toBeUndefined();
		expect(fake.contact('12132132130')?.name).toBe('Maria');
	});

	test('a Base URL that is not http(s) is refused before any request', async () => {
		const error = await failingUpsert({ baseUrl: 'ftp://127.0.0.1' });
		expect(error.message).toContain('is not an http(s) URL');
		expect(fake.requests).toHaveLength(0);
	});

	test('the token never appears in error items, messages or descriptions', async () => {
		const wrongToken = '777|this-token-must-never-leak-0123456789abcdefghij';
		const failures = [
			await failingUpsert({ apiToken: wrongToken }),
			await failingUpsert({ apiToken: wrongToken, instanceId: 'x' }),
		];
		fake.failNext(2, 500);
		failures.push(await failingUpsert({ apiToken: TOKEN }));
		fake.dropNextConnections(10);
		failures.push(await failingUpsert({ apiToken: TOKEN }, { maxRetries: 0 }));

		for (const error of failures) {
			const everything = JSON.stringify(error) + String(error.message) + String(error.description) + JSON.stringify(Object.entries(error));
			expect(everything).not.toContain(wrongToken);
			expect(everything).not.toContain(TOKEN);
			expect(everything).not.toContain('Bearer');
		}
	});
});
