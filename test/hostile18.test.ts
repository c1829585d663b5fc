/**
 * Hostile tests of issue 18 (refusals, message caps, stop-on-error and Retry On Fail memory,
 * the transport's honesty), run through n8n-core's WorkflowExecute against the fake
 * Hypersender: a server that answers 423 and "could not resolve" in shapes the documentation
 * does not show, bulk runs whose bad rows sit at the edges, a send that hangs beside one that
 * fails, retries whose input changes between tries, a node that runs twice in one execution,
 * and plans with odd numbers. Pacing, deadlines and back-offs run on the holdable virtual clock
 * (helpers/heldClock.ts); polls on a clock that does not wait.
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import { createRunExecutionData, NodeConnectionTypes, Workflow } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData, INodeType, IRun } from 'n8n-workflow';

import { credentialsFor, errorOf, useFakeHypersender } from './fixtures';
import { heldClock } from './helpers/heldClock';
import { chatIdOfRow, descriptionOf, phoneOfRow, rows, sendTextParameters, sendTextRowsTo } from './helpers/sendTextRows';
import { additionalDataFor, HYPERSENDER_NODE_TYPE, runHypersender, TestNodeTypes } from './helpers/runWorkflow';

jest.mock('../nodes/Hypersender/transport/clock', () => ({
	...jest.requireActual('../nodes/Hypersender/transport/clock'),
	systemClock: jest.requireActual('./helpers/heldClock').heldClock,
}));

const fake = useFakeHypersender();

// Time passes between tests as between executions: no spacing or plan of one reaches the next.
beforeEach(() => heldClock.advance(60 * 60_000));
afterEach(() => heldClock.letGo());

/** Waits (bounded, in real time) until the condition holds: for answers over loopback, never for pacing. */
async function until(condition: () => boolean): Promise<void> {
	for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

const { sendTexts, sendRequests, sendRequestsTo, acceptedRows } = sendTextRowsTo(fake);
const INVALID_422 = { status: 422, body: { message: 'The given data was invalid.', errors: { chatId: ['The chat id is invalid.'] } } };

/** One Send Text with On Error: Continue: its one output item. */
async function sendOneContinuing(options: IDataObject = {}) {
	const { output, error } = await runHypersender({
		items: [{ phone: '+1 213 213 2130' }],
		parameters: sendTextParameters(options, 'Your order has shipped'),
		credentials: credentialsFor(fake),
		continueOnFail: true,
	});
	expect(error).toBeUndefined();
	expect(output).toHaveLength(1);
	return output![0];
}

describe('a 423 in shapes the documentation does not show', () => {
	test.each([
		['an HTML page', 'text/html', '<html><body><h1>423 Locked</h1></body></html>'],
		['an empty body', 'application/json', ''],
		['plain text', 'text/plain', 'Locked'],
		['JSON that is not an object', 'application/json', '["capped"]'],
		['a message that is not text', 'application/json', '{"message":{"text":"capped"}}'],
	])('%s still reads as a Meta restriction, once, without an invented end', async (_, contentType, body) => {
		fake.answerNextWith(1, { status: 423, headers: { 'Content-Type': contentType }, body });
		const error = errorOf(await sendOneContinuing({ maxRetries: 5 }));
		expect(error.message).toBe(
			'WhatsApp (Meta) restricted this number (423). Hypersender did not say when it ends. Chats with an existing conversation still work; retrying will not help, so the node did not retry.',
		);
		expect(error.httpCode).toBe('423');
		expect(error.description).not.toMatch(/Hypersender said/);
		expect(fake.requests).toHaveLength(1);
	});

	test('a 423 whose text mentions neither capping nor a timelock names no kind, and quotes the end it does give', async () => {
		fake.answerNextWith(1, { status: 423, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message: 'Your instance is locked by Meta. It lifts in 3 hours.' }) });
		const error = errorOf(await sendOneContinuing());
		expect(error.message).toMatch(/^WhatsApp \(Meta\) restricted this number \(423\)\. Hypersender says: "It lifts in 3 hours\."/);
	});

	test('a huge HTML 423 costs one request and yields a bounded error', async () => {
		fake.answerNextWith(1, { status: 423, headers: { 'Content-Type': 'text/html' }, body: `<html>${'x'.repeat(2_000_000)}</html>` });
		const error = errorOf(await sendOneContinuing({ maxRetries: 5 }));
		expect(error.message).toMatch(/^WhatsApp \(Meta\) restricted this number \(423\)/);
		expect(JSON.stringify(error).length).toBeLessThan(5_000);
		expect(fake.requests).toHaveLength(1);
	});

	test('a 423 answered to a poll of an accepted send: the item is pending (the message was queued), not a restriction of this message', async () => {
		fake.answerNextPollsWith({ status: 423, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message: "Meta has capped this instance's new-chat messages. The quota resets in 1 day." }) });
		const item = await sendOneContinuing({ waitForResult: true });
		expect(item.error).toBeUndefined();
		expect(item.json.status).toBe('pending');
		expect(String(item.json.poll_error)).toContain('The message was queued');
		expect(fake.messages).toHaveLength(1);
		expect(sendRequests()).toHaveLength(1);
	});
});

