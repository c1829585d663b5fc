/**
 * The one request path: every operation's runner makes each of its Hypersender requests with
 * one call to `hypersenderRequest`. In order, it
 *   1. reads the item's Max Retries and Requests per Minute (a bad value fails the item first),
 *   2. takes the account of this node run (credential read once; base URL built and checked),
 *   3. waits for its turn in the account's pacer (in the node's own lane, when it is stricter; a message
 *      also for the plan's message spacing),
 *   4. sends the request without following redirects, so the token never leaves the Base URL's origin,
 *   5. turns the answer into a result, or into a `HypersenderApiError` from the status table,
 *   6. retries what can be retried, waiting as the server asks or backing off, until Max Retries.
 * Cancelling the execution ends the waits in 3 and 6 at once, and n8n aborts the request in 4.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { DeclarativeRestApiSettings, IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, IN8nHttpFullResponse, INode, JsonObject } from 'n8n-workflow';

import { readWholeNumberOption } from '../shared/options';
import type { WholeNumberRule } from '../shared/options';
import { CREDENTIAL_NAME, CREDENTIAL_TYPE } from '../shared/credential';
import { itemInputError } from '../shared/itemInput';
import { quoteValue } from '../shared/quoteValue';
import { isObject } from '../shared/values';
import { accountFor } from './account';
import type { HypersenderAccount } from './account';
import {
	apiMessageOf,
	classifyNetworkFailure,
	HypersenderApiError,
	isContactNotFound,
	parseRetryAfter,
	ruleForStatus,
	saysInChain,
} from './errors';
import type { AnswerFacts } from './errors';
import { systemClock } from './clock';
import { ExecutionCancelledBeforeSendError, LONGEST_PAUSE_MS, WAIT_NOT_NEEDED } from './pacer';

export const MAX_RETRIES: WholeNumberRule = { name: 'options.maxRetries', label: 'Max Retries', min: 0, max: 10, fallback: 5 };
export const REQUESTS_PER_MINUTE: WholeNumberRule = {
	name: 'options.requestsPerMinute',
	label: 'Requests per Minute',
	min: 0,
	max: 100_000,
	fallback: 0,
};

const BASE_BACKOFF_MS = 500;
// RoutingNode's own default when Request Options > Timeout is not set.
export const DEFAULT_TIMEOUT_MS = 300_000;
const MAX_BACKOFF_MS = 30_000;
// How much of a non-JSON answer an error shows: enough to recognise a login page or a proxy's message.
const ANSWER_PREVIEW_CHARS = 80;

/** A request as the operation's routing and preSend hooks built it, with the loader's Request Options (timeout, proxy, ignore SSL issues). */
export type HypersenderRequest = DeclarativeRestApiSettings.HttpRequestOptions;

export interface ExpectedAnswer {
	/** The shape `data` must have in a 2xx answer; `none` for answers without `data` (queued sends). */
	data: 'object' | 'array' | 'none';
	/** A 404 "Contact not found" is a result (statusCode 404), not an error. */
	contactNotFoundIsResult?: boolean;
	/**
	 * Sending the request twice does something twice (a message sent twice). It is retried only
	 * where Hypersender surely did not accept it (see `surelyNotAccepted`); any other failure that
	 * could be retried fails the item at once, saying that the request may have been accepted.
	 */
	notIdempotent?: boolean;
	/**
	 * The request sends a message to a person (text, media, location, poll, contact card,
	 * forward): it is paced to the plan's messages per minute as well as its requests per minute.
	 */
	countsAsMessage?: boolean;
	/** Replaces the item's Max Retries: polls of a queued request retry by polling again on their own schedule, within Max Wait. */
	maxRetries?: number;
	/** Holds the request back until its node run may send, and ends its wait when the run stops (actions/sendsOfNodeRun.ts). */
	gate?: SendGate;
}

/** What a node run that stops on errors asks of each of its sends. */
export interface SendGate {
	/** Resolves once every item of the node run passed its input checks; rejects when one failed. */
	admit(): Promise<void>;
	/** Aborts when another item of the run failed: a send still waiting for its turn is not made. */
	stopSignal: AbortSignal;
	/** The error of a send that was not made because the run stopped. */
	stoppedError(): Error;
}

export interface HypersenderAnswer {
	statusCode: number;
	body: IDataObject;
}

/**
 * How long to wait before retry number `retries + 1` when the server named no time:
 * exponential backoff with jitter, so that many failed items do not retry in step.
 */
