import { NodeApiError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import { quoteValue } from '../shared/quoteValue';

/**
 * A failed Hypersender request, as the user sees it, plus what the retry loop needs: whether
 * another try can help and how long the server asked to wait. Built from the answer alone
 * (status, content type, a redacted body), never from the request, so the token is not in it.
 */
export class HypersenderApiError extends NodeApiError {
	readonly retryable: boolean;

	readonly retryAfterMs: number | undefined;

	constructor(
		node: INode,
		itemIndex: number,
		failure: {
			message: string;
			description: string;
			httpCode: string;
			retryable: boolean;
			retryAfterMs?: number;
			/** What came back, already redacted; kept as the error's response for n8n's error view. */
			response?: JsonObject;
		},
	) {
		super(node, failure.response ?? { httpCode: failure.httpCode }, {
			message: failure.message,
			description: failure.description,
			httpCode: failure.httpCode,
			itemIndex,
		});
		// NodeApiError swaps in its own generic text for codes it knows (ECONNRESET: "The
		// connection to the server was closed unexpectedly"); ours names Hypersender and the fix.
		this.message = failure.message;
		this.description = failure.description;
		this.retryable = failure.retryable;
		this.retryAfterMs = failure.retryAfterMs;
	}
}

/** What every row of the table below receives. */
export interface AnswerFacts {
	statusCode: number;
	/** Hypersender's own `message`, when the body has one. */
	apiMessage: string | undefined;
	body: unknown;
}

interface StatusRule {
	message: (facts: AnswerFacts) => string;
	description: (facts: AnswerFacts) => string;
	retryable: boolean;
}

const saidBy = ({ apiMessage }: AnswerFacts) => (apiMessage ? `Hypersender said ${quoteValue(apiMessage)}. ` : '');

/**
 * Each status code Hypersender documents: what it means for the user, and whether the node
 * tries again. Looked up by `ruleForStatus`; a 404 is told apart by its message.
 */
const STATUS_RULES: Record<string, StatusRule> = {
	'401': {
		message: () => 'Hypersender rejected the API token (401)',
		description: () =>
			"The API Token in the 'Hypersender API' credential is wrong or was revoked. Create a token in the Hypersender dashboard, paste it into the credential and use its Test button.",
		retryable: false,
	},
	'403': {
		message: () => 'Hypersender refused access (403)',
		description: (facts) =>
			`${saidBy(facts)}The token is valid but may not use this instance. Check that the Instance ID in the credential belongs to the same Hypersender account as the token.`,
		retryable: false,
	},
	'404 contact': {
		message: () => 'Contact not found (404)',
		description: () =>
			"No contact with this chat ID is in the instance's address book. Upsert it first, check the number, or set 'If Not Found' to 'Output an Item' to continue with a flagged item.",
		retryable: false,
	},
	'404': {
		message: () => 'Hypersender instance not found (404)',
		description: (facts) =>
			`${saidBy(facts)}Check the Instance ID in the 'Hypersender API' credential: copy the instance UUID from the Hypersender dashboard. Also check the Base URL if you changed it.`,
		retryable: false,
	},
	'422': {
		message: (facts) => `Hypersender rejected the request (422): ${describeValidationErrors(facts.body)}`,
		description: () => 'Fix the fields named above in this item and run it again.',
		retryable: false,
	},
	'429': {
		message: () => 'Hypersender rate limit reached (429)',
		description: () =>
			"Your Hypersender plan limits requests per minute. Set 'Rate Limit Plan' in the credential to your plan (or lower 'Requests per Minute' in the node's options) so the node paces requests, or raise 'Max Retries'.",
		retryable: true,
	},
	'5xx': {
		message: (facts) => `Hypersender failed on its side (HTTP ${facts.statusCode})`,
		description: (facts) =>
			`${saidBy(facts)}Try again later; if it keeps happening, contact Hypersender support.`,
		retryable: true,
	},
	other: {
		message: (facts) =>
			`Hypersender answered HTTP ${facts.statusCode}${facts.apiMessage ? `: ${quoteValue(facts.apiMessage)}` : ''}`,
		description: () => 'The request was not accepted. Check the node parameters and the credential.',
		retryable: false,
	},
};

export function isContactNotFound({ statusCode, apiMessage }: AnswerFacts): boolean {
	return statusCode === 404 && /contact not found/i.test(apiMessage ?? '');
}

export function ruleForStatus(facts: AnswerFacts): StatusRule {
	if (isContactNotFound(facts)) return STATUS_RULES['404 contact'];
	if (facts.statusCode >= 500) return STATUS_RULES['5xx'];
	return STATUS_RULES[String(facts.statusCode)] ?? STATUS_RULES.other;
}

// A 422's field messages go into the error message; a server can make them any length.
const LONGEST_VALIDATION_TEXT = 500;

/** Laravel's 422 shape: `{ errors: { field: ["..."] } }`; the content is free-form, so anything is shown as text. */
export function describeValidationErrors(body: unknown): string {
	const errors = isObject(body) ? body.errors : undefined;
	const text = !isObject(errors)
		? (apiMessageOf(body) ?? 'the API gave no details')
		: Object.entries(errors)
				.map(([field, messages]) => `${field}: ${Array.isArray(messages) ? messages.map(String).join(' ') : JSON.stringify(messages)}`)
				.join('; ');
	return text.length > LONGEST_VALIDATION_TEXT ? `${text.slice(0, LONGEST_VALIDATION_TEXT)}… (${text.length} characters)` : text;
}

export function apiMessageOf(body: unknown): string | undefined {
	return isObject(body) && typeof body.message === 'string' ? body.message : undefined;
}

export function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `Retry-After` is either delay-seconds or an HTTP date (RFC 9110 §10.2.3); nonsense is ignored. */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
	if (Array.isArray(value)) value = value[0];
	if (value === undefined || value === null || value === '') return undefined;
	const text = String(value).trim();
	if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

// Connection failures worth another try: the request may not have reached Hypersender, or its
// answer was cut off. A wrong host (ENOTFOUND) or a closed port (ECONNREFUSED) is not.
const TRANSIENT_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EPIPE',
	'EAI_AGAIN',
	'ESOCKETTIMEDOUT',
	'ERR_STREAM_PREMATURE_CLOSE',
]);

/** The first system error code (`ECONNRESET`, `ERR_...`) in an error or its causes. */
function networkCodeOf(error: unknown): string | undefined {
	for (let current = error, depth = 0; current && depth < 5; depth++) {
		const code = (current as { code?: unknown }).code;
		if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

/** A body cut off mid-way shows up as `aborted` or a premature close rather than a code of its own. */
function isCutOffAnswer(error: unknown): boolean {
	for (let current = error, depth = 0; current && depth < 5; depth++) {
		if (/\baborted\b|premature close|socket hang up/i.test(String((current as Error).message ?? ''))) return true;
		current = (current as { cause?: unknown }).cause;
	}
	return false;
}

/** A failure that produced no HTTP answer: which code, and whether another try can help. */
export function classifyNetworkFailure(error: unknown): { code: string; retryable: boolean } {
	const code = networkCodeOf(error);
	if (code && code !== 'ERR_BAD_RESPONSE' && code !== 'ERR_BAD_REQUEST') {
		return { code, retryable: TRANSIENT_NETWORK_CODES.has(code) || isCutOffAnswer(error) };
	}
	if (isCutOffAnswer(error)) return { code: 'ECONNRESET', retryable: true };
	return { code: code ?? 'UNKNOWN', retryable: false };
}
