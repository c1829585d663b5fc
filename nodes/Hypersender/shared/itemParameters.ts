/**
 * Reading an item's parameters, each once. n8n's `getNodeParameter` evaluates the parameter's
 * expression and then walks the node's properties to validate the value, on every call; in a bulk
 * run that is most of the node's own cost. So:
 *  - the Options collection is read once per item, and every option is taken from that read;
 *  - a value without an expression is the value as set (nothing to evaluate or validate);
 *  - the commonest mapping, `{{ $json.field }}` alone, is read from the item: the value the
 *    expression would give (a text, number or true/false), without starting the expression engine.
 * Anything else (other expressions, lists and objects that may hold expressions) is n8n's to read.
 */
import type { IDataObject, IExecuteSingleFunctions } from 'n8n-workflow';

const OPTIONS = 'options';
const OPTION_PREFIX = `${OPTIONS}.`;

// `={{ $json.phone }}` or `={{ $json["first name"] }}`, nothing else in the field.
const JSON_FIELD = /^=\{\{\s*\$json(?:\.([A-Za-z_$][\w$]*)|\[\s*(?:"([^"\\]*)"|'([^'\\]*)')\s*\])\s*\}\}$/;

// Per node run (n8n's execute data) and input item, the Options collection as read. By the item
// object, not its index: as an AI agent's tool the node runs once per tool call with the agent's
// execute data, each call with an item of its own.
const optionsByNodeRun = new WeakMap<object, WeakMap<object, IDataObject>>();

/** The item's Options collection, read (and its expressions evaluated) once per item. */
function optionsOfItem(ctx: IExecuteSingleFunctions): IDataObject {
	const nodeRun = ctx.getExecuteData?.() as object | undefined;
	const item = ctx.getInputData?.() as object | undefined;
	let read = nodeRun ? optionsByNodeRun.get(nodeRun) : undefined;
	const known = item ? read?.get(item) : undefined;
	if (known) return known;
	const options = (ctx.getNodeParameter(OPTIONS, {}) ?? {}) as IDataObject;
	if (nodeRun && item) {
		if (!read) optionsByNodeRun.set(nodeRun, (read = new WeakMap()));
		read.set(item, options);
	}
	return options;
}

/** What `{{ $json.<field> }}` gives for this item, when the field holds a text, number or true/false. */
function jsonFieldOfItem(ctx: IExecuteSingleFunctions, expression: string): string | number | boolean | undefined {
	const match = JSON_FIELD.exec(expression);
	if (!match) return undefined;
	const field = match[1] ?? match[2] ?? match[3];
	const json = ctx.getInputData()?.json;
	if (!json || !Object.prototype.hasOwnProperty.call(json, field)) return undefined;
	const value = json[field];
	return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)) ? value : undefined;
}

/** The item's value of parameter `name` (an option as `options.<name>`), or `fallback` when it is not set. */
export function parameterOfItem(ctx: IExecuteSingleFunctions, name: string, fallback: unknown): unknown {
	if (name.startsWith(OPTION_PREFIX)) {
		const value = optionsOfItem(ctx)[name.slice(OPTION_PREFIX.length)];
		return value === undefined ? fallback : value;
	}
	const raw = ctx.getNodeParameter(name, fallback, { rawExpressions: true }) as unknown;
	if (typeof raw === 'string' && raw.startsWith('=')) return jsonFieldOfItem(ctx, raw) ?? ctx.getNodeParameter(name, fallback);
	if (raw === null || typeof raw !== 'object') return raw;
	return ctx.getNodeParameter(name, fallback);
}
