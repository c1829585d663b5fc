/**
 * Hypersender's refusals of a send (product updates, mid 2026), run through n8n's WorkflowExecute
 * against the fake Hypersender: a 423 when Meta restricted the number (message capping or a
 * timelock) and "WhatsApp could not resolve this recipient", both as the answer to the send and
 * as a queued request's outcome. Each reads as what it is, in Hypersender's own words, and is
 * never retried. Polling sleeps on a virtual clock.
 */
import type { IDataObject } from 'n8n-workflow';

import { REFUSALS } from './fake-hypersender/server';
import type { RefusalKind } from './fake-hypersender/server';
import { credentialsFor, errorOf, INSTANCE_ID, useFakeHypersender } from './fixtures';
import { runHypersender } from './helpers/runWorkflow';

jest.mock('../nodes/Hypersender/transport/clock', () => ({
	...jest.requireActual('../nodes/Hypersender/transport/clock'),
	systemClock: jest.requireActual('./helpers/virtualPacingClock').virtualPacingClock,
}));

const fake = useFakeHypersender();
const API = `/api/whatsapp/v2/${INSTANCE_ID}`;

/** Send Text of each row's phone, with Max Retries 5 and On Error: Continue; one output item per row. */
async function sendTexts(phones: string[], options: IDataObject = {}) {
	const { output, error } = await runHypersender({
		items: phones.map((phone) => ({ phone })),
		parameters: { resource: 'message', operation: 'sendText', chatId: '={{ $json.phone }}', text: 'Your order has shipped', options: { maxRetries: 5, ...options } },
		credentials: credentialsFor(fake),
		continueOnFail: true,
	});
	expect(error).toBeUndefined();
	expect(output).toHaveLength(phones.length);
	return output!;
}

const sendOne = async (options: IDataObject = {}) => (await sendTexts(['+1 213 213 2130'], options))[0];
const sendRequests = () => fake.requests.filter((request) => request.method === 'POST' && request.path.startsWith(`${API}/send-`));
const quoted = (kind: RefusalKind) => `"${REFUSALS[kind].body.message}"`;

const CAPPING_MESSAGE =
	'WhatsApp (Meta) restricted this number: message capping, the new-chat quota of this cycle is used up (423). Hypersender says: "The quota resets in 12 days, 4 hours." Chats with an existing conversation still work; retrying will not help, so the node did not retry.';
const TIMELOCK_MESSAGE =
	'WhatsApp (Meta) restricted this number: a timelock, a temporary stop of messages to new contacts (423). Hypersender says: "The restriction ends in 2 days, 5 hours." Chats with an existing conversation still work; retrying will not help, so the node did not retry.';

describe('423: Meta restricted the number', () => {
	test.each([
		['capping', CAPPING_MESSAGE],
		['timelock', TIMELOCK_MESSAGE],
	] as const)('%s as the answer to the send: an item error that says so in its first words, sent once, never retried', async (kind, message) => {
		fake.restrictSends({ kind });
		const error = errorOf(await sendOne());
		expect(error.message).toBe(message);
		expect(error.httpCode).toBe('423');
		// Hypersender's whole text, not its first 60 characters, and what to do.
		expect(error.description).toContain(`Hypersender said ${quoted(kind)}.`);
		expect(error.description).toContain('Hypersender dashboard for its quota status and reset time');
		expect(error.description).toContain('chats with an existing conversation');
		expect(error.description).toContain('a different instance');
		expect(error.description).not.toMatch(/Check the node parameters|tried \d+ more time/);
		expect(sendRequests()).toHaveLength(1);
		expect(fake.messages).toHaveLength(0);
	});

	test.each([
		['capping', CAPPING_MESSAGE],
		['timelock', TIMELOCK_MESSAGE],
	] as const)("%s as a queued request's outcome: the same error, saying the message was not sent, with the UUID", async (kind, message) => {
		fake.restrictSends({ kind, at: 'outcome' });
		const error = errorOf(await sendOne());
		expect(error.message).toBe(message);
		expect(error.httpCode).toBe('423');
		expect(error.description).toMatch(/^The message was not sent\. /);
		expect(error.description).toContain(`Hypersender said ${quoted(kind)}.`);
		expect(error.description).toContain(`Queued request ${fake.messages[0].uuid}, chat 12132132130@c.us.`);
		expect(sendRequests()).toHaveLength(1);
		expect(fake.messages).toHaveLength(1);
	});

	test('a 423 without words the node knows still says Meta restricted the number, and that Hypersender did not say until when', async () => {
		fake.answerNextWith(1, { status: 423, headers: { 'Content-Type': 'application/json' }, body: '{"message":"Locked."}' });
		const error = errorOf(await sendOne());
		expect(error.message).toBe(
			'WhatsApp (Meta) restricted this number (423). Hypersender did not say when it ends. Chats with an existing conversation still work; retrying will not help, so the node did not retry.',
		);
		expect(error.description).toContain('Hypersender said "Locked.".');
		expect(fake.requests).toHaveLength(1);
	});

	test("a hostile server's 100,000-character 423 is shown up to 500 characters, with its length", async () => {
		const huge = `Meta has capped this instance. The quota resets in ${'9'.repeat(100_000)} days.`;
		fake.answerNextWith(1, { status: 423, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message: huge }) });
		const error = errorOf(await sendOne());
		expect(error.message).toMatch(/^WhatsApp \(Meta\) restricted this number: message capping/);
		expect(error.message.length).toBeLessThan(1000);
		expect(error.description!.length).toBeLessThan(1200);
		expect(error.description).toContain(`(${huge.length} characters)`);
	});
});