export function backoffMs(retries: number, random: () => number = Math.random): number {
	const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** retries);
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export async function hypersenderRequest(
	ctx: IExecuteSingleFunctions,
	request: HypersenderRequest,
	expected: ExpectedAnswer,
): Promise<HypersenderAnswer> {
	const maxRetries = expected.maxRetries ?? readWholeNumberOption(ctx, MAX_RETRIES);
	const nodeRequestsPerMinute = readWholeNumberOption(ctx, REQUESTS_PER_MINUTE);
	const account = await accountFor(ctx);
	const clock = systemClock;
	const lane = account.nodeLaneFor(nodeRequestsPerMinute);
	const signal = ctx.getExecutionCancelSignal?.();
	// n8n's getNode() copies the node deeply: only a failure needs it.
	const node = () => ctx.getNode();
	const itemIndex = ctx.getItemIndex();
	const cancelled = () => new ExecutionCancelledBeforeSendError(node(), itemIndex);
	// Everything n8n's routing set (timeout, proxy, the credential's allowed domains, and whatever a
	// later n8n adds) goes on to n8n's HTTP helper; only what the transport relies on is fixed.
	const options: IHttpRequestOptions = {
		...request,
		url: `${account.apiBaseUrl}${request.url ?? ''}`,
		body: request.method === 'GET' || request.method === 'DELETE' ? undefined : request.body,
		skipSslCertificateValidation: request.skipSslCertificateValidation === true || request.skipSslCertificateValidation === 'true',
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
	};

	const { gate } = expected;
	await gate?.admit();
	// A stop of the node run ends the wait for a turn like a cancel does, with its own error.
	const waitSignal = gate ? AbortSignal.any(signal ? [signal, gate.stopSignal] : [gate.stopSignal]) : signal;
	// A wait that a cancel ends: before the first try nothing went out; before a retry, what the
	// last try met is what the user needs to know (an idempotent request may have been carried out).
	let failedTry: { error: HypersenderApiError; retries: number } | undefined;
	const cancelledInWait = () => (failedTry ? cancelledBeforeRetry(failedTry.error, failedTry.retries) : cancelled());
	const notSent = () => (gate?.stopSignal.aborted && !signal?.aborted ? gate.stoppedError() : cancelledInWait());

	for (let retries = 0; ; retries++) {
		const release = await account.pacer.acquire(waitSignal, notSent, { lane, plan: account.plan, countsAsMessage: expected.countsAsMessage });
		let outcome: HypersenderAnswer | HypersenderApiError;
		try {
			outcome = await sendOnce(ctx, account, options, expected);
		} finally {
			release();
		}
		if (!(outcome instanceof HypersenderApiError)) return outcome;
		// The cancel ended a request that was out: Hypersender may have taken it.
		if (signal?.aborted && !gotAnswer(outcome)) throw cancelledOnItsWay(node(), itemIndex, expected);
		if (expected.notIdempotent && mayHaveTakenIn(outcome)) throw withRetriesNamed(mayHaveBeenAccepted(outcome), retries);
		if (!outcome.retryable || retries >= maxRetries || signal?.aborted) throw withRetriesNamed(outcome, retries);
		failedTry = { error: outcome, retries };
		// A Retry-After paused the pacer already, which holds this retry back too.
		if (outcome.retryAfterMs === undefined) await clock.sleep(backoffMs(retries), signal);
		if (signal?.aborted) throw cancelledInWait();
	}
}

/**
 * The item's context as n8n's HTTP helper sees it, with `signal` as the execution's cancel
 * signal. n8n (1.x and 2.x alike) sets a request's abort signal itself, from the context the
 * helper is called on, and n8n's own routing calls it on a context made this way: this is how the
 * node ends a request it gives up on, and the execution's cancel still ends it too.
 */
function contextAbortingOn(ctx: IExecuteSingleFunctions, signal: AbortSignal): IExecuteSingleFunctions {
	return Object.create(ctx, { getExecutionCancelSignal: { value: () => signal } }) as IExecuteSingleFunctions;
}

