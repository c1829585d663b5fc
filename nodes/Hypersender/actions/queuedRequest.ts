/**
 * Hypersender v2 queues every send and answers with a queued request's UUID; the outcome is read
 * from `queued-requests/{uuid}`. Here: reading it (every read is one request through the
 * transport, so polls are paced with everything else on the account), waiting for it with a
 * bounded backoff, and turning it into an output item, or an item error for a failed send.
 */
import { NodeOperationError } from 'n8n-workflow';
import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	JsonObject,
} from 'n8n-workflow';

import { readWholeNumberOption } from '../shared/options';
import type { WholeNumberRule } from '../shared/options';
import { quoteValue } from '../shared/quoteValue';
import { DEFAULT_TIMEOUT_MS, hypersenderRequest, markedMayHaveBeenSent, unexpectedAnswerError } from '../transport';
import type { HypersenderRequest } from '../transport';
import { apiMessageOf, describeValidationErrors, HypersenderApiError, quoteHypersender, refusalRuleFor } from '../transport/errors';
import { messageIdOfSentMessage } from '../shared/messageId';
import { isObject } from '../shared/values';
import { systemClock } from '../transport/clock';
import { itemInputError } from '../shared/itemInput';
import { parameterOfItem } from '../shared/itemParameters';

export const MAX_WAIT_SECONDS: WholeNumberRule = { name: 'options.maxWaitSeconds', label: 'Max Wait (Seconds)', min: 0, max: 3600, fallback: 60 };

// Polls come 1, 2, 4, 8, then every 15 seconds apart: a message that goes out within seconds
// costs one or two polls, and a long Max Wait costs at most 4 polls a minute.
const FIRST_POLL_AFTER_MS = 1000;
const LONGEST_POLL_GAP_MS = 15_000;
// Max Wait bounds the polls already; this bounds them should a clock misbehave.
// A poll is sent only while Max Wait has time left for its answer, and that time left caps the
// poll's time-out; a failed poll is not retried by the transport but by the next poll, so
// nothing runs past Max Wait (only a turn in the account's pacer may start a poll late).
const MOST_POLLS = 400;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a queued request says: still processing, or finished with Hypersender's status and body. */
export type QueuedState =
	| { processing: true; request: IDataObject | undefined; /** Why the last poll could not read the state. */ pollError?: string }
	| { processing: false; responseStatus: number; responseBody: unknown; request: IDataObject | undefined };

/**
 * What was queued: a `message` (status `sent`), an `action` such as typing or a reaction (status
 * `done`), or, for Queued Request > Get, a request the node cannot tell apart (status `sent`).
 */
export type QueuedKind = 'message' | 'action' | 'any';

/** What an output item says about the send besides the outcome. */
export interface SendFacts {
	uuid: string;
	link: string | null;
	chatId: string | null;
	kind: QueuedKind;
}

function stateOf(ctx: IExecuteSingleFunctions, body: IDataObject): QueuedState {
	const request = isObject(body.request) ? (body.request as IDataObject) : undefined;
	const status = body.response_status;
	if (status === null || status === undefined) return { processing: true, request };
	const code = typeof status === 'string' && /^\d{3}$/.test(status.trim()) ? Number(status) : status;
	// 2xx is done, 4xx and 5xx failed; anything else tells neither, so it is not read as either.
	if (typeof code !== 'number' || !Number.isInteger(code) || code < 200 || code > 599 || (code >= 300 && code < 400)) {
		throw unexpectedAnswerError(
			ctx,
			`Hypersender's answer is not what the API documents: response_status is ${quoteValue(status)}`,
			"A queued request's response_status is null while it is processing, then an HTTP status such as 201, 404, 422 or 500. Read it again later with Queued Request > Get.",
		);
	}
	return { processing: false, responseStatus: code, responseBody: body.response_body, request };
}

/**
 * One read of a queued request, with the request options (timeout, proxy) the send used; a poll
 * passes its own time-out and is not retried.
 */
export async function readQueuedRequest(ctx: IExecuteSingleFunctions, sentWith: HypersenderRequest, uuid: string, poll?: { timeoutMs: number }): Promise<QueuedState> {
	const request: HypersenderRequest = {
		...sentWith,
		...(poll ? { timeout: poll.timeoutMs } : {}),
		method: 'GET',
		url: `/queued-requests/${encodeURIComponent(uuid)}`,
		qs: undefined,
		body: undefined,
		headers: { Accept: 'application/json' },
	};
	try {
		const answer = await hypersenderRequest(ctx, request, poll ? { data: 'none', maxRetries: 0 } : { data: 'none' });
		return stateOf(ctx, answer.body);
	} catch (error) {
		throw withUnknownUuidNamed(error as NodeOperationError, uuid);
	}
}

