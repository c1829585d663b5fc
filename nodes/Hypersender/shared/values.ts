import type { IDataObject } from 'n8n-workflow';

// Keys that, copied by a later node into a plain object, would reach Object.prototype.
export const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A JSON object: not null, not a list. */
export function isObject(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}