describe('"could not resolve this recipient" in odd shapes', () => {
	test.each([
		['in capitals', 'WHATSAPP COULD NOT RESOLVE THIS RECIPIENT.'],
		['with "the"', 'WhatsApp could not resolve the recipient.'],
	])('%s, as the answer to the send, reads as an unresolved recipient', async (_, message) => {
		fake.refuseSendsTo.set('12132132130@c.us', { status: 404, body: { message } });
		const error = errorOf(await sendOneContinuing());
		expect(error.message).toMatch(/^WhatsApp could not resolve the recipient \(404\)/);
		expect(error.message).not.toMatch(/instance not found/i);
	});

	test.each([
		['with more spaces', 'WhatsApp could  not resolve   this recipient.'],
		['as the API documentation heads it ("Could not resolve recipient")', 'Could not resolve recipient'],
	])('%s, as the answer to the send, reads as an unresolved recipient', async (_, message) => {
		fake.refuseSendsTo.set('12132132130@c.us', { status: 404, body: { message } });
		const error = errorOf(await sendOneContinuing());
		expect(error.message).toMatch(/^WhatsApp could not resolve the recipient \(404\)/);
	});

	test('nested in a 422 validation error: Hypersender\'s words are shown, not lost', async () => {
		fake.refuseSendsTo.set('12132132130@c.us', { status: 422, body: { message: 'The given data was invalid.', errors: { chatId: ['WhatsApp could not resolve this recipient.'] } } });
		const error = errorOf(await sendOneContinuing());
		expect(error.message).toContain('WhatsApp could not resolve this recipient.');
	});

	test("as a queued outcome whose response_body is a bare string: not reported as 'not on WhatsApp'", async () => {
		fake.outcomeNext(1, { status: 404, body: 'WhatsApp could not resolve this recipient. The number may not exist.' as unknown as Record<string, unknown> });
		const error = errorOf(await sendOneContinuing({ waitForResult: true }));
		expect(error.message).not.toContain('the recipient is not on WhatsApp');
		expect(`${error.message} ${error.description}`).toContain('could not resolve this recipient');
	});
});

describe('stop on error: bad rows at the edges', () => {
	test.each([
		['the first', 0],
		['the last', 9],
	])('%s row bad: nothing is sent, and the error names it', async (_, bad) => {
		const { error, output } = await sendTexts(rows(10, (row) => (row === bad ? 'call me maybe' : phoneOfRow(row))));
		expect(output).toBeUndefined();
		expect(fake.requests).toHaveLength(0);
		expect(error?.message).toMatch(bad === 0 ? /^Invalid 'Chat ID or Phone' in item 0: "call me maybe"/ : /^Item 0 was not sent: item 9 failed, and the node stops on errors$/);
		expect(descriptionOf(error)).toContain('No message of this node run was sent.');
	});

	test('every row bad: nothing is sent, the run fails with row 0', async () => {
		const { error } = await sendTexts(rows(5, () => 'n/a'));
		expect(fake.requests).toHaveLength(0);
		expect(error?.message).toMatch(/item 0/);
		expect(descriptionOf(error)).toContain('No message of this node run was sent.');
	});

	test('one bad row and a 5xx in the same run: nothing is sent, so the 5xx is never met', async () => {
		fake.failNext(1, 500);
		const { error } = await sendTexts(rows(6, (row) => (row === 5 ? 'call me maybe' : phoneOfRow(row))));
		expect(fake.requests).toHaveLength(0);
		expect(error?.message).toBe('Item 0 was not sent: item 5 failed, and the node stops on errors');
	});

	test('a 500 on a send stops the sends behind it and is not retried (the message may have been queued)', async () => {
		fake.failNext(1, 500);
		heldClock.hold();
		const { error } = await sendTexts(rows(3), { credentials: { rateLimitPlan: 'custom', customRequestsPerMinute: 60 } });
		expect(error?.message).toBe('Hypersender failed on its side (HTTP 500); the message may have been sent');
		expect(sendRequests()).toHaveLength(1);
	});

	// The stopped items' errors quote item 0's "may have been sent", and mayHaveBeenSent() reads that as their own.
	test('the run\'s error counts as "went out (or may have)" only the send that was made, not the sends stopped behind it', async () => {
		fake.failNext(1, 500);
		// Time stands still: the sends behind the first wait for their turn while its 500 comes back.
		heldClock.hold();
		const { error } = await sendTexts(rows(3), { credentials: { rateLimitPlan: 'custom', customRequestsPerMinute: 60 } });
		expect(error?.message).toContain('may have been sent');
		expect(sendRequests()).toHaveLength(1);
		expect(descriptionOf(error)).toContain('1 message of this node run went out (or may have) before it stopped: item 0.');
	});
});

