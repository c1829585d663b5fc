/**
 * A node that stops on errors (n8n's default, On Error: Stop Workflow) sends nothing behind the
 * user's back: every item's input is checked before the first send, a failed item stops the
 * sends still waiting, the run's error says what went out, and a retry of the node (Retry On
 * Fail) never sends a message that an earlier try sent. Run through WorkflowExecute against the
 * fake Hypersender.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { credentialsFor, useFakeHypersender } from './fixtures';
import { HYPERSENDER_NODE_TYPE, runNode } from './helpers/runWorkflow';

const fake = useFakeHypersender();

const phoneOfRow = (row: number) => `+1 213 555 ${String(1000 + row)}`;
const chatIdOfRow = (row: number) => `1213555${1000 + row}@c.us`;
const rowOfChatId = (chatId: string) => Number(chatId.slice(7, 11)) - 1000;

function rows(count: number, phoneOf: (row: number) => string = phoneOfRow): IDataObject[] {
	return Array.from({ length: count }, (_, row) => ({ phone: phoneOf(row), name: `Row ${row}` }));
}

async function sendTexts(items: IDataObject[], { node = {}, plan = 'unlimited', continueOnFail = false }: { node?: Partial<INode>; plan?: string; continueOnFail?: boolean } = {}) {
	return await runNode({
		items,
		credentials: credentialsFor(fake, plan === 'unlimited' ? {} : { rateLimitPlan: 'custom', customRequestsPerMinute: Number(plan) }),
		continueOnFail,
		node: {
			type: HYPERSENDER_NODE_TYPE,
			typeVersion: 1,
			parameters: {
				resource: 'message',
				operation: 'sendText',
				chatId: '={{ $json.phone }}',
				text: '=Hello {{ $json.name }}',
				options: { waitForResult: false },
			},
			credentials: { hypersenderApi: { id: '1', name: 'Hypersender account' } },
			...node,
		},
	});
}

const ROWS = 40;

/** The items the run's error names as sent: "N messages ... before it stopped: items 0-4, 6." */
function namedAsSent(error: unknown): number[] {
	const description = String((error as { description?: string }).description);
	if (description.includes('No message of this node run was sent.')) return [];
	const list = /before it stopped: items? ([\d, -]+)\./.exec(description)?.[1] ?? '';
	return list.split(', ').flatMap((part) => {
		const [from, to] = part.split('-').map(Number);
		return to === undefined ? [from] : Array.from({ length: to - from + 1 }, (_, i) => from + i);
	});
}

const sentRows = () => fake.messages.map((message) => rowOfChatId(message.chatId)).sort((a, b) => a - b);
const sendRequestsTo = (row: number) => fake.requests.filter((request) => request.body?.chatId === chatIdOfRow(row)).length;

