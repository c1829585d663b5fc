import { NodeApiError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

/** What the retry loop needs to know about a failure that n8n's error object does not carry. */
export interface RetryHint {
	retryable: boolean;
	/** From Retry-After, when the server sent one. */
	retryAfterMs?: number;
}

const retryHints = new WeakMap<Error, RetryHint>();

export function retryHintOf(error: unknown): RetryHint {
	return (error instanceof Error && retryHints.get(error)) || { retryable: false };
}

function withRetryHint<T extends Error>(error: T, hint: RetryHint): T {
	retryHints.set(error, hint);
	return error;
}

export function isSuccessStatus(statusCode: number): boolean {
	return statusCode >= 200 && statusCode < 300;
}

export function isContactNotFound(statusCode: number, body: unknown): boolean {
	return statusCode === 404 && /contact not found/i.test(apiMessageOf(body) ?? '');
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
	if (Array.isArray(value)) value = value[0];
	if (value === undefined || value === null || value === '') return undefined;
	const text = String(value).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function apiMessageOf(body: unknown): string | undefined {
	if (body && typeof body === 'object' && 'message' in body) {
		const { message } = body as { message: unknown };
		return typeof message === 'string' ? message : undefined;
	}
	return undefined;
}

/** Laravel's 422 shape: `{ errors: { field: ["..."] } }`; the content is free-form, so anything is shown as text. */
export function describeValidationErrors(body: unknown): string {
	const errors =
		body && typeof body === 'object' && 'errors' in body ? (body as { errors: unknown }).errors : undefined;
	if (!errors || typeof errors !== 'object') return apiMessageOf(body) ?? 'The API gave no details';
	return Object.entries(errors as Record<string, unknown>)
		.map(([field, messages]) => {
			const text = Array.isArray(messages) ? messages.map(String).join(' ') : JSON.stringify(messages);
			return `${field}: ${text}`;
		})
		.join('; ');
}

export interface HypersenderResponse {
	statusCode: number;
	body: unknown;
	headers: Record<string, unknown>;
}

/**
 * Turns a non-2xx answer into an n8n error that says what to do about it. Built from the
 * response alone, never from the request, so the bearer token cannot end up in it.
 */
export function hypersenderHttpError(
	node: INode,
	{ statusCode, body, headers }: HypersenderResponse,
	itemIndex: number,
	now = Date.now(),
): NodeApiError {
	const apiMessage = apiMessageOf(body);
	const errorResponse = { statusCode, body: (body ?? null) as JsonObject } as unknown as JsonObject;
	const make = (message: string, description: string, hint: RetryHint) =>
		withRetryHint(
			new NodeApiError(node, errorResponse, {
				message,
				description,
				httpCode: String(statusCode),
				itemIndex,
			}),
			hint,
		);

	if (statusCode === 401) {
		return make(
			'Hypersender rejected the API token (401)',
			"The API Token in the 'Hypersender API' credential is wrong or was revoked. Create a token in the Hypersender dashboard, paste it into the credential and use its Test button.",
			{ retryable: false },
		);
	}
	if (statusCode === 403) {
		return make(
			'Hypersender refused access (403)',
			`The token is valid but may not use this instance${apiMessage ? ` (${apiMessage})` : ''}. Check that the Instance ID in the credential belongs to the same Hypersender account as the token.`,
			{ retryable: false },
		);
	}
	if (statusCode === 404 && isContactNotFound(statusCode, body)) {
		return make(
			'Contact not found (404)',
			"No contact with this chat ID is in the instance's address book. Upsert it first, check the number, or set 'If Not Found' to 'Output an Item' to continue with a flagged item.",
			{ retryable: false },
		);
	}
	if (statusCode === 404) {
		return make(
			'Hypersender instance not found (404)',
			`${apiMessage ? `Hypersender said "${apiMessage}". ` : ''}Check the Instance ID in the 'Hypersender API' credential: copy the instance UUID from the Hypersender dashboard. Also check the Base URL if you changed it.`,
			{ retryable: false },
		);
	}
	if (statusCode === 422) {
		return make(
			`Hypersender rejected the contact (422): ${describeValidationErrors(body)}`,
			'Fix the fields named above in this item and run it again.',
			{ retryable: false },
		);
	}
	if (statusCode === 429) {
		return make(
			'Hypersender rate limit reached (429) and retries ran out',
			"Your Hypersender plan limits requests per minute. Set 'Rate Limit Plan' in the credential to your plan (or lower 'Requests per Minute' in the node's options) so the node paces requests, or raise 'Max Retries'.",
			{ retryable: true, retryAfterMs: parseRetryAfter(headers['retry-after'], now) },
		);
	}
	if (statusCode >= 500) {
		return make(
			`Hypersender failed on its side (HTTP ${statusCode})`,
			`${apiMessage ? `Hypersender said "${apiMessage}". ` : ''}The node retried and the error persisted. Try again later; if it keeps happening, contact Hypersender support.`,
			{ retryable: true, retryAfterMs: parseRetryAfter(headers['retry-after'], now) },
		);
	}
	return make(
		`Hypersender answered HTTP ${statusCode}${apiMessage ? `: ${apiMessage}` : ''}`,
		'The request was not accepted. Check the node parameters and the credential.',
		{ retryable: false },
	);
}

// Connection failures worth another try; a wrong host (ENOTFOUND) or a closed port is not.
const TRANSIENT_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'EAI_AGAIN',
	'ESOCKETTIMEDOUT',
]);

function networkCodeOf(error: unknown): string | undefined {
	for (let current = error, depth = 0; current && depth < 5; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

/**
 * Replaces a failure that never reached Hypersender (n8n wraps the raw HTTP client error,
 * whose request config holds the Authorization header) with one that carries only the code.
 */
export function hypersenderNetworkError(node: INode, error: unknown, itemIndex: number): Error {
	if (retryHints.has(error as Error)) return error as Error;
	const code = networkCodeOf(error);
	if (!code) return error as Error;
	const message =
		code === 'ENOTFOUND' || code === 'ECONNREFUSED'
			? `Could not reach Hypersender (${code})`
			: `The connection to Hypersender failed (${code}) and retries ran out`;
	return withRetryHint(
		new NodeApiError(node, { code } as JsonObject, {
			message,
			description:
				"Check the Base URL in the 'Hypersender API' credential and this machine's network. Temporary failures are retried automatically.",
			httpCode: code,
			itemIndex,
		}),
		{ retryable: TRANSIENT_NETWORK_CODES.has(code) },
	);
}