/** The status table reads a bare 404 as a wrong instance; for a queued request it may be the UUID. Other errors pass unchanged. */
function withUnknownUuidNamed<T extends Error>(error: T, uuid: string): T {
	if (error instanceof HypersenderApiError && error.httpCode === '404') {
		error.message = `No queued request ${quoteValue(uuid)} found, or the instance was not found (404)`;
		error.description = `Check the UUID (it is the queued_request_uuid of a send by this instance) and the Instance ID in the credential. ${error.description ?? ''}`.trim();
	}
	return error;
}

/** The send was queued: its message is out, or will be. */
function cancelledWhileWaiting(ctx: IExecuteSingleFunctions, uuid: string): NodeOperationError {
	return markedMayHaveBeenSent(
		new NodeOperationError(ctx.getNode(), `The execution was cancelled while waiting for the result of item ${ctx.getItemIndex()}`, {
			itemIndex: ctx.getItemIndex(),
			description: `The request was queued by Hypersender (queued request ${uuid}); read its outcome with Queued Request > Get.`,
		}),
	);
}

/** A failed poll that the next one may get past: a dropped connection, a time-out, a 5xx, a 429 whose wait ends within Max Wait. */
function worthPollingAgain(error: unknown, leftMs: number): boolean {
	return error instanceof HypersenderApiError && error.retryable && (error.retryAfterMs === undefined || error.retryAfterMs < leftMs);
}

/**
 * Polls until the queued request is finished or `maxWaitMs` has passed since the call. The gaps
 * grow from 1 s to 15 s. Still processing then, or unreadable (the request was accepted, so a
 * failed poll is no failed send): a processing state, with `pollError` saying why the last poll
 * failed.
 */
export async function waitForOutcome(ctx: IExecuteSingleFunctions, sentWith: HypersenderRequest, uuid: string, maxWaitMs: number): Promise<QueuedState> {
	const clock = systemClock;
	const signal = ctx.getExecutionCancelSignal?.();
	const deadline = clock.now() + maxWaitMs;
	const requestTimeoutMs = sentWith.timeout ?? DEFAULT_TIMEOUT_MS;
	let gap = FIRST_POLL_AFTER_MS;
	let pollError: string | undefined;
	for (let polls = 0; polls < MOST_POLLS && gap < deadline - clock.now(); polls++) {
		await clock.sleep(gap, signal);
		if (signal?.aborted) throw cancelledWhileWaiting(ctx, uuid);
		try {
			const state = await readQueuedRequest(ctx, sentWith, uuid, { timeoutMs: Math.min(requestTimeoutMs, deadline - clock.now()) });
			if (!state.processing) return state;
			pollError = undefined;
		} catch (error) {
			if (signal?.aborted) throw cancelledWhileWaiting(ctx, uuid);
			pollError = (error as Error).message;
			if (!worthPollingAgain(error, deadline - clock.now())) break;
		}
		gap = Math.min(gap * 2, LONGEST_POLL_GAP_MS);
	}
	return { processing: true, request: undefined, pollError };
}

function timestampOf(responseBody: unknown): string | null {
	const raw = isObject(responseBody) ? responseBody.messageTimestamp : undefined;
	const seconds = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
	return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? new Date(seconds * 1000).toISOString() : null;
}

const FAILED: Record<QueuedKind, string> = { message: 'The message was not sent', action: 'The request failed', any: 'The queued request failed' };

/** Hypersender's message in a body stored as text: its `message` when the text is JSON, else the text. */
function messageOfText(text: string): string | undefined {
	const trimmed = text.trim();
	if (trimmed === '') return undefined;
	try {
		return apiMessageOf(JSON.parse(trimmed)) ?? trimmed;
	} catch {
		return trimmed;
	}
}

