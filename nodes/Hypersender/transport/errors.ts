import { NodeApiError } from 'n8n-workflow';
import type { INode, JsonObject } from 'n8n-workflow';

import { isObject } from '../shared/values';

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

// Hypersender's own words are the point of an error that quotes them (a reset time at the end of a
// long sentence); only a server sending a document instead of a sentence gets cut.
const LONGEST_HYPERSENDER_TEXT = 500;

/** Text from the answer as an error shows it: on one line, at most LONGEST_HYPERSENDER_TEXT characters. */
function boundedText(text: string): string {
	// Only the start is looked at, so a huge answer costs nothing; split into characters, so no emoji is cut in half.
	const start = text.slice(0, LONGEST_HYPERSENDER_TEXT * 4);
	const head = Array.from(start.replace(/\s+/g, ' ').trim());
	if (head.length <= LONGEST_HYPERSENDER_TEXT && start.length === text.length) return head.join('');
	return `${head.slice(0, LONGEST_HYPERSENDER_TEXT).join('')}… (${text.length} characters)`;
}

/** Hypersender's `message`, quoted whole (up to the bound). */
export const quoteHypersender = (apiMessage: string) => `"${boundedText(apiMessage)}"`;

const saidBy = ({ apiMessage }: AnswerFacts) => (apiMessage ? `Hypersender said ${quoteHypersender(apiMessage)}. ` : '');

/** The kinds of Meta restriction Hypersender names in a 423, told apart by its words. */
function restrictionKindOf(apiMessage: string | undefined): string {
	const text = apiMessage ?? '';
	if (/\bcapp(ed|ing)\b|\bquota\b/i.test(text)) return ': message capping, the new-chat quota of this cycle is used up';
	if (/\btime-?lock|temporary restriction/i.test(text)) return ': a timelock, a temporary stop of messages to new contacts';
	return '';
}

/** Hypersender's sentence that says when a restriction ends ("The quota resets in 12 days, 4 hours."), if it has one. */
function restrictionEndOf(apiMessage: string | undefined): string | undefined {
	const sentences = boundedText(apiMessage ?? '').split(/(?<=[.!?])\s+/);
	return sentences.find((sentence) => /\b(resets?|ends?|ending|lifts?|expires?)\s+(in|at|on)\b/i.test(sentence));
}

const RESTRICTION_ADVICE =
	"Open the instance in the Hypersender dashboard for its quota status and reset time. Until then send to chats with an existing conversation, or send to new contacts from a different instance (another number); Hypersender cannot lift Meta's restriction.";

/**
 * Each status code Hypersender documents: what it means for the user, and whether the node
 * tries again. Looked up by `ruleForStatus` by status and Hypersender's text: a 404 "Contact not
 * found" and "could not resolve this recipient" (any status) are told apart by their message.
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
	'423': {
		message: (facts) => {
			const end = restrictionEndOf(facts.apiMessage);
			return (
				`WhatsApp (Meta) restricted this number${restrictionKindOf(facts.apiMessage)} (423). ` +
				`${end ? `Hypersender says: "${end}"` : 'Hypersender did not say when it ends.'} ` +
				'Chats with an existing conversation still work; retrying will not help, so the node did not retry.'
			);
		},
		description: (facts) => `${saidBy(facts)}${RESTRICTION_ADVICE}`,
		retryable: false,
	},
	'unresolved recipient': {
		message: (facts) => `WhatsApp could not resolve the recipient (${facts.statusCode}): Hypersender said ${quoteHypersender(facts.apiMessage ?? '')}`,
		description: () =>
			'This is not a validation error, and not proof that the number has no WhatsApp. Check the number and its country code: it may not exist or not be reachable. If it is right, this instance may be under a Meta restriction (see its status in the Hypersender dashboard): send to a chat with an existing conversation, or use a different instance. Retrying will not help.',
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
			`Hypersender answered HTTP ${facts.statusCode}${facts.apiMessage ? `: ${quoteHypersender(facts.apiMessage)}` : ''}`,
		description: () => 'The request was not accepted. Check the node parameters and the credential.',
		retryable: false,
	},
};

export function isContactNotFound({ statusCode, apiMessage }: AnswerFacts): boolean {
	return statusCode === 404 && /contact not found/i.test(apiMessage ?? '');
}

/** "WhatsApp could not resolve this recipient...": the recipient may exist after all (Hypersender's words say so). */
function isUnresolvedRecipient({ apiMessage }: AnswerFacts): boolean {
	// As the answers word it ("could not resolve this recipient") and as the API's documentation heads it ("Could not resolve recipient").
	return /could\s+not\s+resolve\s+(?:(?:this|the)\s+)?recipient/i.test(apiMessage ?? '');
}

/**
 * The rows for Hypersender's refusals of a send, which read the same whether they are the answer
 * to the send or a queued request's outcome: a Meta restriction (423, whatever its text) and an
 * unresolved recipient (whatever its status).
 */
export function refusalRuleFor(facts: AnswerFacts): StatusRule | undefined {
	if (facts.statusCode === 423) return STATUS_RULES['423'];
	return isUnresolvedRecipient(facts) ? STATUS_RULES['unresolved recipient'] : undefined;
}

export function ruleForStatus(facts: AnswerFacts): StatusRule {
	if (isContactNotFound(facts)) return STATUS_RULES['404 contact'];
	const refusal = refusalRuleFor(facts);
	if (refusal) return refusal;
	if (facts.statusCode >= 500) return STATUS_RULES['5xx'];
	return STATUS_RULES[String(facts.statusCode)] ?? STATUS_RULES.other;
}

/** Laravel's 422 shape: `{ errors: { field: ["..."] } }`; the content is free-form, so anything is shown as text. */
export function describeValidationErrors(body: unknown): string {
	const errors = isObject(body) ? body.errors : undefined;
	const text = !isObject(errors)
		? (apiMessageOf(body) ?? 'the API gave no details')
		: Object.entries(errors)
				.map(([field, messages]) => `${field}: ${Array.isArray(messages) ? messages.map(String).join(' ') : JSON.stringify(messages)}`)
				.join('; ');
	return boundedText(text);
}

export function apiMessageOf(body: unknown): string | undefined {
	return isObject(body) && typeof body.message === 'string' ? body.message : undefined;
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

/**
 * The first system error code (`ECONNRESET`, `ERR_...`) in an error or its causes. n8n 1.x's
 * HTTP helper hands over a NodeApiError without the cause, the code only in its `httpCode`.
 */
function networkCodeOf(error: unknown): string | undefined {
	for (let current = error, depth = 0; current && depth < 5; depth++) {
		for (const code of [(current as { code?: unknown }).code, (current as { httpCode?: unknown }).httpCode]) {
			if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
		}
		current = (current as { cause?: unknown }).cause;
	}
	return undefined;
}

/** Whether an error or one of its causes (five deep at most) has a message that matches `pattern`. */
export function saysInChain(error: unknown, pattern: RegExp): boolean {
	for (let current = error, depth = 0; current && depth < 5; depth++) {
		if (pattern.test(String((current as Error).message ?? ''))) return true;
		current = (current as { cause?: unknown }).cause;
	}
	return false;
}

/** A body cut off mid-way shows up as `aborted` or a premature close rather than a code of its own. */
function isCutOffAnswer(error: unknown): boolean {
	return saysInChain(error, /\baborted\b|premature close|socket hang up/i);
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
