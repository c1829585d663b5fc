import { NodeOperationError, sleep } from 'n8n-workflow';
import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	IN8nHttpFullResponse,
	INodeExecutionData,
} from 'n8n-workflow';

import {
	ACCEPTED_CHAT_ID_FORMS,
	InvalidChatIdError,
	InvalidCountryCodeError,
	normalizeChatId,
	normalizeCountryCode,
} from '../shared/chatId';
import {
	accountForItem,
	raiseForHypersenderStatus,
	sendExtraRequest,
	sendWithRetries,
} from './sendWithRetries';

const MAX_PAGE_SIZE = 1000;
// 10 million contacts: far beyond any address book, yet a bound if the API never sends a short page.
const MAX_PAGES = 10_000;

// RoutingNode hands the same item context to an item's preSend and postReceive hooks, so the
// output can show what was sent without evaluating the fields' expressions a second time.
const sentFields = new WeakMap<object, IDataObject>();

function rememberSent(ctx: IExecuteSingleFunctions, fields: IDataObject) {
	sentFields.set(ctx, { ...sentFields.get(ctx), ...fields });
}

function sentFieldsOf(ctx: IExecuteSingleFunctions): IDataObject {
	return sentFields.get(ctx) ?? {};
}

function optionOf<T>(ctx: IExecuteSingleFunctions, name: string, fallback: T): T {
	return ctx.getNodeParameter(`options.${name}`, fallback) as T;
}

/** The item's Chat ID or Phone, normalized, or an error that names the item, the value and the fix. */
function chatIdForItem(ctx: IExecuteSingleFunctions): string {
	const itemIndex = ctx.getItemIndex();
	const rawCountryCode = optionOf(ctx, 'defaultCountryCode', '');
	let countryCode = '';
	try {
		countryCode = rawCountryCode ? normalizeCountryCode(String(rawCountryCode)) : '';
	} catch (error) {
		// normalizeCountryCode throws nothing but InvalidCountryCodeError
		throw new NodeOperationError(ctx.getNode(), `${(error as InvalidCountryCodeError).message} [item ${itemIndex}]`, {
			itemIndex,
			description: "Set 'Default Country Code' to the digits you dial for the country, e.g. 49 for Germany or +1 for the USA, or leave it empty.",
		});
	}
	const raw = ctx.getNodeParameter('chatId', '') as unknown;
	try {
		return normalizeChatId(raw, countryCode);
	} catch (error) {
		// normalizeChatId throws nothing but InvalidChatIdError
		const { value, reason } = error as InvalidChatIdError;
		throw new NodeOperationError(
			ctx.getNode(),
			`Invalid 'Chat ID or Phone' in item ${itemIndex}: "${value}" ${reason}`,
			{
				itemIndex,
				description: `Nothing was sent for this item. Use ${ACCEPTED_CHAT_ID_FORMS}.`,
			},
		);
	}
}

/**
 * preSend, first for every operation: points the request at the credential's instance, and
 * catches a Base URL typo (or a file: URL) before any request carries the token.
 */
export async function applyCredentialBaseUrl(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const { baseUrl, apiBaseUrl } = await accountForItem(this);
	if (!apiBaseUrl) {
		throw new NodeOperationError(this.getNode(), `The credential's Base URL "${baseUrl}" is not an http(s) URL`, {
			itemIndex: this.getItemIndex(),
			description: "Set 'Base URL' in the 'Hypersender API' credential to https://app.hypersender.com, or to your proxy's http(s) address.",
		});
	}
	requestOptions.baseURL = apiBaseUrl;
	return requestOptions;
}

/** preSend: the API receives the normalized chat ID, in the body for upserts and in the query for reads. */
export async function normalizeChatIdInRequest(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const chatId = chatIdForItem(this);
	rememberSent(this, { chat_id: chatId });
	if (requestOptions.method === 'POST') {
		requestOptions.body = { ...(requestOptions.body as IDataObject), chat_id: chatId };
	} else {
		requestOptions.qs = { ...requestOptions.qs, chat_id: chatId };
	}
	return requestOptions;
}

/**
 * preSend: puts the names into the body, trimmed and otherwise unchanged, so every script and
 * emoji reaches the address book as typed. The name fields carry no `routing`: RoutingNode
 * would evaluate their expressions four more times per item, which bulk runs pay for.
 */
export async function validateContactNames(
	this: IExecuteSingleFunctions,
	requestOptions: IHttpRequestOptions,
): Promise<IHttpRequestOptions> {
	const itemIndex = this.getItemIndex();
	const body = { ...(requestOptions.body as IDataObject) };
	const firstName = String(this.getNodeParameter('firstName', '') ?? '').trim();
	if (firstName === '') {
		throw new NodeOperationError(this.getNode(), `'First Name' is empty in item ${itemIndex}`, {
			itemIndex,
			description:
				'Nothing was sent for this item. Map a field that holds a name, e.g. {{ $json.firstname }}, or filter out rows without one before this node.',
		});
	}
	body.first_name = firstName;
	const lastName = String(this.getNodeParameter('lastName', '') ?? '').trim();
	if (lastName !== '') body.last_name = lastName;
	requestOptions.body = body;
	rememberSent(this, { first_name: firstName, ...(lastName ? { last_name: lastName } : {}) });
	return requestOptions;
}