/** One try: the answer, or the error it stands for. Never throws n8n's HTTP error: its request config holds the token. */
async function sendOnce(
	ctx: IExecuteSingleFunctions,
	account: HypersenderAccount,
	options: IHttpRequestOptions,
	expected: ExpectedAnswer,
): Promise<HypersenderAnswer | HypersenderApiError> {
	const clock = systemClock;
	let response: IN8nHttpFullResponse;
	const timeoutMs = options.timeout ?? DEFAULT_TIMEOUT_MS;
	const stopDeadline = new AbortController();
	const giveUp = new AbortController();
	const executionSignal = ctx.getExecutionCancelSignal?.();
	const requestSignal = executionSignal ? AbortSignal.any([executionSignal, giveUp.signal]) : giveUp.signal;
	try {
		const request = ctx.helpers.httpRequestWithAuthentication.call(contextAbortingOn(ctx, requestSignal), CREDENTIAL_TYPE, { ...options }) as Promise<IN8nHttpFullResponse>;
		// n8n's timeout covers the wait for the headers only; a server that trickles its body
		// would hold the item for ever. The deadline covers the whole answer.
		request.catch(() => undefined);
		const deadline = clock.deadline(timeoutMs, stopDeadline.signal).then(() => undefined);
		const first = await Promise.race([request, deadline]);
		if (first === undefined) {
			// Given up: the request is ended (n8n's HTTP client closes its socket on the abort and
			// rejects at once), and only then is its pacer slot released or a retry made.
			giveUp.abort(WAIT_NOT_NEEDED);
			await request.catch(() => undefined);
			return networkFailure(ctx, 'ETIMEDOUT', true, `Hypersender did not answer completely within ${Math.round(timeoutMs / 1000)} s`);
		}
		response = first;
	} catch (error) {
		const refusal = domainRefusalOf(ctx, options, error);
		if (refusal) throw refusal;
		const { code, retryable } = classifyNetworkFailure(error);
		return networkFailure(ctx, code, retryable, networkFailureMessage(code, timeoutMs));
	} finally {
		stopDeadline.abort(WAIT_NOT_NEEDED);
	}
	const headers = (response.headers ?? {}) as Record<string, unknown>;
	const body = account.redact(response.body as unknown);
	const statusCode = Number(response.statusCode);
	const retryAfterMs = statusCode === 429 || statusCode >= 500 ? parseRetryAfter(headers['retry-after'], clock.now()) : undefined;
	// A wait longer than the node is willing to wait fails the item at once (see answerOrError);
	// pausing the whole account for it would only make every other item fail later.
	account.pacer.learnFromAnswer(headers, retryAfterMs !== undefined && retryAfterMs <= LONGEST_PAUSE_MS ? retryAfterMs : undefined);
	return answerOrError(ctx, { statusCode, body, headers, retryAfterMs }, expected);
}

// n8n's HTTP client ends a request whose headers do not come within the time-out with one of these.
const TIME_OUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

function networkFailureMessage(code: string, timeoutMs: number): string {
	if (code === 'ENOTFOUND' || code === 'ECONNREFUSED') return `Could not reach Hypersender (${code})`;
	if (TIME_OUT_CODES.has(code)) return `Hypersender did not answer within ${Math.round(timeoutMs / 1000)} s (${code})`;
	return `The connection to Hypersender failed (${code})`;
}

function networkFailure(ctx: IExecuteSingleFunctions, code: string, retryable: boolean, message: string): HypersenderApiError {
	return new HypersenderApiError(ctx.getNode(), ctx.getItemIndex(), {
		message,
		description: `Check the Base URL in the 'Hypersender API' credential and this machine's network; the time-out is the node's Request Options > Timeout.${retryable ? ' Dropped connections and time-outs are retried (Max Retries).' : ''}`,
		httpCode: code,
		retryable,
	});
}

/**
 * n8n's refusal of a request to a host the credential's Allowed HTTP Request Domains do not
 * include (checked by n8n before anything is sent), told by n8n's own words on both lines.
 */
function domainRefusalOf(ctx: IExecuteSingleFunctions, options: IHttpRequestOptions, error: unknown): NodeOperationError | undefined {
	if (options.allowedDomains === undefined || !saysInChain(error, /Domain not allowed/i)) return undefined;
	return itemInputError(
		ctx,
		`Domain not allowed: ${CREDENTIAL_NAME} may be used only with ${quoteValue(options.allowedDomains)}, not with its Base URL's host ${quoteValue(new URL(options.url).host)}`,
		"n8n refused the request. In the credential, add the Base URL's host to 'Allowed Domains', or set 'Allowed HTTP Request Domains' to All.",
	);
}

interface Answer {
	statusCode: number;
	body: unknown;
	headers: Record<string, unknown>;
	retryAfterMs: number | undefined;
}

/** Whatever came back, described for an error message: status, content type and the first characters. */
function describeAnswer({ statusCode, body, headers }: Answer): string {
	const contentType = String(headers['content-type'] ?? 'no content type').split(';')[0];
	const text = typeof body === 'string' ? body : Buffer.isBuffer(body) ? body.toString('utf8') : JSON.stringify(body ?? '');
	const preview = text.trim() === '' ? 'an empty body' : quoteValue(text.trim().slice(0, ANSWER_PREVIEW_CHARS));
	return `HTTP ${statusCode}, ${contentType}, ${preview}`;
}

