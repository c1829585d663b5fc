import { createHash } from 'node:crypto';
import type { IExecuteSingleFunctions } from 'n8n-workflow';

import { CREDENTIAL_NAME, CREDENTIAL_TYPE } from '../shared/credential';
import { itemInputError } from '../shared/itemInput';
import { quoteValue } from '../shared/quoteValue';
import { pacerForAccount } from './pacer';
import type { PacingLane, RequestPacer } from './pacer';
import { limitsForPlan } from './rateLimitPlans';
import type { PlanLimits } from './rateLimitPlans';

interface HypersenderCredentials {
	apiToken?: unknown;
	instanceId?: unknown;
	baseUrl?: unknown;
	rateLimitPlan?: string;
	customRequestsPerMinute?: unknown;
	customMessagesPerMinute?: unknown;
}

/** What the transport needs from the credential, read once per node run. */
export interface HypersenderAccount {
	/** `<base>/api/whatsapp/v2/<instance>`: every request's URL starts with it. */
	apiBaseUrl: string;
	/** Shared by every node and execution on this account in this process. */
	pacer: RequestPacer;
	/** The credential's plan, named to the pacer with every request (the strictest plan in use holds). */
	plan: PlanLimits;
	/**
	 * A lane in the account's pacer for this node in this execution alone, when its Requests per
	 * Minute is stricter than the plan. Every run of the node in the execution (a loop's batches)
	 * shares it, so the rate holds across them too.
	 */
	nodeLaneFor(requestsPerMinute: number): PacingLane | undefined;
	/** The value with every copy of the token replaced, for anything that may reach an error. */
	redact<T>(value: T): T;
}

interface CredentialProblem {
	message: string;
	description: string;
}

/**
 * The API base URL for a credential, or what is wrong with it. The credential's `test` request
 * builds the same URL in an expression (a credential cannot call node code): keep them alike.
 * A Base URL must be a plain http(s) address: user info, a query or a fragment would travel
 * with every request, and a pasted token would end up in URLs and logs.
 */
export function apiBaseUrlOf(credentials: HypersenderCredentials): string | CredentialProblem {
	const baseUrl = String(credentials.baseUrl ?? '').trim();
	const token = String(credentials.apiToken ?? '').trim();
	const instanceId = String(credentials.instanceId ?? '').trim();
	const fixBaseUrl = `Set 'Base URL' in ${CREDENTIAL_NAME} to https://app.hypersender.com, or to your proxy's plain http(s) address.`;
	if (secretFormsOf(token).some((form) => baseUrl.toLowerCase().includes(form.toLowerCase()))) {
		return { message: "The credential's Base URL contains the API token", description: `Put the token into 'API Token' only. ${fixBaseUrl}` };
	}
	let url: URL;
	try {
		url = new URL(baseUrl);
	} catch {
		return { message: `The credential's Base URL ${quoteValue(baseUrl)} is not a URL`, description: fixBaseUrl };
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		return { message: `The credential's Base URL ${quoteValue(baseUrl)} is not an http(s) URL`, description: fixBaseUrl };
	}
	if (url.username || url.password) {
		return { message: "The credential's Base URL contains a user name or password (before @)", description: fixBaseUrl };
	}
	if (url.search || url.hash || baseUrl.includes('?') || baseUrl.includes('#')) {
		return { message: `The credential's Base URL ${quoteValue(`${url.origin}${url.pathname}…`)} has a query (?) or fragment (#)`, description: fixBaseUrl };
	}
	if (instanceId === '' || instanceId === '.' || instanceId === '..') {
		return {
			message: `The credential's Instance ID ${quoteValue(instanceId)} is not an instance ID`,
			description: `Copy the instance UUID from the Hypersender dashboard into 'Instance ID' in ${CREDENTIAL_NAME}.`,
		};
	}
	return `${url.origin}${url.pathname.replace(/\/+$/, '')}/api/whatsapp/v2/${encodeURIComponent(instanceId)}`;
}

// Real tokens are 40+ characters; shorter fragments would match by chance.
const SHORTEST_SECRET = 8;

/**
 * Every form in which the token may show up: whole, or only its secret part (a Sanctum token is
 * `<id>|<secret>`), each as typed and URL-encoded.
 */
