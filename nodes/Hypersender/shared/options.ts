import type { IExecuteSingleFunctions, NodeOperationError } from 'n8n-workflow';

import { itemInputError } from './itemInput';
import { quoteValue } from './quoteValue';
import { parameterOfItem } from './itemParameters';

// Options take expressions, so a value may arrive as text, a fraction, an object or out of
// range: each is an error for this item that names the value and what is allowed, never a
// silent clamp, a silent default or an unbounded loop. An empty value means the default.

function optionError(ctx: IExecuteSingleFunctions, label: string, raw: unknown, allowed: string, fallback: unknown): NodeOperationError {
	return itemInputError(ctx, `'${label}' in item ${ctx.getItemIndex()} is ${quoteValue(raw)}, not ${allowed}`, `Set '${label}' to ${allowed}, or remove the option to use the default (${String(fallback)}).`);
}

const isEmpty = (raw: unknown) => raw === '' || raw === null || raw === undefined;

export interface WholeNumberRule {
	/** The parameter path, e.g. `options.maxRetries`. */
	name: string;
	/** As the user sees it in the node, e.g. `Max Retries`. */
	label: string;
	min: number;
	max: number;
	fallback: number;
}

/** A whole-number option for this item; text counts only when it is plain decimal digits ("3", not "0x3" or "3e0"). */
export function readWholeNumberOption(ctx: IExecuteSingleFunctions, rule: WholeNumberRule): number {
	const raw = parameterOfItem(ctx, rule.name, rule.fallback) as unknown;
	if (isEmpty(raw)) return rule.fallback;
	const value = typeof raw === 'string' && /^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw) : raw;
	if (typeof value === 'number' && Number.isInteger(value) && value >= rule.min && value <= rule.max) return value;
	throw optionError(ctx, rule.label, raw, `a whole number from ${rule.min} to ${rule.max}`, rule.fallback);
}

/** A switch for this item: true or false, or the text "true" / "false" an expression may give. */
export function readBooleanOption(ctx: IExecuteSingleFunctions, rule: { name: string; label: string; fallback: boolean }): boolean {
	const raw = parameterOfItem(ctx, rule.name, rule.fallback) as unknown;
	if (isEmpty(raw)) return rule.fallback;
	if (typeof raw === 'boolean') return raw;
	const text = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
	if (text === 'true' || text === 'false') return text === 'true';
	throw optionError(ctx, rule.label, raw, 'true or false', rule.fallback);
}
