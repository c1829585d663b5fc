/**
 * The trigger's configuration, read the same way when the workflow is activated (where a problem
 * refuses the activation with the fix) and on every delivery.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

import { ACCEPTED_CHAT_ID_FORMS, InvalidChatIdError, InvalidCountryError, normalizeChatId, resolveCountry } from '../Hypersender/shared/chatId';
import { CREDENTIAL_NAME, CREDENTIAL_TYPE } from '../Hypersender/shared/credential';
import { quoteValue } from '../Hypersender/shared/quoteValue';
import { MIN_SECRET_LENGTH } from './delivery';

/** Events about a message somebody wrote: there `fromMe` means this number wrote it. */
export const AUTHORED_EVENTS = new Set(['message.any', 'message.reaction', 'message.waiting', 'message.revoked']);

export interface TriggerSettings {
	events: Set<string>;
	ignoreOwnMessages: boolean;
	ignoreGroups: boolean;
	/** Normalized chat IDs; undefined when every chat is welcome. */
	onlyFrom: Set<string> | undefined;
	simplify: boolean;
	/** Download Media: a delivery with media starts the workflow with the file as binary data. */
	downloadMedia: boolean;
}

export interface TriggerAccount {
	/** Empty when the credential has none. */
	secret: string;
	instanceId: string;
}

type TriggerContext = IHookFunctions | IWebhookFunctions;

/** The credential's webhook secret and instance, or an explanation of what to set. */
export async function readTriggerAccount(ctx: TriggerContext): Promise<TriggerAccount | { problem: string; fix: string }> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const secret = typeof credentials.webhookSecret === 'string' ? credentials.webhookSecret.trim() : '';
	const instanceId = typeof credentials.instanceId === 'string' ? credentials.instanceId.trim() : '';
	if (secret === '') {
		return {
			problem: `${CREDENTIAL_NAME} has no 'Webhook Authorization'`,
			fix: `Set 'Webhook Authorization' in ${CREDENTIAL_NAME} to a secret of at least ${MIN_SECRET_LENGTH} characters (a password manager can make one), and set the same value as the webhook's Authorization in the Hypersender dashboard. The trigger refuses to listen without it: anyone who learns the URL could start this workflow.`,
		};
	}
	if (secret.length < MIN_SECRET_LENGTH) {
		return {
			problem: `The 'Webhook Authorization' in ${CREDENTIAL_NAME} has ${secret.length} characters; at least ${MIN_SECRET_LENGTH} are needed`,
			fix: `Use a longer secret (a password manager can make one), and set the same value as the webhook's Authorization in the Hypersender dashboard.`,
		};
	}
	if (instanceId === '') {
		return { problem: `${CREDENTIAL_NAME} has no 'Instance ID'`, fix: 'Copy the instance UUID from the Hypersender dashboard into the credential.' };
	}
	return { secret, instanceId };
}

/**
 * The form in which 'Only From' compares chat IDs. WhatsApp keeps the mobile prefix that the
 * national numbering dropped for Mexico (52 1 + 10 digits) and Argentina (54 9 + 10 digits), so a
 * number typed +52 55 1234 5678 arrives as 5215512345678@c.us: both sides drop that 1 or 9.
 */
export function onlyFromKey(chatId: string): string {
	return chatId.replace(/^(52)1(\d{10}@c\.us)$|^(54)9(\d{10}@c\.us)$/, '$1$2$3$4');
}

function onlyFromOf(ctx: TriggerContext, raw: unknown, rawCountry: unknown): Set<string> | undefined {
	const entries = (typeof raw === 'string' ? raw : '')
		.split(/[,;\n]/)
		.map((entry) => entry.trim())
		.filter((entry) => entry !== '');
	if (entries.length === 0) return undefined;
	try {
		const country = resolveCountry(rawCountry);
		return new Set(entries.map((entry) => onlyFromKey(normalizeChatId(entry, country, { allowGroups: true }))));
	} catch (error) {
		if (error instanceof InvalidCountryError) {
			throw new NodeOperationError(ctx.getNode(), `Invalid 'Country' in the trigger's options: ${error.message}`, { description: error.fix });
		}
		if (error instanceof InvalidChatIdError) {
			throw new NodeOperationError(ctx.getNode(), `Invalid entry in 'Only From (Chat IDs or Phones)': ${error.message}`, {
				description: `${error.fix} Accepted: ${ACCEPTED_CHAT_ID_FORMS}, or a group ID such as 120363040000000000@g.us; separate entries with commas or new lines.`,
			});
		}
		throw new NodeOperationError(ctx.getNode(), error as Error);
	}
}

export function readTriggerSettings(ctx: TriggerContext): TriggerSettings {
	const events = ctx.getNodeParameter('events', []) as unknown;
	if (!Array.isArray(events) || events.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'No event is selected in the trigger', {
			description: `Select at least one event under 'Events', e.g. Message (Incoming and Sent). Got ${quoteValue(events)}.`,
		});
	}
	const options = ctx.getNodeParameter('options', {}) as { ignoreGroups?: unknown; onlyFrom?: unknown; country?: unknown; downloadMedia?: unknown };
	return {
		events: new Set(events.map(String)),
		ignoreOwnMessages: ctx.getNodeParameter('ignoreOwnMessages', true) !== false,
		ignoreGroups: options.ignoreGroups === true,
		onlyFrom: onlyFromOf(ctx, options.onlyFrom, options.country),
		simplify: ctx.getNodeParameter('simplify', true) !== false,
		downloadMedia: options.downloadMedia === true,
	};
}