describe('On Error: Stop Workflow', () => {
	test('a row with a phone that is not a number stops the run before any message goes out', async () => {
		const { error, output } = await sendTexts(rows(40, (row) => (row === 20 ? 'call me maybe' : phoneOfRow(row))));

		expect(output).toBeUndefined();
		expect(fake.requests).toHaveLength(0);
		expect(fake.messages).toHaveLength(0);
		// RoutingNode fails the node with the first item's error: it names the row that failed and why.
		expect(error?.message).toBe('Item 0 was not sent: item 20 failed, and the node stops on errors');
		const description = String((error as { description?: string }).description);
		expect(description).toContain("Invalid 'Chat ID or Phone' in item 20");
		expect(description).toContain('"call me maybe"');
		expect(description).toContain('No message of this node run was sent.');
		expect(description).toContain("Settings > On Error to 'Continue (using error output)'");
	});

	test('an expression n8n cannot read on one row stops the run before any message goes out', async () => {
		const items = rows(30);
		delete items[12].phone;
		const { error } = await runNode({
			items,
			credentials: credentialsFor(fake),
			node: {
				type: HYPERSENDER_NODE_TYPE,
				typeVersion: 1,
				parameters: { resource: 'message', operation: 'sendText', chatId: '={{ $json.phone.trim() }}', text: 'Hello', options: { waitForResult: false } },
				credentials: { hypersenderApi: { id: '1', name: 'Hypersender account' } },
			},
		});

		expect(error).toBeDefined();
		expect(fake.requests).toHaveLength(0);
		// The items n8n had started before it gave up are not sent later either: a send of theirs would
		// be in the account's queue (first in, first out) ahead of the next execution's.
		const next = await sendTexts([{ phone: phoneOfRow(99), name: 'Next' }]);
		expect(next.error).toBeUndefined();
		expect(fake.requests.map((request) => request.body?.chatId)).toEqual([chatIdOfRow(99)]);
	});

	test('with Request Options > Batching, a bad row in a later batch still stops every send', async () => {
		const { error } = await sendTexts(rows(15, (row) => (row === 13 ? 'n/a' : phoneOfRow(row))), {
			node: { parameters: { resource: 'message', operation: 'sendText', chatId: '={{ $json.phone }}', text: 'Hi', options: { waitForResult: false }, requestOptions: { batching: { batch: { batchSize: 5, batchInterval: 20 } } } } },
		});

		expect(error?.message).toBe('Item 0 was not sent: item 13 failed, and the node stops on errors');
		expect(fake.requests).toHaveLength(0);
	});

	test('a refusal from Hypersender stops the sends still waiting for their turn, and the error names the sends that went out', async () => {
		fake.refuseSendsTo.set(chatIdOfRow(5), { status: 422, body: { message: 'The given data was invalid.', errors: { chatId: ['The chat id is invalid.'] } } });
		// 1200 requests a minute: one send every ~51 ms, one at a time on the wire.
		const { error } = await sendTexts(rows(ROWS), { plan: '1200' });

		const sent = sentRows();
		expect(sent.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
		// What was on the wire when the refusal came may still go out; the sends behind it do not.
		expect(sent).not.toContain(ROWS - 1);
		expect(fake.requests.length).toBe(sent.length + 1);
		expect(error?.message).toContain('Hypersender rejected the request (422)');
		expect(namedAsSent(error)).toEqual(sent);
		expect(String((error as { description?: string }).description)).toContain('Running the workflow again sends them again.');
	});

	test('with On Error: Continue every row still gets its own outcome (nothing held back)', async () => {
		const { error, output } = await sendTexts(rows(40, (row) => (row === 20 ? 'call me maybe' : phoneOfRow(row))), { continueOnFail: true });

		expect(error).toBeUndefined();
		expect(output).toHaveLength(40);
		expect(fake.messages).toHaveLength(39);
		expect(output![20].error?.message).toContain("Invalid 'Chat ID or Phone' in item 20");
	});
});

describe('Retry On Fail', () => {
	const retrying: Partial<INode> = { retryOnFail: true, maxTries: 3, waitBetweenTries: 10 };

	test('a bad row with 3 tries sends nothing, in any try', async () => {
		const { error } = await sendTexts(rows(10, (row) => (row === 4 ? 'call me maybe' : phoneOfRow(row))), { node: retrying });

		expect(error).toBeDefined();
		expect(fake.requests).toHaveLength(0);
	});

	test('a row Hypersender refuses: the other 9 messages go out once over 3 tries, and the refused row is tried once per try', async () => {
		fake.refuseSendsTo.set(chatIdOfRow(3), { status: 422, body: { message: 'The given data was invalid.', errors: { chatId: ['The chat id is invalid.'] } } });
		const { error } = await sendTexts(rows(10), { node: retrying });

		expect(error?.message).toContain('Hypersender rejected the request (422)');
		// Which rows go out before a try stops depends on timing; that none goes out twice does not.
		for (const row of [0, 1, 2, 4, 5, 6, 7, 8, 9]) expect(sendRequestsTo(row)).toBeLessThanOrEqual(1);
		expect(sendRequestsTo(3)).toBe(3);
		expect(sentRows()).toEqual([...new Set(sentRows())]);
		// The last try's error counts what the earlier tries sent as sent.
		expect(namedAsSent(error)).toEqual(sentRows());
	});

	test('a row refused in the first try only: the retry sends that row alone and outputs every row once', async () => {
		// Refused once, then accepted: the retry must send row 6, and only row 6.
		fake.refuseSendsTo.set(chatIdOfRow(6), { status: 422, body: { message: 'The given data was invalid.', errors: { text: ['Try again.'] } }, times: 1 });
		const { error, output } = await sendTexts(rows(10), { node: retrying });

		expect(error).toBeUndefined();
		expect(output).toHaveLength(10);
		expect(output!.map((item) => item.json.chat_id)).toEqual(Array.from({ length: 10 }, (_, row) => chatIdOfRow(row)));
		expect(output!.every((item) => item.json.status === 'queued')).toBe(true);
		expect(sentRows()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
		expect(fake.requests).toHaveLength(11);
		expect(sendRequestsTo(6)).toBe(2);
	});

	test('a send that may have reached Hypersender is not sent again by a retry', async () => {
		fake.acceptThenDropNext(1);
		const { error } = await sendTexts(rows(1), { node: retrying });

		expect(error?.message).toContain('may have been sent');
		expect(fake.messages).toHaveLength(1);
		expect(fake.requests).toHaveLength(1);
	});
});
