/**
 * Second hostile test of issue 18, of the fixes after the first (240a3b3 and later): the
 * "may have been sent" mark on every path where a send's message may be out, the Retry On Fail
 * fingerprint (endpoint and recipient), a Custom plan's numbers as text, "could not resolve"
 * and bare-text queued outcomes, and AI Agent tool calls (each sent on its own, outside the
 * stop-on-error gate and the Retry On Fail memory). Through n8n-core's WorkflowExecute
 * against the fake Hypersender; pacing on the holdable virtual clock, polls without waiting.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { credentialsFor, errorOf, useFakeHypersender } from './fixtures';
import { heldClock } from './helpers/heldClock';
import { chatIdOfRow, descriptionOf, phoneOfRow, rows, sendTextParameters, sendTextRowsTo } from './helpers/sendTextRows';
import { runAgent } from './helpers/agentRun';
import { HYPERSENDER_NODE_TYPE, runHypersender, runNode } from './helpers/runWorkflow';

jest.mock('../nodes/Hypersender/transport/clock', () => ({
	...jest.requireActual('../nodes/Hypersender/transport/clock'),
	systemClock: jest.requireActual('./helpers/heldClock').heldClock,
}));

const fake = useFakeHypersender();

beforeEach(() => heldClock.advance(60 * 60_000));
afterEach(() => heldClock.letGo());

const { sendTexts, sendRequests } = sendTextRowsTo(fake);
const RETRY_ON_FAIL: Partial<INode> = { retryOnFail: true, maxTries: 3, waitBetweenTries: 10 };

describe('the "may have been sent" mark survives to the Retry On Fail memory', () => {
	test('a 500 on a send: a retry of the node does not send it again (regression)', async () => {
		fake.failNext(1, 500);
		const { error } = await sendTexts(rows(1), { node: RETRY_ON_FAIL });
		expect(error?.message).toBe('Hypersender failed on its side (HTTP 500); the message may have been sent');
		expect(sendRequests()).toHaveLength(1);
	});

	test('a dropped connection after the send was accepted: a retry does not send it again (regression)', async () => {
		fake.acceptThenDropNext(1);
		const { error } = await sendTexts(rows(1), { node: RETRY_ON_FAIL });
		expect(error?.message).toMatch(/the message may have been sent$/);
		expect(sendRequests()).toHaveLength(1);
		expect(fake.messages).toHaveLength(1);
	});

	test('a 2xx answer without queued_request_uuid: marked, a retry does not send it again (regression)', async () => {
		fake.answerNextWith(1, { status: 201, headers: { 'Content-Type': 'application/json' }, body: '{"ok":true}' });
		const { error } = await sendTexts(rows(1), { node: RETRY_ON_FAIL });
		expect(error?.message).toBe("Hypersender's answer is not what the API documents: no queued_request_uuid");
		expect(sendRequests()).toHaveLength(1);
	});

	// Hypersender answered 2xx (it took the send), but with no JSON object: the error is not marked,
	// so the run says no message went out and Retry On Fail sends the message again.
	test('a 2xx answer with an empty or non-JSON body: the message may be out, so a retry does not send it again', async () => {
		fake.answerNextWith(1, { status: 201, headers: { 'Content-Type': 'text/html' }, body: '' });
		const { error } = await sendTexts(rows(1), { node: RETRY_ON_FAIL });
		expect(sendRequests()).toHaveLength(1);
		expect(`${error?.message} ${descriptionOf(error)}`).toMatch(/may have been sent|may have/);
	});

	// A 5xx is "no proof that nothing was queued" (transport/index.ts), but a 5xx whose Retry-After is
	// longer than the node waits is made non-retryable first, and so is not marked as may-have-been-sent.
	test('a 502 with a long Retry-After: the message may be out, so Retry On Fail does not send it again', async () => {
		fake.answerNextWith(1, { status: 502, headers: { 'Content-Type': 'application/json', 'Retry-After': '7200' }, body: '{"message":"Bad Gateway"}' });
		const { error } = await sendTexts(rows(1), { node: RETRY_ON_FAIL });
		expect(sendRequests()).toHaveLength(1);
		expect(error?.message).toMatch(/may have been sent/);
	});

	test('a queued outcome that failed (message not sent): a retry sends it again, once accepted (regression)', async () => {
		fake.outcomeNext(1, { status: 500, body: { message: 'Worker crashed' } });
		const { error, output } = await sendTexts(rows(1), { node: RETRY_ON_FAIL, parameters: sendTextParameters({ waitForResult: true }) });
		expect(error).toBeUndefined();
		expect(output?.[0].json.status).toBe('sent');
		expect(sendRequests()).toHaveLength(2);
	});

	// The recalled error is the same object each try, and each try appends the run's summary to it.
	test('a recalled "may have been sent" error: its description says the run summary once, not once per try', async () => {
		fake.failNext(1, 500);
		const { error } = await sendTexts(rows(1), { node: RETRY_ON_FAIL });
		expect(descriptionOf(error).split('went out (or may have)').length - 1).toBe(1);
	});
});

describe('the Retry On Fail fingerprint', () => {
	test('a multipart (binary) send that got a 500: not sent again by a retry (recipient null still matches its own item)', async () => {
		fake.failNext(1, 500);
		const { error } = await runNode({
			items: [{ phone: phoneOfRow(0) }],
			binary: [{ data: { data: Buffer.from('%PDF-1.4 hello').toString('base64'), mimeType: 'application/pdf', fileName: 'a.pdf' } }],
			credentials: credentialsFor(fake),
			node: {
				type: HYPERSENDER_NODE_TYPE,
				typeVersion: 1,
				...RETRY_ON_FAIL,
				parameters: { resource: 'message', operation: 'sendMedia', chatId: '={{ $json.phone }}', mediaType: 'document', source: 'binary', binaryPropertyName: 'data', options: { waitForResult: false } },
				credentials: { hypersenderApi: { id: '1', name: 'Hypersender account' } },
			},
		});
		expect(error?.message).toMatch(/may have been sent/);
		expect(sendRequests()).toHaveLength(1);
	});
});

describe("a Custom plan's numbers", () => {
	async function upsertWith(credentials: IDataObject) {
		const { output } = await runHypersender({
			items: [{ phone: '+1 213 213 2130' }],
			parameters: { operation: 'upsert', chatId: '={{ $json.phone }}', firstName: 'Maria', options: {} },
			credentials: credentialsFor(fake, credentials),
			continueOnFail: true,
		});
		return output![0];
	}

	test.each([
		['an object', { per: 60 }],
		['a negative number', -1],
		['negative text', '-1'],
		['NaN', Number.NaN],
		['true', true],
		['exponent text', '1e3'],
	])('%s fails the item naming the field, before any request', async (_, value) => {
		const item = await upsertWith({ rateLimitPlan: 'custom', customRequestsPerMinute: value });
		expect(errorOf(item).message).toMatch(/^The credential's Custom Requests per Minute .* is not a number$/);
		expect(fake.requests).toHaveLength(0);
	});

	test.each([
		['empty text', ''],
		['text with spaces', ' 30 '],
		['0', 0],
		['a huge number as text', '99999999999999999999'],
	])('%s is read (no error)', async (_, value) => {
		const item = await upsertWith({ rateLimitPlan: 'custom', customRequestsPerMinute: value, customMessagesPerMinute: value });
		expect(item.error).toBeUndefined();
	});

	test('garbage in the custom fields of a plan that is not Custom stops nothing', async () => {
		const item = await upsertWith({ rateLimitPlan: 'business', customRequestsPerMinute: 'sixty', customMessagesPerMinute: { x: 1 } });
		expect(item.error).toBeUndefined();
	});

	// The number 30.5 is taken; the same number from an expression ("30.5") fails the item.
	test('a fractional number is read the same as a number and as text', async () => {
		const asNumber = await upsertWith({ rateLimitPlan: 'custom', customRequestsPerMinute: 30.5 });
		const asText = await upsertWith({ rateLimitPlan: 'custom', customRequestsPerMinute: '30.5' });
		expect(asNumber.error === undefined).toBe(asText.error === undefined);
	});
});

describe('"could not resolve" and queued outcomes as text', () => {
	async function sendOneContinuing(options: IDataObject = {}) {
		const { output } = await runHypersender({
			items: [{ phone: '+1 213 213 2130' }],
			parameters: sendTextParameters(options, 'Your order has shipped'),
			credentials: credentialsFor(fake),
			continueOnFail: true,
		});
		return output![0];
	}

	test('"could not resolve" in a message about something else ("could not resolve the instance") is not an unresolved recipient', async () => {
		fake.refuseSendsTo.set('12132132130@c.us', { status: 404, body: { message: 'Hypersender could not resolve the instance.' } });
		expect(errorOf(await sendOneContinuing()).message).not.toMatch(/could not resolve the recipient/);
	});

	test('a queued outcome of bare text that is blank is not quoted as Hypersender\'s words', async () => {
		fake.outcomeNext(1, { status: 500, body: '   ' as unknown as Record<string, unknown> });
		const error = errorOf(await sendOneContinuing({ waitForResult: true }));
		expect(error.message).toBe('The message was not sent: Hypersender failed to send it (500)');
	});

	test('a queued 423 outcome of bare text reads as a restriction with its end', async () => {
		fake.outcomeNext(1, { status: 423, body: "Meta has capped this instance's new-chat messages for the current cycle. The quota resets in 2 days." as unknown as Record<string, unknown> });
		const error = errorOf(await sendOneContinuing({ waitForResult: true }));
		expect(error.message).toMatch(/^WhatsApp \(Meta\) restricted this number: message capping/);
		expect(error.message).toContain('2 days');
	});

	// A store that keeps the body as JSON text: the unresolved case is found, but the user sees the raw JSON.
	test('a queued outcome whose body is JSON as text quotes Hypersender\'s message, not the raw JSON', async () => {
		fake.outcomeNext(1, { status: 500, body: JSON.stringify({ message: 'Worker crashed' }) as unknown as Record<string, unknown> });
		const error = errorOf(await sendOneContinuing({ waitForResult: true }));
		expect(error.message).not.toContain('{');
		expect(error.message).toContain('Worker crashed');
	});
});

/** The AI Agent's tool calls of these tests: Send Text to row 0's phone, the text from the model. */
const runAgentSending = (items: IDataObject[], calls: IDataObject[], tool: Partial<INode> = {}) =>
	runAgent(fake, { items, calls, tool, parameters: { resource: 'message', operation: 'sendText', chatId: phoneOfRow(0), text: "={{ $fromAI('text', 'the message', 'string') }}", options: { waitForResult: false } } }).then(({ run }) => run);