describe('"WhatsApp could not resolve this recipient"', () => {
	const UNRESOLVED = (status: number, kind: RefusalKind = 'unresolved') => `WhatsApp could not resolve the recipient (${status}): Hypersender said ${quoted(kind)}`;

	test.each([404, 422, 500])('as the answer to the send with HTTP %p: its own error, in Hypersender\'s words, sent once', async (status) => {
		fake.restrictSends({ kind: 'unresolved', status });
		const error = errorOf(await sendOne());
		expect(error.message).toBe(UNRESOLVED(status));
		expect(error.message).toContain('ending in 3 days');
		expect(error.message).not.toMatch(/instance not found|rejected the request|failed on its side/);
		expect(error.description).toContain('not a validation error');
		expect(error.description).toContain('Check the number and its country code');
		expect(error.description).toContain('may be under a Meta restriction');
		expect(sendRequests()).toHaveLength(1);
	});

	test.each([
		['with a restriction ending', 'unresolved'],
		['without a restriction', 'unresolvedWithoutRestriction'],
	] as const)('as a queued request\'s 404 outcome %s: not "not on WhatsApp", which a plain 404 outcome still is', async (_, kind) => {
		fake.restrictSends({ kind, at: 'outcome', chatIds: ['12132132130@c.us'] });
		fake.notOnWhatsApp.add('12132132131@c.us');
		const [unresolved, notOnWhatsApp] = (await sendTexts(['12132132130', '12132132131'])).map(errorOf);
		expect(unresolved.message).toBe(UNRESOLVED(404, kind));
		expect(unresolved.message.includes('ending in 3 days')).toBe(kind === 'unresolved');
		expect(unresolved.description).toMatch(/^The message was not sent\. /);
		expect(unresolved.description).toContain(`Queued request ${fake.messagesTo('12132132130@c.us')[0].uuid}`);
		expect(notOnWhatsApp.message).toBe('The message was not sent: the recipient is not on WhatsApp (404)');
	});

	test('Queued Request > Get of such an outcome reads the same', async () => {
		fake.restrictSends({ kind: 'unresolved', at: 'outcome' });
		const queued = await sendOne({ waitForResult: false });
		const { output } = await runHypersender({
			items: [{ uuid: queued.json.queued_request_uuid }],
			parameters: { resource: 'queuedRequest', operation: 'get', queuedRequestUuid: '={{ $json.uuid }}' },
			credentials: credentialsFor(fake),
			continueOnFail: true,
		});
		const error = errorOf(output![0]);
		expect(error.message).toBe(UNRESOLVED(404));
		expect(error.description).toMatch(/^The queued request failed\. /);
	});
});

describe('A bulk send that meets a restriction', () => {
	const phones = Array.from({ length: 50 }, (_, i) => `+1213555${String(i).padStart(4, '0')}`);
	const chatIdOf = (phone: string) => `${phone.slice(1)}@c.us`;
	// Two rows in every five are new contacts: 20 of 50.
	const isNewContact = (i: number) => i % 5 === 0 || i % 5 === 3;
	const existing = phones.filter((_, i) => !isNewContact(i)).map(chatIdOf);

	test.each(['answer', 'outcome'] as const)(
		'50 rows, 20 new contacts refused with 423 (as the %s), Max Retries 5, On Error Continue: 30 sent, 20 restriction errors, 50 sends, 0 retries',
		async (at) => {
			expect(existing).toHaveLength(30);
			fake.restrictSends({ kind: 'capping', at, existingConversations: existing });
			const output = await sendTexts(phones);

			const refused = output.filter((item) => item.error);
			expect(output.filter((item) => item.json.status === 'sent')).toHaveLength(30);
			expect(refused).toHaveLength(20);
			expect(refused.map((item) => errorOf(item).message)).toEqual(Array(20).fill(CAPPING_MESSAGE));
			expect(refused.map((item) => (item.pairedItem as { item: number }).item)).toEqual(phones.map((_, i) => i).filter(isNewContact));
			// One request per row, none repeated: no retry of a refusal, no resend.
			const sentTo = sendRequests().map((request) => request.body?.chatId);
			expect(sentTo).toHaveLength(50);
			expect(new Set(sentTo).size).toBe(50);
		},
	);
});
