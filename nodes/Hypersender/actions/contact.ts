/**
 * What the Contact description names: preSend hooks that check an item's input and put it into
 * the request, and one runner per operation that sends it through the transport and shapes
 * the output. The runners are registered as `requestOperations.pagination`, the one place where
 * n8n's routing lets a declarative node make the request itself.
 */
import { NodeOperationError } from 'n8n-workflow';
import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
} from 'n8n-workflow';

import { chatIdOfItem, itemInputError, showsNothing } from '../shared/itemInput';
import { readBooleanOption, readWholeNumberOption } from '../shared/options';
import { quoteValue } from '../shared/quoteValue';
import { hypersenderRequest } from '../transport';
import { systemClock } from '../transport/clock';
import { parameterOfItem } from '../shared/itemParameters';

const SYNC_ATTEMPTS = { name: 'options.syncAttempts', label: 'Sync Attempts', min: 1, max: 3, fallback: 1 };
const SYNC_DELAY_SECONDS = { name: 'options.syncDelaySeconds', label: 'Delay Between Sync Attempts (Seconds)', min: 0, max: 60, fallback: 3 };
const LIMIT = { name: 'limit', label: 'Limit', min: 1, max: 100_000, fallback: 50 };

const PAGE_SIZE = 1000;
// Return All keeps every contact in memory as output items; past this many it stops with an
// error rather than let a server that never sends a short page exhaust n8n's memory.
const MOST_CONTACTS = 100_000;

/** preSend: puts the normalized chat ID into the body (upsert) or the query (reads). */
export async function putChatIdIntoRequest(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const chatId = chatIdOfItem(this, 'chatId', 'Chat ID or Phone');
	if (requestOptions.method === 'POST') requestOptions.body = { ...(requestOptions.body as IDataObject), chat_id: chatId };
	else requestOptions.qs = { ...requestOptions.qs, chat_id: chatId };
	return requestOptions;
}

/** A name field's text, trimmed; anything that is not text (or a number), or shows nothing, is an error. */
function nameOfItem(ctx: IExecuteSingleFunctions, field: string, label: string, required: boolean): string {
	const raw = parameterOfItem(ctx, field, '') as unknown;
	const itemIndex = ctx.getItemIndex();
	if (raw !== null && raw !== undefined && typeof raw !== 'string' && !(typeof raw === 'number' && Number.isFinite(raw))) {
		throw itemInputError(ctx, `'${label}' in item ${itemIndex} is ${quoteValue(raw)}, not text`, `Map a field that holds the name as text, e.g. {{ $json.firstname }}, not an object, list or true/false.`);
	}
	const name = String(raw ?? '').trim();
	if (!showsNothing(name)) return name;
	if (!required && name === '') return '';
	throw itemInputError(
		ctx,
		name === '' ? `'${label}' is empty in item ${itemIndex}` : `'${label}' in item ${itemIndex} is ${quoteValue(raw)}, which shows nothing`,
		required
			? `Map a field that holds a name, e.g. {{ $json.firstname }}, or filter out rows without one before this node.`
			: `Leave '${label}' empty or map a field that holds a visible name.`,
	);
}

/** preSend: puts the names into the body, trimmed and otherwise unchanged, so every script and emoji arrives as typed. */
export async function putContactNamesIntoBody(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const firstName = nameOfItem(this, 'firstName', 'First Name', true);
	const lastName = nameOfItem(this, 'lastName', 'Last Name', false);
	requestOptions.body = { ...(requestOptions.body as IDataObject), first_name: firstName, ...(lastName ? { last_name: lastName } : {}) };
	return requestOptions;
}

function pairedWithItem(ctx: IExecuteSingleFunctions, items: IDataObject[]): INodeExecutionData[] {
	const item = ctx.getItemIndex();
	return items.map((json) => ({ json, pairedItem: { item } }));
}

/**
 * Runner for Create or Update: sends the upsert as often as Sync Attempts says (the API advises
 * 2-3 when a phone's address book is slow to pick a contact up), then optionally reads it back.
 */
