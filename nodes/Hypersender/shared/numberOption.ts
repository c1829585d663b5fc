import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteSingleFunctions } from 'n8n-workflow';

import { quoteValue } from './quoteValue';

export interface WholeNumberRule {
	/** The parameter path, e.g. `options.maxRetries`. */
	name: string;
	/** As the user sees it in the node, e.g. `Max Retries`. */
	label: string;
	min: number;
	max: number;
	fallback: number;
}

/**
 * Reads a number option for this item. Options take expressions, so the value may be text, a
 * fraction or out of range: each is an error for this item that names the value and the range,
 * never a silent clamp and never an unbounded loop. An empty value means the default.
 */
export function readWholeNumberOption(ctx: IExecuteSingleFunctions, rule: WholeNumberRule): number {
	const raw = ctx.getNodeParameter(rule.name, rule.fallback) as unknown;
	if (raw === '' || raw === null || raw === undefined) return rule.fallback;
	const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw.trim()) : raw;
	if (typeof value === 'number' && Number.isInteger(value) && value >= rule.min && value <= rule.max) return value;
	const itemIndex = ctx.getItemIndex();
	throw new NodeOperationError(
		ctx.getNode(),
		`'${rule.label}' in item ${itemIndex} is ${quoteValue(raw)}, not a whole number from ${rule.min} to ${rule.max}`,
		{
			itemIndex,
			description: `Nothing was sent for this item. Set '${rule.label}' to a whole number from ${rule.min} to ${rule.max}, or remove the option to use the default (${rule.fallback}).`,
		},
	);
}
