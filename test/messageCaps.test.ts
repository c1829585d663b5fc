/**
 * The plan's two caps, run through n8n's WorkflowExecute against the fake Hypersender: sends are
 * paced to the messages per minute and every other call (reads, checks of queued requests) only
 * to the requests per minute; two credentials of one account with different plans; the node's
 * Requests per Minute lane found by a key that does not depend on n8n's objects. Pacing runs on
 * a virtual clock (helpers/virtualPacingClock.ts), so the spacing is exact and takes no time.
 */
import { ExecuteSingleContext } from 'n8n-core';
import type { IDataObject } from 'n8n-workflow';

import { credentialsFor, useFakeHypersender } from './fixtures';
import { runHypersender } from './helpers/runWorkflow';
import { virtualPacingClock } from './helpers/virtualPacingClock';

jest.mock('../nodes/Hypersender/transport/clock', () => ({
	...jest.requireActual('../nodes/Hypersender/transport/clock'),
	systemClock: jest.requireActual('./helpers/virtualPacingClock').virtualPacingClock,
}));

const fake = useFakeHypersender({ logRequests: true, requestClock: () => virtualPacingClock.now() });

// Between tests, time passes as between executions: no plan or spacing of one test reaches the next.
beforeEach(() => virtualPacingClock.advance(60 * 60_000));

/** Spacing at `perMinute`, as the pacer keeps it (2% under the limit). */
const spacing = (perMinute: number) => 60_000 / (perMinute * 0.98);

/** Runs the node on `count` items and returns how long after its start the last request was let through (virtual ms). */
async function pacedRun(count: number, parameters: IDataObject, credentials: IDataObject) {
	const startedAt = virtualPacingClock.now();
	const { output, error } = await runHypersender({
		items: Array.from({ length: count }, (_, i) => ({ phone: `+1213213213${i}`, first: `Row ${i}` })),
		parameters,
		credentials: credentialsFor(fake, credentials),
		continueOnFail: true,
	});
	expect(error).toBeUndefined();
	expect(output?.filter((item) => item.error)).toEqual([]);
	return { took: virtualPacingClock.now() - startedAt, output: output! };
}

const sendText = (waitForResult: boolean) => ({ resource: 'message', operation: 'sendText', chatId: '={{ $json.phone }}', text: 'Your order has shipped', options: { waitForResult } });
const getContact = { resource: 'contact', operation: 'get', chatId: '={{ $json.phone }}', options: { ifNotFound: 'outputItem' } };
const upsert = (options: IDataObject = {}) => ({ operation: 'upsert', chatId: '={{ $json.phone }}', firstName: '={{ $json.first }}', options });