function answerOrError(ctx: IExecuteSingleFunctions, answer: Answer, expected: ExpectedAnswer): HypersenderAnswer | HypersenderApiError {
	const { statusCode, body, headers, retryAfterMs } = answer;
	const fail = (message: string, description: string, retryable = false, waitMs?: number) =>
		new HypersenderApiError(ctx.getNode(), ctx.getItemIndex(), {
			message,
			description,
			httpCode: String(statusCode),
			retryable,
			retryAfterMs: waitMs,
			response: { statusCode, body: (isObject(body) ? body : describeAnswer(answer)) as JsonObject },
		});

	if (statusCode >= 300 && statusCode < 400) {
		return fail(
			`Hypersender's address redirected (HTTP ${statusCode} ${redirectTarget(headers.location)}); the node does not follow redirects`,
			"Following it would send the API token to another address. Set 'Base URL' in the 'Hypersender API' credential to the final address of the API (usually https://app.hypersender.com).",
		);
	}

	const facts: AnswerFacts = { statusCode, apiMessage: apiMessageOf(body), body };
	if (statusCode < 200 || statusCode >= 300) {
		if (expected.contactNotFoundIsResult && isContactNotFound(facts)) return { statusCode, body: body as IDataObject };
		const rule = ruleForStatus(facts);
		if (rule.retryable && retryAfterMs !== undefined && retryAfterMs > LONGEST_PAUSE_MS) {
			const asked = Number.isFinite(retryAfterMs) ? `${Math.round(retryAfterMs / 1000)} s` : 'for ever';
			// Not retried; the wait asked for stays on the error, so a send's failure still reads as possibly taken in.
			return fail(
				rule.message(facts),
				`Hypersender asked to wait ${asked} before trying again, longer than the node waits (${LONGEST_PAUSE_MS / 60_000} min). Run the workflow again later.`,
				false,
				retryAfterMs,
			);
		}
		return fail(rule.message(facts), rule.description(facts), rule.retryable, retryAfterMs);
	}

	const notWhatTheApiDocuments = (what: string) => {
		const error = fail(
			`Hypersender's answer is not what the API documents: ${what}`,
			`It answered ${describeAnswer(answer)}. A web page instead of JSON usually means the Base URL points at a website, a login page or a proxy, not at the Hypersender API.`,
		);
		undocumentedAnswers.add(error);
		return error;
	};
	if (!isObject(body)) return notWhatTheApiDocuments(typeof body === 'string' && body.trim() !== '' ? 'not JSON' : 'no JSON object');
	const data = body.data;
	if (saysFailure(body) || (isObject(data) && saysFailure(data))) {
		return fail(
			`Hypersender reported a failure${facts.apiMessage ? `: ${quoteValue(facts.apiMessage)}` : ''} (success: false)`,
			`It answered ${describeAnswer(answer)}. Nothing was changed for this item; check the values it names and run it again.`,
		);
	}
	if (expected.data === 'object' && !isObject(data)) return notWhatTheApiDocuments('"data" is not an object');
	if (expected.data === 'array' && !(Array.isArray(data) && data.every(isObject))) {
		return notWhatTheApiDocuments('"data" is not a list of objects');
	}
	return { statusCode, body: body as IDataObject };
}

