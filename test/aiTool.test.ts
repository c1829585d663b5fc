/**
 * The node as an AI agent's tool (issue 21): what the model is handed when the node refuses a
 * call or its request fails, in both ways n8n runs a tool call (LangChain's executor, AI Agent up
 * to 2.2; n8n's engine, AI Agent 3), through n8n-core's WorkflowExecute against the fake
 * Hypersender. The agent run must go on, and the answer must say what was wrong and how to fix it.
 */
import type { IDataObject } from 'n8n-workflow';

import { credentialsFor, useFakeHypersender } from './fixtures';
import { runAgent } from './helpers/agentRun';
import type { ToolCallWay } from './helpers/agentRun';
import { runHypersender } from './helpers/runWorkflow';

// Polls and pacing sleep on a virtual clock: no waiting in real time.
jest.mock('../nodes/Hypersender/transport/clock', () => ({
	...jest.requireActual('../nodes/Hypersender/transport/clock'),
	systemClock: jest.requireActual('./helpers/virtualPacingClock').virtualPacingClock,
}));

const fake = useFakeHypersender();

const fromAi = (key: string) => `={{ $fromAI('${key}', 'the ${key}', 'string') }}`;
const SEND_TEXT = { resource: 'message', operation: 'sendText', chatId: fromAi('chat_id'), text: fromAi('text'), humanLike: false, options: {} };
const GET_CONTACT = { resource: 'contact', operation: 'get', chatId: fromAi('chat_id'), options: {} };

const answerOf = async (way: ToolCallWay, parameters: IDataObject, call: IDataObject, tool = {}) => {
	const { run, answers } = await runAgent(fake, { way, parameters, calls: [call], tool });
	expect(run.data.resultData.error).toBeUndefined();
	expect(answers).toHaveLength(1);
	return JSON.parse(answers[0]) as IDataObject[];
};

describe.each<ToolCallWay>(['executor', 'engine'])('as a tool of an agent (%s)', (way) => {
	test('a phone that is not a number: the model is told what was wrong and how to fix it, nothing is sent, the run goes on', async () => {
		const [answer] = await answerOf(way, SEND_TEXT, { chat_id: 'call me maybe', text: 'Hello' });
		expect(answer).toEqual({
			success: false,
			error_message: `Invalid 'Chat ID or Phone' in item 0: "call me maybe" contains letters`,
			how_to_fix: expect.stringMatching(/^Nothing was sent for this item\. .*international phone number/),
		});
		expect(fake.requests).toHaveLength(0);
	});

	test('a recipient not on WhatsApp: the model is told so, the run goes on', async () => {
		fake.notOnWhatsApp.add('12135550199@c.us');
		const [answer] = await answerOf(way, SEND_TEXT, { chat_id: '+1 213 555 0199', text: 'Hello' });
		expect(answer).toMatchObject({ success: false, error_message: 'The message was not sent: the recipient is not on WhatsApp (404)' });
		expect(answer.may_have_been_sent).toBeUndefined();
	});

	test('a send whose outcome is unknown (HTTP 500): the model is told it may have been sent', async () => {
		fake.failNext(1, 500);
		const [answer] = await answerOf(way, SEND_TEXT, { chat_id: '+1 213 555 0199', text: 'Hello' });
		expect(answer).toMatchObject({ success: false, error_message: expect.stringMatching(/HTTP 500.*may have been sent/), may_have_been_sent: true });
	});

	test('On Error: Continue on the tool: the model still gets the message and the fix, not an empty item', async () => {
		const [answer] = await answerOf(way, SEND_TEXT, { chat_id: 'call me maybe', text: 'Hello' }, { onError: 'continueRegularOutput' });
		expect(answer).toMatchObject({ success: false, how_to_fix: expect.stringContaining("international phone number") });
	});

	test('a contact that is not found: the model is told so and what to do', async () => {
		const [answer] = await answerOf(way, GET_CONTACT, { chat_id: '+49 151 23456789' });
		expect(answer).toMatchObject({ success: false, error_message: expect.stringMatching(/not found/i) });
	});

	test('every resource keeps its input errors as the answer: an upsert without a first name, a queued request without a UUID', async () => {
		const [upsert] = await answerOf(way, { resource: 'contact', operation: 'upsert', chatId: fromAi('chat_id'), firstName: fromAi('first_name'), options: {} }, { chat_id: '+49 151 23456789', first_name: ' ' });
		expect(upsert).toMatchObject({ success: false, error_message: expect.stringContaining("'First Name'"), how_to_fix: expect.stringMatching(/^Nothing was sent/) });
		const [queued] = await answerOf(way, { resource: 'queuedRequest', operation: 'get', queuedRequestUuid: fromAi('uuid') }, { uuid: 'not a uuid' });
		expect(queued).toMatchObject({ success: false, error_message: expect.stringContaining('not a uuid') });
		expect(fake.requests).toHaveLength(0);
	});

	test('a call that works: the model gets the output item, the chat ID normalized (regression)', async () => {
		const [answer] = await answerOf(way, SEND_TEXT, { chat_id: '+49 151 23456789', text: 'Your order has shipped' });
		expect(answer).toMatchObject({ status: 'sent', chat_id: '4915123456789@c.us' });
		expect(fake.messagesTo('4915123456789@c.us').map((message) => message.body.text)).toEqual(['Your order has shipped']);
	});
});

test('AI Agent 3 with Retry On Fail on the tool: two calls to one chat in one turn each send their own text, none replayed or held back (regression)', async () => {
	const { run, answers } = await runAgent(fake, {
		way: 'engine',
		parameters: SEND_TEXT,
		calls: [
			{ chat_id: '+49 151 23456789', text: 'Your order shipped' },
			{ chat_id: '+49 151 23456789', text: 'Your invoice is ready' },
		],
		tool: { retryOnFail: true, maxTries: 3, waitBetweenTries: 10 },
	});
	expect(run.data.resultData.error).toBeUndefined();
	expect(answers.map((answer) => (JSON.parse(answer) as IDataObject[])[0].status)).toEqual(['sent', 'sent']);
	expect(fake.messagesTo('4915123456789@c.us').map((message) => message.body.text)).toEqual(['Your order shipped', 'Your invoice is ready']);
});

test('in a workflow (not a tool), a refused item still fails the node (regression)', async () => {
	const { error } = await runHypersender({ items: [{ phone: 'call me maybe' }], parameters: { ...SEND_TEXT, chatId: '={{ $json.phone }}', text: 'Hi' }, credentials: credentialsFor(fake) });
	expect(error?.message).toBe(`Invalid 'Chat ID or Phone' in item 0: "call me maybe" contains letters`);
});