describe('messages per minute, apart from requests', () => {
	test('on Business (500 requests, 60 messages a minute) sends are 1.02 s apart, reads of contacts 0.12 s', async () => {
		const sends = await pacedRun(4, sendText(false), { rateLimitPlan: 'business' });
		expect(fake.messages).toHaveLength(4);
		expect(sends.took).toBeGreaterThanOrEqual(3 * spacing(60) - 1);
		expect(sends.took).toBeLessThan(4 * spacing(60));

		virtualPacingClock.advance(60 * 60_000);
		const reads = await pacedRun(4, getContact, { rateLimitPlan: 'business' });
		expect(reads.took).toBeGreaterThanOrEqual(3 * spacing(500) - 1);
		expect(reads.took).toBeLessThan(4 * spacing(500));
	});

	test('with Wait for Result the checks of the queued requests are paced as requests, not held to the message cap', async () => {
		const startedAt = virtualPacingClock.now();
		const { output } = await pacedRun(3, sendText(true), { rateLimitPlan: 'business' });
		expect(output.map((item) => item.json.status)).toEqual(['sent', 'sent', 'sent']);
		const sentAt = (kind: string) => fake.requests.filter((request) => request.path.includes(kind)).map((request) => request.at! - startedAt);
		const sends = sentAt('/send-text');
		const checks = sentAt('/queued-requests/');
		expect(checks).toHaveLength(3);
		// Each check goes 1 s after its send (the first poll's gap), sooner than the next message
		// turn (1.02 s at 60 messages a minute): held to the message cap, it would wait for one.
		// Sends keep 1.02 s apart, plus the request spacing (0.12 s) after a check in between.
		for (const [i, check] of checks.entries()) {
			expect(check - sends[i]).toBeGreaterThanOrEqual(1000);
			expect(check - sends[i]).toBeLessThan(spacing(60));
		}
		for (const i of [1, 2]) expect(sends[i] - sends[i - 1]).toBeGreaterThanOrEqual(spacing(60) - 1);
	});

	test("a Custom plan's message number paces the sends; a Custom credential saved without one sends as many messages as requests", async () => {
		const capped = await pacedRun(3, sendText(false), { rateLimitPlan: 'custom', customRequestsPerMinute: 600, customMessagesPerMinute: 120 });
		expect(capped.took).toBeGreaterThanOrEqual(2 * spacing(120) - 1);
		expect(capped.took).toBeLessThan(3 * spacing(120));

		virtualPacingClock.advance(60 * 60_000);
		const saved = await pacedRun(3, sendText(false), { rateLimitPlan: 'custom', customRequestsPerMinute: 600 });
		expect(saved.took).toBeGreaterThanOrEqual(2 * spacing(600) - 1);
		expect(saved.took).toBeLessThan(3 * spacing(600));
	});
});

describe('two credentials of one account (same Base URL, token and instance) with different plans', () => {
	test('the stricter plan holds while both are in use, instead of the last node run setting the pace', async () => {
		await pacedRun(2, getContact, { rateLimitPlan: 'starter' });
		// Right after a Starter run: an Enterprise credential's reads keep to Starter's 60 a minute.
		const right = await pacedRun(4, getContact, { rateLimitPlan: 'enterprise' });
		expect(right.took).toBeGreaterThanOrEqual(3 * spacing(60) - 1);

		// Once Starter has not been used for minutes, Enterprise paces alone.
		virtualPacingClock.advance(10 * 60_000);
		const later = await pacedRun(4, getContact, { rateLimitPlan: 'enterprise' });
		expect(later.took).toBeGreaterThanOrEqual(3 * spacing(1000) - 1);
		expect(later.took).toBeLessThan(4 * spacing(1000));
	});
});

describe("the node's Requests per Minute lane", () => {
	test('paces every item of the node even when n8n hands each item its own execute-data object', async () => {
		const handedOut = new Set<unknown>();
		const original = ExecuteSingleContext.prototype.getExecuteData;
		const spy = jest.spyOn(ExecuteSingleContext.prototype, 'getExecuteData').mockImplementation(function (this: ExecuteSingleContext) {
			const copy = { ...original.call(this) };
			handedOut.add(copy);
			return copy;
		});
		try {
			const { took } = await pacedRun(4, upsert({ requestsPerMinute: 30 }), { rateLimitPlan: 'unlimited' });
			expect(handedOut.size).toBeGreaterThanOrEqual(4);
			expect(fake.contacts.size).toBe(4);
			expect(took).toBeGreaterThanOrEqual(3 * spacing(30) - 1);
			expect(took).toBeLessThan(4 * spacing(30));
		} finally {
			spy.mockRestore();
		}
	});

	test('two executions of the same node each get their own lane', async () => {
		const [first, second] = await Promise.all([
			pacedRun(3, upsert({ requestsPerMinute: 30 }), { rateLimitPlan: 'unlimited' }),
			pacedRun(3, upsert({ requestsPerMinute: 30 }), { rateLimitPlan: 'unlimited' }),
		]);
		// Had they shared one lane, six requests 2.04 s apart: 5 gaps for the later run.
		expect(Math.max(first.took, second.took)).toBeLessThan(3 * spacing(30));
	});
});