/** postReceive: the first step of every operation; passes successful answers on unchanged. */
export async function checkHypersenderResponse(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const allowContactNotFound =
		this.getNodeParameter('operation') === 'get' && optionOf<string>(this, 'ifNotFound', 'error') === 'outputItem';
	await raiseForHypersenderStatus(
		this,
		{ statusCode: response.statusCode, body: response.body, headers: response.headers },
		{ allowContactNotFound },
	);
	return items;
}

/** postReceive: one flat item per upsert, with the chat ID actually sent. */
export async function shapeUpsertOutput(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const body = (response.body ?? {}) as IDataObject;
	const data = (body.data ?? {}) as IDataObject;
	return [{ json: { success: data.success ?? true, message: body.message ?? null, ...sentFieldsOf(this) } }];
}

/** postReceive: a found contact, or (with If Not Found: Output an Item) a flagged item instead of an error. */
export async function shapeGetOutput(
	this: IExecuteSingleFunctions,
	_items: INodeExecutionData[],
	response: IN8nHttpFullResponse,
): Promise<INodeExecutionData[]> {
	const { chat_id: chatId } = sentFieldsOf(this);
	if (response.statusCode === 404) return [{ json: { found: false, chat_id: chatId } }];
	const data = ((response.body as IDataObject)?.data ?? {}) as IDataObject;
	return [{ json: { found: true, chat_id: chatId, ...data } }];
}

/** postReceive: the last step of every operation, so that n8n can trace each output item to its input even when one input yields many. */
export async function pairWithInputItem(
	this: IExecuteSingleFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const item = this.getItemIndex();
	return items.map((output) => ({ ...output, pairedItem: { item } }));
}

/**
 * Request runner for Upsert. n8n's routing lets a node wrap the request itself only through
 * `requestOperations.pagination`, so every operation opts in with `paginate: true`; this one
 * repeats the upsert as the API advises (Sync Attempts) and can read the contact back.
 */
export async function upsertWithSyncAttempts(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const attempts = Math.min(3, Math.max(1, Number(optionOf(this, 'syncAttempts', 1))));
	const delayMs = Math.max(0, Number(optionOf(this, 'syncDelaySeconds', 3))) * 1000;
	let items: INodeExecutionData[] = [];
	for (let attempt = 1; attempt <= attempts; attempt++) {
		if (attempt > 1) await sleep(delayMs);
		items = await sendWithRetries(this, async () => await this.makeRoutingRequest(requestData));
	}
	if (attempts > 1) items = items.map((item) => ({ ...item, json: { ...item.json, sync_attempts: attempts } }));
	if (!optionOf(this, 'verify', false)) return items;

	const sent = requestData.options.body as IDataObject;
	const response = await sendExtraRequest(this, {
		method: 'GET',
		baseURL: requestData.options.baseURL,
		url: '/contacts/get',
		qs: { chat_id: sent.chat_id },
		headers: { Accept: 'application/json' },
		timeout: requestData.options.timeout,
	});
	const stored = (response.statusCode === 200 ? ((response.body as IDataObject)?.data ?? {}) : {}) as IDataObject;
	const expected = [sent.first_name, sent.last_name].filter(Boolean).join(' ');
	const verification = {
		found: response.statusCode === 200,
		stored_name: (stored.name as string | undefined) ?? null,
		pushname: (stored.pushname as string | undefined) ?? null,
		id: (stored.id as string | undefined) ?? null,
		name_matches: stored.name === expected,
	};
	return items.map((item) => ({ ...item, json: { ...item.json, verification } }));
}

/** Request runner for Get: one paced, retried request. */
export async function sendPacedRequest(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	return await sendWithRetries(this, async () => await this.makeRoutingRequest(requestData));
}

/** Request runner for Get Many: offset pages of up to 1000, each paced and retried; a short page is the last. */
export async function fetchContactPages(
	this: IExecutePaginationFunctions,
	requestData: DeclarativeRestApiSettings.ResultOptions,
): Promise<INodeExecutionData[]> {
	const maxResults = requestData.maxResults ? Number(requestData.maxResults) : Infinity;
	const contacts: INodeExecutionData[] = [];
	for (let page = 0; page < MAX_PAGES; page++) {
		const pageSize = Math.min(MAX_PAGE_SIZE, maxResults - contacts.length);
		requestData.options.qs = { ...requestData.options.qs, limit: pageSize, offset: contacts.length };
		const pageItems = await sendWithRetries(this, async () => await this.makeRoutingRequest(requestData));
		contacts.push(...pageItems);
		if (pageItems.length < pageSize || contacts.length >= maxResults) return contacts;
	}
	throw new NodeOperationError(this.getNode(), `Get Many stopped after ${MAX_PAGES} pages`, {
		itemIndex: this.getItemIndex(),
		description: 'The API kept returning full pages. Use a Limit instead of Return All.',
	});
}