describe('a send that hangs while another fails', () => {
	test('the run waits for the hanging send until its deadline, then says it may have been sent and names it', async () => {
		heldClock.hold();
		fake.hangSendsTo.add(chatIdOfRow(0));
		fake.refuseSendsTo.set(chatIdOfRow(1), INVALID_422);
		let settled = false;
		const running = sendTexts(rows(2), { parameters: { ...sendTextParameters(), requestOptions: { timeout: 5000 } } }).finally(() => (settled = true));

		await until(() => sendRequests().length === 2);
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(settled).toBe(false);
		heldClock.advance(5000);
		const { error } = await running;

		expect(error?.message).toBe('The connection to Hypersender failed (ETIMEDOUT); the message may have been sent');
		expect(descriptionOf(error)).toContain('1 message of this node run went out (or may have) before it stopped: item 0.');
		expect(sendRequests()).toHaveLength(2);
		expect(heldClock.sleepsHeld()).toBe(0);
	});

	test('a cancel while a send hangs ends it: "may have been sent", and nothing is left waiting', async () => {
		heldClock.hold();
		fake.hangSendsTo.add(chatIdOfRow(0));
		let cancel = () => {};
		const running = sendTexts(rows(1), { onStart: (cancelExecution) => (cancel = cancelExecution) });
		await until(() => sendRequests().length === 1);
		cancel();
		const { run } = await running;
		await until(() => heldClock.sleepsHeld() === 0);
		expect(heldClock.sleepsHeld()).toBe(0);
		expect(run.status).toBe('canceled');
	});
});

