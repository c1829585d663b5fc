/**
 * What arrives at the trigger's URL, checked before anything else happens: who sent it (the
 * Authorization header) and whether it is a Hypersender delivery at all (a JSON object with an
 * event name, of a sane size).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

import { isObject, PROTOTYPE_KEYS } from '../Hypersender/shared/values';

/** Hypersender sends media as links, so a real delivery is a few kilobytes; text is at most 64 KB. */
export const MAX_DELIVERY_BYTES = 1024 * 1024;

/** Hypersender's payloads nest a few levels; a body nested deeper is no delivery, and its items could not be stored. */
export const MAX_DELIVERY_DEPTH = 100;

/** Shorter secrets could be guessed by trying: the trigger's URL is public. */
export const MIN_SECRET_LENGTH = 16;

/**
 * Whether the Authorization header holds exactly the secret. Both sides are hashed first, so the
 * comparison runs over equal lengths and takes the same time whatever the header holds; an
 * empty secret matches nothing.
 */
export function authorizationMatches(header: unknown, secret: string): boolean {
	const given = createHash('sha256').update(typeof header === 'string' ? header.trim() : '').digest();
	const expected = createHash('sha256').update(secret).digest();
	return timingSafeEqual(given, expected) && secret !== '';
}

export interface Delivery {
	event: string;
	/** The envelope's `data`: event ID, instance ID and the event's payload. */
	data: IDataObject | undefined;
	/** The whole body as it arrived, for Simplify off. */
	body: IDataObject;
}

export type DeliveryReading = { delivery: Delivery } | { problem: string };


/**
 * Reads the body n8n received. n8n keeps the bytes (`rawBody`) and has already parsed a JSON
 * body when the Content-Type said so; the bytes are parsed here in any case, so a delivery
 * without a JSON Content-Type is read the same way and its size is known.
 */
export function readDelivery(rawBody: unknown, parsedBody: unknown): DeliveryReading {
	let body: unknown = parsedBody;
	if (Buffer.isBuffer(rawBody)) {
		if (rawBody.length > MAX_DELIVERY_BYTES) {
			return { problem: `The body has ${rawBody.length} bytes; a Hypersender delivery has at most ${MAX_DELIVERY_BYTES}` };
		}
		try {
			body = JSON.parse(rawBody.toString('utf8'));
		} catch {
			return { problem: 'The body is not JSON' };
		}
	}
	if (!isObject(body)) return { problem: 'The body is not a JSON object' };
	if (depthExceeds(body, MAX_DELIVERY_DEPTH)) return { problem: `The body is nested more than ${MAX_DELIVERY_DEPTH} levels deep` };
	body = withoutPrototypeKeys(body) as IDataObject;
	const { event, data } = body as IDataObject;
	if (typeof event !== 'string' || event.trim() === '') return { problem: 'The body has no "event"' };
	return { delivery: { event: event.trim(), data: isObject(data) ? data : undefined, body: body as IDataObject } };
}

/** Whether objects and lists nest deeper than `limit`; walks with its own stack, so any depth is measured safely. */
function depthExceeds(root: unknown, limit: number): boolean {
	const stack: Array<[unknown, number]> = [[root, 1]];
	while (stack.length > 0) {
		const [value, depth] = stack.pop() as [unknown, number];
		if (typeof value !== 'object' || value === null) continue;
		if (depth > limit) return true;
		for (const child of Object.values(value)) stack.push([child, depth + 1]);
	}
	return false;
}

/** A copy without `__proto__`, `constructor` and `prototype` keys, at any level (the depth is checked first). */
function withoutPrototypeKeys(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(withoutPrototypeKeys);
	if (typeof value !== 'object' || value === null) return value;
	return Object.fromEntries(
		Object.entries(value)
			.filter(([key]) => !PROTOTYPE_KEYS.has(key))
			.map(([key, child]) => [key, withoutPrototypeKeys(child)]),
	);
}
