/**
 * Reading an item's input for a request, shared by every resource: each value that cannot be
 * sent is an error for that item, before any request, naming the item, the field, the value and
 * the fix.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IExecuteSingleFunctions } from 'n8n-workflow';

import { ACCEPTED_CHAT_ID_FORMS, InvalidChatIdError, InvalidCountryError, normalizeChatId, resolveCountry } from './chatId';
import type { Country } from './chatId';
import { quoteValue } from './quoteValue';
import { parameterOfItem } from './itemParameters';

/** The error as n8n shows errors: ours are n8n's already; anything else is wrapped, for this item. */
export function asNodeError(ctx: IExecuteSingleFunctions, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(ctx.getNode(), error instanceof Error ? error : new Error(String(error)), { itemIndex: ctx.getItemIndex() });
}

/** An error for this item whose description starts by saying nothing was sent, then the fix. */
export function itemInputError(ctx: IExecuteSingleFunctions, message: string, fix: string): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), message, { itemIndex: ctx.getItemIndex(), description: `Nothing was sent for this item. ${fix}` });
}

/** `Invalid '<label>' in item N: "<value>" <reason>`, and the fix. */
export function invalidItemValue(ctx: IExecuteSingleFunctions, label: string, value: unknown, reason: string, fix: string): NodeOperationError {
	return itemInputError(ctx, `Invalid '${label}' in item ${ctx.getItemIndex()}: ${quoteValue(value)} ${reason}`, fix);
}

// Characters that show nothing on their own: white space, zero-width and other format
// characters, controls, combining marks, and the blank letters Hangul and Braille have.
const INVISIBLE = /[\p{White_Space}\p{Cf}\p{Cc}\p{M}\u115F\u1160\u2800\u3164\uFFA0]/gu;

export function showsNothing(text: string): boolean {
	return text.replace(INVISIBLE, '') === '';
}

/** The row's Country option (ISO code, calling code or name), or undefined when it is empty. */
export function countryOfItem(ctx: IExecuteSingleFunctions): Country | undefined {
	try {
		return resolveCountry(parameterOfItem(ctx, 'options.defaultCountryCode', '') as unknown);
	} catch (error) {
		if (!(error instanceof InvalidCountryError)) throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: ctx.getItemIndex() });
		throw itemInputError(ctx, `Invalid 'Country' in item ${ctx.getItemIndex()}: ${error.message}`, error.fix);
	}
}

/**
 * The chat ID in parameter `field`, read with the row's Country: `<digits>@c.us`, `<digits>@lid`,
 * or, where groups may be named, a group's `<id>@g.us`.
 */
export function chatIdOfItem(ctx: IExecuteSingleFunctions, field: string, label: string, { allowGroups = false } = {}): string {
	return chatIdOfValue(ctx, parameterOfItem(ctx, field, '') as unknown, label, { allowGroups });
}

/** As `chatIdOfItem`, for a value the caller has read already (a field read twice would evaluate its expression twice). */
export function chatIdOfValue(ctx: IExecuteSingleFunctions, raw: unknown, label: string, { allowGroups = false } = {}): string {
	const country = countryOfItem(ctx);
	try {
		return normalizeChatId(raw, country, { allowGroups });
	} catch (error) {
		if (!(error instanceof InvalidChatIdError)) throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: ctx.getItemIndex() });
		const accepted = `${ACCEPTED_CHAT_ID_FORMS}${allowGroups ? ', or a group ID such as 120363040000000000@g.us' : ''}`;
		throw itemInputError(ctx, `Invalid '${label}' in item ${ctx.getItemIndex()}: ${error.message}`, `${error.fix} Accepted: ${accepted}.`);
	}
}
