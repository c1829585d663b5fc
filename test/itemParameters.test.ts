/**
 * Each item's parameters are read once: the node adds no expression evaluation of its own to
 * the ones n8n's RoutingNode makes (it evaluates every top-level parameter twice per item on
 * n8n-core 2.40), reads the Options collection once per item, and reads `{{ $json.field }}` as
 * n8n's expression would give it. Run through WorkflowExecute against the fake Hypersender.
 */
import { WorkflowExpression } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import { credentialsFor, useFakeHypersender } from './fixtures';
import { runHypersender } from './helpers/runWorkflow';

const fake = useFakeHypersender();

/** Counts evaluations of each expression (by its text) while `run` runs. */
async function countEvaluations(run: () => Promise<unknown>): Promise<Map<string, number>> {
	const prototype = WorkflowExpression.prototype as unknown as { resolveSimpleParameterValue: (value: unknown, ...rest: unknown[]) => unknown };
	const resolve = prototype.resolveSimpleParameterValue;
	const counts = new Map<string, number>();
	prototype.resolveSimpleParameterValue = function (this: unknown, value: unknown, ...rest: unknown[]) {
		if (typeof value === 'string' && value.startsWith('=')) counts.set(value, (counts.get(value) ?? 0) + 1);
		return resolve.call(this, value, ...rest);
	};
	try {
		await run();
	} finally {
		prototype.resolveSimpleParameterValue = resolve;
	}
	return counts;
}

const upsert = (options: IDataObject, items: IDataObject[]) =>
	runHypersender({
		items,
		parameters: { operation: 'upsert', chatId: '={{ $json.phone }}', firstName: '={{ $json["first name"] }}', lastName: '={{ $json.last }}', options },
		credentials: credentialsFor(fake),
		continueOnFail: true,
	});

test('mapped fields are evaluated only by n8n itself: the node reads {{ $json.field }} from the item', async () => {
	const items = [
		{ phone: '+1 213 213 2130', 'first name': 'Maria', last: 'Doe' },
		{ phone: 4915123456789, 'first name': 'Jörg', last: 7 },
	];
	const counts = await countEvaluations(async () => {
		const { output } = await upsert({}, items);
		expect(output?.map((item) => item.error?.message)).toEqual([undefined, undefined]);
	});

	const routingNodeWalks = 2;
	for (const expression of ['={{ $json.phone }}', '={{ $json["first name"] }}', '={{ $json.last }}']) expect(counts.get(expression)).toBe(routingNodeWalks * items.length);
	expect(fake.requests.map((request) => request.body)).toEqual([
		{ chat_id: '12132132130@c.us', first_name: 'Maria', last_name: 'Doe' },
		{ chat_id: '4915123456789@c.us', first_name: 'Jörg', last_name: '7' },
	]);
});

test('the Options collection is read once per item, its expressions with it', async () => {
	const options = { defaultCountryCode: '={{ $json.country }}', maxRetries: '={{ $json.retries }}', syncAttempts: 2, syncDelaySeconds: 0 };
	const items = [{ phone: '0151 23456789', 'first name': 'Anna', last: 'B', country: 'DE', retries: 1 }];
	const counts = await countEvaluations(async () => {
		const { output } = await upsert(options, items);
		expect(output?.[0].error).toBeUndefined();
	});

	// Two sync attempts, each a request that reads Max Retries: still one read of the collection, plus RoutingNode's two walks.
	expect(fake.requests).toHaveLength(2);
	expect(fake.requests[0].body?.chat_id).toBe('4915123456789@c.us');
	expect(counts.get('={{ $json.country }}')).toBe(3);
	expect(counts.get('={{ $json.retries }}')).toBe(3);
});

test('a {{ $json.field }} that n8n would not read as a plain value is left to n8n: missing fields, lists', async () => {
	const { output } = await upsert({}, [
		{ 'first name': 'No phone', last: 'X' },
		{ phone: ['+1 213 213 2130'], 'first name': 'List', last: 'X' },
	]);

	expect(output?.[0].error?.message).toContain("'Chat ID or Phone'");
	expect(output?.[1].error?.message).toContain("'Chat ID or Phone'");
	expect(fake.requests).toHaveLength(0);
});
