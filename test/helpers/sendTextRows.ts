/**
 * Bulk Send Text as the stop-on-error and hostile suites run it: rows with a phone each, the Send
 * Text node with the node settings a test gives (On Error, Retry On Fail), and what the fake got.
 */
import type { IDataObject, INode, INodeParameters } from 'n8n-workflow';

import type { FakeHypersender } from '../fake-hypersender/server';
import { credentialsFor, INSTANCE_ID } from '../fixtures';
import { HYPERSENDER_NODE_TYPE, runNode } from './runWorkflow';

export const phoneOfRow = (row: number) => `+1 213 555 ${String(1000 + row)}`;
export const chatIdOfRow = (row: number) => `1213555${1000 + row}@c.us`;
export const rowOfChatId = (chatId: string) => Number(chatId.slice(7, 11)) - 1000;

/** `count` rows `{ phone, name }`; `phoneOf` gives a row another phone. */
export const rows = (count: number, phoneOf: (row: number) => string = phoneOfRow): IDataObject[] =>
	Array.from({ length: count }, (_, row) => ({ phone: phoneOf(row), name: `Row ${row}` }));

export const descriptionOf = (error: unknown) => String((error as { description?: string } | undefined)?.description);

export const sendTextParameters = (options: IDataObject = {}, text = '=Hello {{ $json.name }}'): INodeParameters => ({
	resource: 'message',
	operation: 'sendText',
	chatId: '={{ $json.phone }}',
	text,
	options: { waitForResult: false, ...options },
});

export interface SendTextsOptions {
	node?: Partial<INode>;
	parameters?: INodeParameters;
	credentials?: IDataObject;
	continueOnFail?: boolean;
	onStart?: (cancel: () => void) => void;
}

/** Runs Send Text over rows against `fake`, and reads what reached it. */
export function sendTextRowsTo(fake: FakeHypersender) {
	const api = `/api/whatsapp/v2/${INSTANCE_ID}`;
	const sendRequests = () => fake.requests.filter((request) => request.method === 'POST' && request.path.startsWith(`${api}/send-`));
	return {
		/** Send Text of every row, with the node's settings as given. */
		sendTexts: async (items: IDataObject[], { node = {}, parameters = sendTextParameters(), credentials = {}, continueOnFail = false, onStart }: SendTextsOptions = {}) =>
			await runNode({
				items,
				credentials: credentialsFor(fake, credentials),
				continueOnFail,
				onStart,
				node: { type: HYPERSENDER_NODE_TYPE, typeVersion: 1, parameters, credentials: { hypersenderApi: { id: '1', name: 'Hypersender account' } }, ...node },
			}),
		sendRequests,
		sendRequestsTo: (row: number) => sendRequests().filter((request) => request.body?.chatId === chatIdOfRow(row)).length,
		/** The rows whose message the fake queued, in row order. */
		acceptedRows: () => fake.messages.map((message) => rowOfChatId(message.chatId)).sort((a, b) => a - b),
	};
}
