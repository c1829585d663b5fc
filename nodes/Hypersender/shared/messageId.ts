/**
 * WhatsApp's message IDs as Hypersender takes them: `fromMe_chatId_id`, and in groups the sender
 * after another `_`, e.g. true_12132132130@c.us_3EB08F6AD2A432386EFA0E.
 */
import { isObject } from './values';

export const MESSAGE_ID = /^(true|false)_(\d+(-\d+)?@(c\.us|g\.us|lid))_[0-9A-Za-z]{6,}(_\d+@(c\.us|lid))?$/;

export const MESSAGE_ID_EXAMPLE = 'true_12132132130@c.us_3EB08F6AD2A432386EFA0E';

/** The message ID from its parts: who wrote it, the chat (`@s.whatsapp.net` named as `@c.us`) and WhatsApp's own ID. */
export function messageIdFromParts(fromMe: boolean, chatId: string, id: string): string {
	return `${fromMe ? 'true' : 'false'}_${chatId.replace(/@s\.whatsapp\.net$/, '@c.us')}_${id}`;
}

/** The ID of a message Hypersender sent, from the `key` in a queued request's outcome. */
export function messageIdOfSentMessage(responseBody: unknown): string | null {
	const key = isObject(responseBody) ? responseBody.key : undefined;
	if (!isObject(key) || typeof key.id !== 'string' || typeof key.remoteJid !== 'string') return null;
	return messageIdFromParts(key.fromMe !== false, key.remoteJid, key.id);
}

/** The chat a message ID names, or null when it is no message ID. */
export function chatIdOfMessageId(messageId: string): string | null {
	return MESSAGE_ID.exec(messageId)?.[2] ?? null;
}