export async function upsertContact(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const attempts = readWholeNumberOption(this, SYNC_ATTEMPTS);
	const delayMs = readWholeNumberOption(this, SYNC_DELAY_SECONDS) * 1000;
	const verify = readBooleanOption(this, { name: 'options.verify', label: 'Verify by Reading Back', fallback: false });
	const sent = requestData.options.body as IDataObject;
	let answer = await hypersenderRequest(this, requestData.options, { data: 'object' });
	for (let attempt = 2; attempt <= attempts; attempt++) {
		await systemClock.sleep(delayMs, this.getExecutionCancelSignal?.());
		answer = await hypersenderRequest(this, requestData.options, { data: 'object' });
	}
	const output: IDataObject = { success: true, message: answer.body.message ?? null, ...sent };
	if (attempts > 1) output.sync_attempts = attempts;
	if (verify) {
		const readBack = await hypersenderRequest(
			this,
			{ ...requestData.options, method: 'GET', url: '/contacts/get', qs: { chat_id: sent.chat_id }, body: undefined },
			{ data: 'object', contactNotFoundIsResult: true },
		);
		const stored = (readBack.statusCode === 200 ? readBack.body.data : {}) as IDataObject;
		output.verification = {
			found: readBack.statusCode === 200,
			stored_name: stored.name ?? null,
			pushname: stored.pushname ?? null,
			id: stored.id ?? null,
			name_matches: stored.name === [sent.first_name, sent.last_name].filter(Boolean).join(' '),
		};
	}
	return pairedWithItem(this, [output]);
}

/** Runner for Get: the contact, or with If Not Found: Output an Item, a flagged item instead of an error. */
export async function getContact(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const ifNotFound = parameterOfItem(this, 'options.ifNotFound', 'error') as unknown;
	if (ifNotFound !== 'error' && ifNotFound !== 'outputItem') {
		throw itemInputError(this, `'If Not Found' in item ${this.getItemIndex()} is ${quoteValue(ifNotFound)}`, "Set it to 'error' (Fail the Item) or 'outputItem' (Output an Item).");
	}
	const chatId = requestData.options.qs?.chat_id;
	const answer = await hypersenderRequest(this, requestData.options, { data: 'object', contactNotFoundIsResult: ifNotFound === 'outputItem' });
	if (answer.statusCode === 404) return pairedWithItem(this, [{ found: false, chat_id: chatId }]);
	return pairedWithItem(this, [{ found: true, chat_id: chatId, ...(answer.body.data as IDataObject) }]);
}

/**
 * Runner for Get Many: offset pages of up to 1000, a short page being the last (the API gives
 * no total). A server that sends the same page again, or more than asked, is stopped with an
 * error instead of being followed for ever.
 */
export async function getManyContacts(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const returnAll = readBooleanOption(this, { name: 'returnAll', label: 'Return All', fallback: false });
	const wanted = returnAll ? MOST_CONTACTS : readWholeNumberOption(this, LIMIT);
	const contacts: IDataObject[] = [];
	let previousPage = '';
	while (contacts.length < wanted) {
		const limit = Math.min(PAGE_SIZE, wanted - contacts.length);
		const answer = await hypersenderRequest(this, { ...requestData.options, qs: { ...requestData.options.qs, limit, offset: contacts.length } }, { data: 'array' });
		const page = answer.body.data as IDataObject[];
		const pageText = JSON.stringify(page);
		if (page.length > limit || (page.length > 0 && pageText === previousPage)) {
			throw new NodeOperationError(this.getNode(), `Get Many stopped: Hypersender ${page.length > limit ? `sent ${page.length} contacts for a page of ${limit}` : `sent the same page again at offset ${contacts.length}`}`, {
				itemIndex: this.getItemIndex(),
				description: 'The API is not paging as documented (limit and offset). Use a Limit, or try again later.',
			});
		}
		previousPage = pageText;
		contacts.push(...page);
		if (page.length < limit) return pairedWithItem(this, contacts);
	}
	if (returnAll) {
		throw new NodeOperationError(this.getNode(), `Get Many stopped after ${MOST_CONTACTS} contacts`, {
			itemIndex: this.getItemIndex(),
			description: `Return All keeps every contact in memory; the address book holds more than ${MOST_CONTACTS}. Use Limit to take them in parts.`,
		});
	}
	return pairedWithItem(this, contacts);
}