describe('Retry On Fail', () => {
	test('maxTries 5 and a row refused in tries 1 to 3: the run succeeds on try 4 and every row is sent exactly once', async () => {
		fake.refuseSendsTo.set(chatIdOfRow(3), { ...INVALID_422, times: 3 });
		const { error, output } = await sendTexts(rows(8), { node: { retryOnFail: true, maxTries: 5, waitBetweenTries: 10 } });
		expect(error).toBeUndefined();
		expect(output?.map((item) => item.json.chat_id)).toEqual(Array.from({ length: 8 }, (_, row) => chatIdOfRow(row)));
		expect(acceptedRows()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
		expect(sendRequestsTo(3)).toBe(4);
	});

	test('a row first sent in try 2, and refused then: sent once it is accepted, no other row twice', async () => {
		// 60 a minute: the first try stops at row 1's refusal before the later rows go out.
		fake.refuseSendsTo.set(chatIdOfRow(1), { ...INVALID_422, times: 1 });
		fake.refuseSendsTo.set(chatIdOfRow(5), { ...INVALID_422, times: 1 });
		const { error, output } = await sendTexts(rows(6), { node: { retryOnFail: true, maxTries: 5, waitBetweenTries: 10 }, credentials: { rateLimitPlan: 'custom', customRequestsPerMinute: 60 } });
		expect(error).toBeUndefined();
		expect(output).toHaveLength(6);
		expect(acceptedRows()).toEqual([0, 1, 2, 3, 4, 5]);
		for (const row of [0, 2, 3, 4]) expect(sendRequestsTo(row)).toBe(1);
	});

	test('text with $now: a retry does not send again a message an earlier try sent, though its text changed', async () => {
		fake.refuseSendsTo.set(chatIdOfRow(3), { ...INVALID_422, times: 1 });
		const { error } = await sendTexts(rows(6), {
			node: { retryOnFail: true, maxTries: 3, waitBetweenTries: 10 },
			parameters: sendTextParameters({}, '=Hello {{ $json.name }}, sent {{ $now.toMillis() }}'),
		});
		expect(error).toBeUndefined();
		// Each recipient gets the message once, whatever the text's clock says.
		for (const row of [0, 1, 2, 4, 5]) expect(fake.messagesTo(chatIdOfRow(row))).toHaveLength(1);
	});
});

/** Passes its input on to output 0 the first `loops` times it runs, then to output 1: a loop. */
function loopNodeType(loops: number): INodeType {
	let runs = 0;
	return {
		description: {
			displayName: 'Loop',
			name: 'loop',
			group: ['transform'],
			version: 1,
			description: 'Loops back a given number of times',
			defaults: { name: 'Loop' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
			properties: [],
		},
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const items = this.getInputData();
			return runs++ < loops ? [items, []] : [[], items];
		},
	};
}

const sourceNode = (items: IDataObject[]): INode => ({
	id: 'source',
	name: 'CRM Rows',
	type: 'test.itemSource',
	typeVersion: 1,
	position: [0, 0],
	parameters: { items: JSON.stringify(items), binary: '[]' },
});

const hypersenderNode = (name: string, node: Partial<INode> = {}): INode => ({
	id: name,
	name,
	type: HYPERSENDER_NODE_TYPE,
	typeVersion: 1,
	position: [200, 0],
	// A loop's items are the node's own output: their chat_id is where they go again.
	parameters: { ...sendTextParameters(), chatId: '={{ $json.chat_id ?? $json.phone }}' },
	credentials: { hypersenderApi: { id: '1', name: 'Hypersender account' } },
	...node,
});

/** Runs a workflow of several nodes (main connections `[from, output, to]`) as one execution. */
async function runExecution(nodes: INode[], links: Array<[string, number, string]>, extraNodeTypes: Record<string, INodeType> = {}): Promise<IRun> {
	const connections: Record<string, { main: Array<Array<{ node: string; type: 'main'; index: number }>> }> = {};
	for (const [from, output, to] of links) {
		const main = (connections[from] ??= { main: [] }).main;
		while (main.length <= output) main.push([]);
		main[output].push({ node: to, type: NodeConnectionTypes.Main, index: 0 });
	}
	const workflow = new Workflow({ id: 'hostile', nodes, connections, nodeTypes: new TestNodeTypes(extraNodeTypes), active: false, settings: { executionOrder: 'v1' } });
	const hooks = new ExecutionLifecycleHooks('manual', `hostile-${Math.random()}`, { id: 'hostile', name: 'hostile', active: false, nodes, connections, isArchived: false, createdAt: new Date(), updatedAt: new Date() } as never);
	const finished = new Promise<IRun>((resolve) => hooks.addHandler('workflowExecuteAfter', (run) => resolve(run)));
	const additionalData = additionalDataFor(hooks, credentialsFor(fake), `hostile-${Math.random()}`);
	const runExecutionData = createRunExecutionData({ executionData: { nodeExecutionStack: [{ node: nodes[0], data: { main: [[{ json: {} }]] }, source: null }] } });
	void new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
	return await finished;
}

describe('a node that runs more than once in one execution', () => {
	test('a loop sends again in run 1 what run 0 sent (Retry On Fail remembers per node run, not per execution)', async () => {
		const run = await runExecution(
			[sourceNode(rows(3)), hypersenderNode('Hypersender', { retryOnFail: true, maxTries: 3, waitBetweenTries: 10 }), { id: 'loop', name: 'Loop', type: 'test.loop', typeVersion: 1, position: [400, 0], parameters: {} }],
			[
				['CRM Rows', 0, 'Hypersender'],
				['Hypersender', 0, 'Loop'],
				['Loop', 0, 'Hypersender'],
			],
			{ 'test.loop': loopNodeType(1) },
		);
		expect(run.data.resultData.error).toBeUndefined();
		expect(run.data.resultData.runData.Hypersender).toHaveLength(2);
		for (const row of [0, 1, 2]) expect(fake.messagesTo(chatIdOfRow(row))).toHaveLength(2);
		// Run 1's output is its own sends, not run 0's replayed.
		const [first, second] = run.data.resultData.runData.Hypersender.map((task) => task.data!.main[0]!.map((item) => item.json.queued_request_uuid));
		expect(new Set([...first, ...second]).size).toBe(6);
	});

	test('a loop whose run 1 meets a refusal: run 0 stands, run 1 stops', async () => {
		let sends = 0;
		const run = await runExecution(
			[sourceNode(rows(3)), hypersenderNode('Hypersender'), { id: 'loop', name: 'Loop', type: 'test.loop', typeVersion: 1, position: [400, 0], parameters: {} }],
			[
				['CRM Rows', 0, 'Hypersender'],
				['Hypersender', 0, 'Loop'],
				['Loop', 0, 'Hypersender'],
			],
			{
				'test.loop': {
					...loopNodeType(1),
					async execute(this: IExecuteFunctions) {
						// Before run 1 of the Hypersender node, row 2 becomes refused.
						if (sends++ === 0) fake.refuseSendsTo.set(chatIdOfRow(2), INVALID_422);
						return sends === 1 ? [this.getInputData(), []] : [[], this.getInputData()];
					},
				},
			},
		);
		expect(run.data.resultData.error?.message).toContain('Hypersender rejected the request (422)');
		expect(run.data.resultData.runData.Hypersender).toHaveLength(2);
		expect(fake.messagesTo(chatIdOfRow(2))).toHaveLength(1);
	});

	test('two Hypersender nodes in one execution each send their own messages', async () => {
		const run = await runExecution(
			[sourceNode(rows(2)), hypersenderNode('First', { retryOnFail: true }), hypersenderNode('Second', { retryOnFail: true })],
			[
				['CRM Rows', 0, 'First'],
				['First', 0, 'Second'],
			],
		);
		expect(run.data.resultData.error).toBeUndefined();
		// The second node's items are the first's output: no phone, so they are not sent.
		expect(run.data.resultData.runData.Second).toBeDefined();
		expect(fake.messages.length).toBeGreaterThanOrEqual(2);
	});
});

describe('odd plan numbers', () => {
	/** Runs `count` sends on the plan and returns the virtual time from first to last send. */
	async function paced(count: number, credentials: IDataObject) {
		const startedAt = heldClock.now();
		const { error, output } = await sendTexts(rows(count), { credentials, continueOnFail: true });
		expect(error).toBeUndefined();
		expect(output?.filter((item) => item.error)).toEqual([]);
		return heldClock.now() - startedAt;
	}
	const spacing = (perMinute: number) => 60_000 / (perMinute * 0.98);

	test('a custom message cap of 0 sends as many messages as requests', async () => {
		const took = await paced(3, { rateLimitPlan: 'custom', customRequestsPerMinute: 30, customMessagesPerMinute: 0 });
		expect(took).toBeCloseTo(2 * spacing(30), 0);
	});

	test('huge custom numbers do not pace (and do not break the pacer)', async () => {
		const took = await paced(5, { rateLimitPlan: 'custom', customRequestsPerMinute: 1e12, customMessagesPerMinute: Number.MAX_VALUE });
		expect(took).toBeLessThan(1);
	});

	test('custom numbers given as text (an expression in the credential) are read as numbers: paced at 30', async () => {
		const took = await paced(3, { rateLimitPlan: 'custom', customRequestsPerMinute: '30', customMessagesPerMinute: '30' });
		expect(took).toBeCloseTo(2 * spacing(30), 0);
	});

	test('a custom number that is not a number fails the item naming the field, before any request', async () => {
		const { output } = await runHypersender({
			items: [{ phone: '+1 213 213 2130' }],
			parameters: { operation: 'upsert', chatId: '={{ $json.phone }}', firstName: 'Maria', options: {} },
			credentials: credentialsFor(fake, { rateLimitPlan: 'custom', customRequestsPerMinute: 'sixty' }),
			continueOnFail: true,
		});

		expect(output?.[0].error?.message).toBe(`The credential's Custom Requests per Minute "sixty" is not a number`);
		expect(fake.requests).toHaveLength(0);
	});
});