// Failures that prove the request was never taken in: a 429 (Laravel's throttle refuses before
// any controller runs) and a name that did not resolve (nothing was sent). A 5xx is no such
// proof: Hypersender may have queued the send before it failed, and so may a proxy that timed
// out (502/504) after passing the request on. A dropped connection or a time-out after the
// request went out is no proof either.
const SURELY_NOT_ACCEPTED = new Set(['429', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNREFUSED']);

function surelyNotAccepted(error: HypersenderApiError): boolean {
	return SURELY_NOT_ACCEPTED.has(String(error.httpCode));
}

/**
 * Whether a failed request may have been taken in by Hypersender: a 2xx it answered in a shape the
 * API does not document, a 5xx that another try could get past (or that asked for a longer wait
 * than the node makes), or no answer at all; never a failure that proves otherwise (a 429, a
 * name that did not resolve, a refused connection), nor a refusal (a 4xx, or what the status
 * table knows as final, such as an unresolved recipient).
 */
// 2xx answers in a shape the API does not document (not JSON, no object, `data` of the wrong
// shape): the request may have been carried out. A 2xx saying `success: false` is a refusal.
const undocumentedAnswers = new WeakSet<HypersenderApiError>();

function mayHaveTakenIn(error: HypersenderApiError): boolean {
	if (surelyNotAccepted(error)) return false;
	if (!gotAnswer(error)) return true;
	const status = Number(error.httpCode);
	if (status >= 200 && status < 300) return undocumentedAnswers.has(error);
	return status >= 500 && (error.retryable || (error.retryAfterMs ?? 0) > LONGEST_PAUSE_MS);
}

/** Whether Hypersender (or something at its address) answered with an HTTP status; otherwise the failure is a network code. */
function gotAnswer(error: HypersenderApiError): boolean {
	return /^\d+$/.test(String(error.httpCode));
}

/** A failed request that must not be sent again: the user has to look before sending it again. */
function mayHaveBeenAccepted(error: HypersenderApiError): HypersenderApiError {
	// NodeApiError words network codes its own way ("The connection to the server was closed..."); name the code instead.
	error.message = `${gotAnswer(error) ? error.message : `The connection to Hypersender failed (${String(error.httpCode)})`}; the message may have been sent`;
	const mayHaveText =
		`Hypersender may have accepted and queued this request before the failure, so the node did not send it again: a message is never sent twice. ` +
		`Look in the WhatsApp chat (or the Hypersender dashboard) whether it arrived before you run this item again.`;
	// What Hypersender answered (a page instead of JSON, say) stays in front; a network code's advice would be wrong here.
	error.description = gotAnswer(error) && Number(error.httpCode) < 300 ? `${error.description ?? ''} ${mayHaveText}`.trim() : mayHaveText;
	return markedMayHaveBeenSent(error);
}

// The errors after which a message may be out: marked where they are made, never read from their
// text (an error that quotes another item's failure would read as its own).
const sentMaybe = new WeakSet<Error>();

/** Marks the error of a send after which the message may be out (accepted, queued, or its fate unknown). */
export function markedMayHaveBeenSent<T extends Error>(error: T): T {
	sentMaybe.add(error);
	return error;
}

/** Whether the message of a failed send may be out; any other failure of a send proves nothing went out (refused, or never sent). */
export function mayHaveBeenSent(error: unknown): boolean {
	return error instanceof Error && sentMaybe.has(error);
}

/** `success` that is present and not true-ish: `false`, `0`, `"false"`, `null`. */
function saysFailure(object: Record<string, unknown>): boolean {
	if (!('success' in object)) return false;
	const success = object.success;
	return !(success === true || success === 1 || success === 'true');
}

/** Where a redirect points, named by its origin only (the rest of a Location may carry anything). */
function redirectTarget(location: unknown): string {
	if (location === undefined || location === null || location === '') return 'without a Location';
	try {
		const target = new URL(String(location));
		return `to ${target.origin}`;
	} catch {
		return 'to a relative or unreadable Location';
	}
}

/** A request the cancel ended while it was out: for a message, it may have been sent. */
function cancelledOnItsWay(node: INode, itemIndex: number, expected: ExpectedAnswer): NodeOperationError {
	if (expected.notIdempotent) {
		return markedMayHaveBeenSent(
			new NodeOperationError(node, `The execution was cancelled while item ${itemIndex}'s request was on its way to Hypersender; the message may have been sent`, {
				itemIndex,
				description: 'Hypersender may have accepted and queued it before the cancel. Look in the WhatsApp chat (or the Hypersender dashboard) whether it arrived before you run this item again.',
			}),
		);
	}
	return new NodeOperationError(node, `The execution was cancelled while item ${itemIndex}'s request was on its way to Hypersender`, {
		itemIndex,
		description: 'Hypersender may have carried it out before the cancel.',
	});
}

/** The last try's failure, when the cancel came before the node tried again. */
function cancelledBeforeRetry(error: HypersenderApiError, retries: number): HypersenderApiError {
	const named = withRetriesNamed(error, retries);
	named.description = `${named.description ?? ''} The execution was cancelled before the node tried again.`.trim();
	return named;
}

/** An error after retries says so; one that was never retried does not. */
function withRetriesNamed(error: HypersenderApiError, retries: number): HypersenderApiError {
	if (retries > 0) {
		error.description = `${error.description ?? ''} The node tried ${retries} more time${retries === 1 ? '' : 's'} and the error persisted.`.trim();
	}
	return error;
}

/** Thrown by a runner for a problem it finds in what came back, with the same look as the transport's errors. */
export function unexpectedAnswerError(ctx: IExecuteSingleFunctions, message: string, description: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), message, { itemIndex: ctx.getItemIndex(), description });
}
