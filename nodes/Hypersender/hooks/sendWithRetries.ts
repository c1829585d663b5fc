import { createHash } from 'node:crypto';
import type { IExecuteSingleFunctions, IHttpRequestOptions } from 'n8n-workflow';

import {
	hypersenderHttpError,
	hypersenderNetworkError,
	isContactNotFound,
	isSuccessStatus,
	parseRetryAfter,
	retryHintOf,
	type RetryHint,
	type HypersenderResponse,
} from './hypersenderErrors';
import { requestsPerMinuteForPlan } from './rateLimitPlans';
import { pacerFor, systemClock } from './requestPacer';
import type { PacerClock, RequestPacer } from './requestPacer';

export const DEFAULT_MAX_RETRIES = 5;
const BASE_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 30_000;

export interface HypersenderCredentials {
	apiToken: string;
	instanceId: string;
	baseUrl: string;
	rateLimitPlan?: string;
	customRequestsPerMinute?: number;
}

/**
 * How long to wait before retry number `attempt + 1`: the server's Retry-After when it sent
 * one, otherwise exponential backoff with jitter so that many failed items do not retry in step.
 */
export function retryDelayMs(attempt: number, hint: RetryHint, random: () => number = Math.random): number {
	if (hint.retryAfterMs !== undefined) return hint.retryAfterMs;
	const ceiling = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** attempt);
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The node option wins over the credential's plan; 0 or empty means "use the plan". */
function requestsPerMinuteFor(override: number, credentials: HypersenderCredentials) {
	if (override > 0) return override;
	return requestsPerMinuteForPlan(credentials.rateLimitPlan, credentials.customRequestsPerMinute);
}

/** What the hooks need from the credential: where the API is, and the account's shared pacer. */
export interface HypersenderAccount {
	/** The Base URL as the user typed it, for error messages. */
	baseUrl: string;
	/** `<base>/api/whatsapp/v2/<instance>`, or undefined when the Base URL is not http(s). */
	apiBaseUrl: string | undefined;
	pacer: RequestPacer;
}

function apiBaseUrlOf({ baseUrl, instanceId }: HypersenderCredentials): string | undefined {
	const base = String(baseUrl ?? '').trim().replace(/\/+$/, '');
	let protocol = '';
	try {
		protocol = new URL(base).protocol;
	} catch {
		return undefined;
	}
	if (protocol !== 'http:' && protocol !== 'https:') return undefined;
	return `${base}/api/whatsapp/v2/${encodeURIComponent(String(instanceId ?? '').trim())}`;
}

// Reading credentials means a database read and a decryption in n8n; every item of one node
// run uses the same credential, so it is read once per run, not once or twice per item.
// Only what the hooks need is kept, never the token.
const accountsByNodeRun = new Map<string, Promise<HypersenderAccount>>();
const MAX_REMEMBERED_NODE_RUNS = 1000;

export async function accountForItem(
	ctx: IExecuteSingleFunctions,
	clock: PacerClock = systemClock,
): Promise<HypersenderAccount> {
	const override = Number(ctx.getNodeParameter('options.requestsPerMinute', 0));
	const nodeRun = `${ctx.getExecutionId()}|${ctx.getNode().id}|${override}`;
	let account = accountsByNodeRun.get(nodeRun);
	if (!account) {
		account = (ctx.getCredentials('hypersenderApi') as Promise<unknown> as Promise<HypersenderCredentials>).then(
			(credentials) => {
				// Items and executions on the same account and instance share one pacer.
				const accountKey = createHash('sha256')
					.update(`${credentials.baseUrl}|${credentials.instanceId}|${credentials.apiToken}`)
					.digest('hex');
				return {
					baseUrl: String(credentials.baseUrl ?? ''),
					apiBaseUrl: apiBaseUrlOf(credentials),
					pacer: pacerFor(accountKey, requestsPerMinuteFor(override, credentials), clock),
				};
			},
		);
		accountsByNodeRun.set(nodeRun, account);
		// Maps keep insertion order: the oldest node runs are forgotten first.
		if (accountsByNodeRun.size > MAX_REMEMBERED_NODE_RUNS) {
			accountsByNodeRun.delete(accountsByNodeRun.keys().next().value as string);
		}
	}
	return await account;
}

/**
 * Sends one request through the account's pacer and retries it on 429, 5xx and dropped
 * connections, up to the node's Max Retries. Retrying is safe because every Hypersender
 * contact call is idempotent: upserting the same contact twice leaves one contact.
 */
export async function sendWithRetries<T>(
	ctx: IExecuteSingleFunctions,
	send: () => Promise<T>,
	clock: PacerClock = systemClock,
): Promise<T> {
	const { pacer } = await accountForItem(ctx, clock);
	const maxRetries = Number(ctx.getNodeParameter('options.maxRetries', DEFAULT_MAX_RETRIES));
	for (let attempt = 0; ; attempt++) {
		const release = await pacer.acquire();
		let failure: Error;
		try {
			return await send();
		} catch (error) {
			failure = hypersenderNetworkError(ctx.getNode(), error, ctx.getItemIndex());
		} finally {
			release();
		}
		const hint = retryHintOf(failure);
		if (!hint.retryable || attempt >= maxRetries) throw failure;
		// A Retry-After already paused the pacer, which holds this retry back too.
		if (hint.retryAfterMs === undefined) await clock.sleep(retryDelayMs(attempt, hint));
	}
}

/**
 * Every answer passes here: its rate-limit headers teach the account's pacer, and a failure
 * becomes an error that says what to do. A 404 "Contact not found" passes through only where
 * the caller asks for it, to be output as a flagged item.
 */
export async function raiseForHypersenderStatus(
	ctx: IExecuteSingleFunctions,
	response: HypersenderResponse,
	{ allowContactNotFound = false } = {},
): Promise<void> {
	const { pacer } = await accountForItem(ctx);
	const retryAfterMs =
		response.statusCode === 429 ? parseRetryAfter(response.headers['retry-after'], Date.now()) : undefined;
	pacer.observeRateLimitHeaders(response.headers, retryAfterMs);
	if (isSuccessStatus(response.statusCode)) return;
	if (allowContactNotFound && isContactNotFound(response.statusCode, response.body)) return;
	throw hypersenderHttpError(ctx.getNode(), response, ctx.getItemIndex());
}

/** Requests the node makes besides the routed one (reading a contact back) go through the same pacing and retries. */
export async function sendExtraRequest(
	ctx: IExecuteSingleFunctions,
	options: IHttpRequestOptions,
): Promise<HypersenderResponse> {
	return await sendWithRetries(ctx, async () => {
		const response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, 'hypersenderApi', {
			...options,
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as HypersenderResponse;
		await raiseForHypersenderStatus(ctx, response, { allowContactNotFound: true });
		return response;
	});
}