/** A finished send that failed, in words, from Hypersender's status and body. */
function failureOf(kind: QueuedKind, status: number, responseBody: unknown): { message: string; fix: string } {
	// A queued outcome's body is whatever Hypersender stored: its `message`, or the text itself.
	const said = typeof responseBody === 'string' ? messageOfText(responseBody) : apiMessageOf(responseBody);
	const facts = { statusCode: status, apiMessage: said, body: responseBody };
	// A restriction or an unresolved recipient reads as it does when it is the answer to the send
	// (one table words both), leading with what happened; a 404 saying so is not "not on WhatsApp".
	const refusal = refusalRuleFor(facts);
	if (refusal) return { message: refusal.message(facts), fix: `${FAILED[kind]}. ${refusal.description(facts)}` };
	const failed = (reason: string, fix: string) => ({ message: `${FAILED[kind]}: ${reason} (${status})`, fix });
	if (status === 404) {
		return failed(
			'the recipient is not on WhatsApp',
			`Hypersender found no WhatsApp account for this chat ID${said ? ` (it said ${quoteHypersender(said)})` : ''}. Check the number and its country code; a number without WhatsApp cannot receive messages.`,
		);
	}
	if (status === 422) return failed(`Hypersender rejected it: ${describeValidationErrors(responseBody)}`, 'Fix the fields named above in this item and send it again.');
	if (status >= 500) {
		return failed(
			`Hypersender failed to send it${said ? `: ${quoteHypersender(said)}` : ''}`,
			"The failure was on Hypersender's side. Try again later; if it keeps happening, contact Hypersender support.",
		);
	}
	return failed(`Hypersender answered HTTP ${status}${said ? `: ${quoteHypersender(said)}` : ''}`, 'Check the values of this item and the instance in the Hypersender dashboard.');
}

/**
 * The output item for a queued request's state: sent (or done), pending, or, for a failure, an
 * item error that names the reason, so that On Error can route it.
 */
export function reportOutcome(ctx: IExecuteSingleFunctions, state: QueuedState, facts: SendFacts): IDataObject {
	const base = { chat_id: facts.chatId, queued_request_uuid: facts.uuid, queued_request_link: facts.link };
	if (state.processing) {
		const pollError = state.pollError === undefined ? null : `The result could not be read: ${state.pollError}. The ${facts.kind === 'message' ? 'message' : 'request'} was queued; read its outcome later with Queued Request > Get.`;
		return { status: 'pending', message_id: null, timestamp: null, ...base, poll_error: pollError };
	}
	const { responseStatus, responseBody } = state;
	if (responseStatus >= 200 && responseStatus < 300) {
		return { status: facts.kind === 'action' ? 'done' : 'sent', message_id: messageIdOfSentMessage(responseBody), timestamp: timestampOf(responseBody), ...base, response_status: responseStatus };
	}
	const { message, fix } = failureOf(facts.kind, responseStatus, responseBody);
	throw new HypersenderApiError(ctx.getNode(), ctx.getItemIndex(), {
		message,
		description: `${fix}${facts.kind === 'any' ? ' If it was a message, it was not sent.' : ''} Queued request ${facts.uuid}${facts.chatId ? `, chat ${facts.chatId}` : ''}.`,
		httpCode: String(responseStatus),
		retryable: false,
		response: { queued_request_uuid: facts.uuid, response_status: responseStatus, response_body: (responseBody ?? null) as JsonObject },
	});
}

/** preSend for Queued Request > Get: the UUID, checked for shape, into the URL. */
export async function putQueuedRequestUuidIntoUrl(this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const raw = parameterOfItem(this, 'queuedRequestUuid', '') as unknown;
	const uuid = typeof raw === 'string' ? raw.trim() : raw;
	if (typeof uuid !== 'string' || !UUID.test(uuid)) {
		throw itemInputError(
			this,
			`Invalid 'Queued Request UUID' in item ${this.getItemIndex()}: ${quoteValue(raw)} is not a UUID`,
			'Map the queued_request_uuid of a send, e.g. {{ $json.queued_request_uuid }} (it looks like a0816120-1b2c-4d3e-8f40-5a6b7c8d9e0f).',
		);
	}
	requestOptions.url = `/queued-requests/${uuid}`;
	return requestOptions;
}

/** Runner for Queued Request > Get: one read, reported like the outcome of a send that was waited for. */
export async function getQueuedRequest(this: IExecutePaginationFunctions, requestData: DeclarativeRestApiSettings.ResultOptions): Promise<INodeExecutionData[]> {
	const uuid = String(requestData.options.url).split('/').pop() as string;
	const state = await readQueuedRequest(this, requestData.options, uuid);
	const chatId = typeof state.request?.chatId === 'string' ? state.request.chatId : null;
	return [{ json: reportOutcome(this, state, { uuid, link: null, chatId, kind: 'any' }), pairedItem: { item: this.getItemIndex() } }];
}

/** Reads the item's Max Wait, so a bad value fails the item before its send. */
export function maxWaitMsOf(ctx: IExecuteSingleFunctions): number {
	return readWholeNumberOption(ctx, MAX_WAIT_SECONDS) * 1000;
}