function secretFormsOf(token: string): string[] {
	const secret = token.includes('|') ? token.slice(token.indexOf('|') + 1) : token;
	return [...new Set([token, secret].filter((part) => part.length >= SHORTEST_SECRET).flatMap((part) => [part, encodeURIComponent(part)]))];
}

function redactorFor(token: string): <T>(value: T) => T {
	// As they appear inside JSON text, so a copy nested anywhere in a body is found; longest first,
	// so the whole token is replaced before its secret part.
	const forms = secretFormsOf(token)
		.map((form) => JSON.stringify(form).slice(1, -1))
		.sort((a, b) => b.length - a.length);
	if (forms.length === 0) return (value) => value;
	return <T>(value: T): T => {
		if (value === undefined) return value;
		let text = JSON.stringify(value);
		if (text === undefined || !forms.some((form) => text!.includes(form))) return value;
		for (const form of forms) text = text.split(form).join('[redacted]');
		return JSON.parse(text) as T;
	};
}

/**
 * A Custom plan's number as the credential holds it: a number, or (from an expression) its digits
 * as text; empty is unset. Anything else is a problem to fix, never a silent fallback.
 */
function customNumberOf(value: unknown, label: string): number | undefined | CredentialProblem {
	if (value === undefined || value === null || value === '') return undefined;
	const number = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
	if (typeof number === 'number' && Number.isFinite(number) && number >= 0) return number;
	return {
		message: `The credential's ${label} ${quoteValue(value)} is not a number`,
		description: `Set '${label}' in ${CREDENTIAL_NAME} to your plan's number, e.g. 60, or choose your plan by name in 'Rate Limit Plan'.`,
	};
}

async function readAccount(ctx: IExecuteSingleFunctions): Promise<HypersenderAccount | CredentialProblem> {
	const credentials = (await ctx.getCredentials(CREDENTIAL_TYPE)) as HypersenderCredentials;
	const apiBaseUrl = apiBaseUrlOf(credentials);
	if (typeof apiBaseUrl !== 'string') return apiBaseUrl;
	const token = String(credentials.apiToken ?? '').trim();
	// The custom numbers count only for the Custom plan: a leftover in a field not in use stops nothing.
	const custom = credentials.rateLimitPlan === 'custom';
	const customRequests = custom ? customNumberOf(credentials.customRequestsPerMinute, 'Custom Requests per Minute') : undefined;
	if (typeof customRequests === 'object') return customRequests;
	const customMessages = custom ? customNumberOf(credentials.customMessagesPerMinute, 'Custom Messages per Minute') : undefined;
	if (typeof customMessages === 'object') return customMessages;
	const plan = limitsForPlan(credentials.rateLimitPlan, customRequests, customMessages);
	// The pacer is found by a hash: the token itself is kept nowhere but in the redactor.
	const accountKey = createHash('sha256').update(`${apiBaseUrl}|${token}`).digest('hex');
	const pacer = pacerForAccount(accountKey);
	// Execution ID and node name are the same for every item of the node, whatever objects n8n hands each item.
	const nodeKey = `${ctx.getExecutionId()}|${ctx.getNode().name}`;
	return {
		apiBaseUrl,
		pacer,
		plan,
		nodeLaneFor(requestsPerMinute) {
			if (requestsPerMinute <= 0 || (plan.requestsPerMinute !== undefined && requestsPerMinute >= plan.requestsPerMinute)) return undefined;
			return pacer.laneFor(nodeKey, requestsPerMinute);
		},
		redact: redactorFor(token),
	};
}

// n8n hands every item of one node run the same execute-data object, so keying on it reads
// the credential (a database read and a decryption in n8n) once per node run. The WeakMap
// lets the entry go with the run. Only this saving depends on it: should a version of n8n hand
// items separate objects, each reads the credential, and the node lane, found by its own key,
// still paces them all.
const accountsByNodeRun = new WeakMap<object, Promise<HypersenderAccount | CredentialProblem>>();

/** The account of this node run; a credential that cannot be used fails the item before any request. */
export async function accountFor(ctx: IExecuteSingleFunctions): Promise<HypersenderAccount> {
	const nodeRun = ctx.getExecuteData() as object;
	let account = accountsByNodeRun.get(nodeRun);
	if (!account) {
		account = readAccount(ctx);
		accountsByNodeRun.set(nodeRun, account);
	}
	const result = await account;
	if ('apiBaseUrl' in result) return result;
	throw itemInputError(ctx, result.message, result.description);
}