describe('the node as an AI Agent tool', () => {
	test('one chat item, one tool call: the message is sent (regression)', async () => {
		const run = await runAgentSending([{ chatInput: 'hi' }], [{ text: 'Hello' }]);
		expect(run.data.resultData.error).toBeUndefined();
		expect(fake.messagesTo(chatIdOfRow(0))).toHaveLength(1);
	});

	// The gate counts the items of the Agent's execute data (its main input, 2 items), but the tool's
	// RoutingNode runs on its own ai_tool input (1 item): the send is stopped as if n8n had failed, and
	// its item is dropped without an error.
	test('an Agent with two input items: each tool call sends its message', async () => {
		const run = await runAgentSending([{ chatInput: 'a' }, { chatInput: 'b' }], [{ text: 'Hello' }]);
		expect(run.data.resultData.error).toBeUndefined();
		expect(fake.messagesTo(chatIdOfRow(0))).toHaveLength(2);
	});

	// Every tool call of the Agent's run shares its execute data: with Retry On Fail the second call to
	// the same chat (another text) has the first's fingerprint and replays its outcome: not sent.
	test('Retry On Fail on the tool: a second tool call to the same chat with another text is sent, not replayed', async () => {
		const run = await runAgentSending([{ chatInput: 'a' }], [{ text: 'Your order shipped' }, { text: 'Your invoice is ready' }], RETRY_ON_FAIL);
		expect(run.data.resultData.error).toBeUndefined();
		expect(fake.messagesTo(chatIdOfRow(0)).map((message) => message.body.text)).toEqual(['Your order shipped', 'Your invoice is ready']);
	});
});
