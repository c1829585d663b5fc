import { parseRetryAfter } from '../nodes/Hypersender/hooks/hypersenderErrors';
import { requestsPerMinuteForPlan } from '../nodes/Hypersender/hooks/rateLimitPlans';
import { pacerFor, RequestPacer } from '../nodes/Hypersender/hooks/requestPacer';
import type { PacerClock } from '../nodes/Hypersender/hooks/requestPacer';
import { retryDelayMs } from '../nodes/Hypersender/hooks/sendWithRetries';

/** A clock whose time moves only when every sleeper due by then has been woken. */
class FakeClock implements PacerClock {
	time = 0;

	private sleepers: Array<{ until: number; wake: () => void }> = [];

	now() {
		return this.time;
	}

	async sleep(ms: number) {
		await new Promise<void>((wake) => this.sleepers.push({ until: this.time + ms, wake }));
	}

	/** Runs until nothing is left to wake, at most `limit` wake-ups. */
	async runAll(limit = 100_000) {
		for (let i = 0; i < limit; i++) {
			await flushMicrotasks();
			if (this.sleepers.length === 0) return;
			this.sleepers.sort((a, b) => a.until - b.until);
			const next = this.sleepers.shift()!;
			this.time = Math.max(this.time, next.until);
			next.wake();
		}
		throw new Error('clock did not settle');
	}
}

async function flushMicrotasks() {
	for (let i = 0; i < 20; i++) await Promise.resolve();
}

async function sendTimes(pacer: RequestPacer, clock: FakeClock, count: number, holdMs = 0) {
	const sentAt: number[] = [];
	const all = Array.from({ length: count }, async () => {
		const release = await pacer.acquire();
		sentAt.push(clock.now());
		if (holdMs) await clock.sleep(holdMs);
		release();
	});
	await clock.runAll();
	await Promise.all(all);
	return sentAt;
}

describe('RequestPacer', () => {
	test('spaces requests evenly, 2% under the plan rate: 60 per minute is one every 1.02 s', async () => {
		const clock = new FakeClock();
		const pacer = new RequestPacer(60, 32, clock);
		const sentAt = await sendTimes(pacer, clock, 5);
		expect(sentAt.map(Math.round)).toEqual([0, 1020, 2041, 3061, 4082]);
	});

	test('600 requests at 600 per minute take about a minute, never more than the limit in any window', async () => {
		const clock = new FakeClock();
		const pacer = new RequestPacer(600, 32, clock);
		const sentAt = await sendTimes(pacer, clock, 600);
		expect(sentAt[599]).toBeGreaterThan(60_000);
		expect(sentAt[599]).toBeLessThan(61_500);
		for (const start of sentAt) {
			expect(sentAt.filter((t) => t >= start && t < start + 60_000).length).toBeLessThanOrEqual(600);
		}
	});

	test('bounds the requests in flight even without a rate limit', async () => {
		const clock = new FakeClock();
		const pacer = new RequestPacer(undefined, 4, clock);
		let inFlight = 0;
		let peak = 0;
		const all = Array.from({ length: 20 }, async () => {
			const release = await pacer.acquire();
			peak = Math.max(peak, ++inFlight);
			await clock.sleep(10);
			inFlight--;
			release();
		});
		await clock.runAll();
		await Promise.all(all);
		expect(peak).toBe(4);
		expect(clock.now()).toBe(50);
	});

	test('a pause (from Retry-After) holds back requests already waiting for their turn', async () => {
		const clock = new FakeClock();
		const pacer = new RequestPacer(60, 32, clock);
		const sentAt: number[] = [];
		const all = Array.from({ length: 3 }, async () => {
			const release = await pacer.acquire();
			sentAt.push(clock.now());
			if (sentAt.length === 1) pacer.pauseUntil(clock.now() + 30_000);
			release();
		});
		await clock.runAll();
		await Promise.all(all);
		expect(sentAt).toEqual([0, 30_000, 30_000]);
	});

	test('learns a stricter limit from X-RateLimit-Limit', async () => {
		const clock = new FakeClock();
		const pacer = new RequestPacer(1200, 32, clock);
		const perMinute = () => Math.round((60_000 / pacer.intervalMs) / 0.98);
		expect(perMinute()).toBe(1200);
		pacer.observeRateLimitHeaders({ 'x-ratelimit-limit': '600', 'x-ratelimit-remaining': '599' });
		expect(perMinute()).toBe(600);
		pacer.observeRateLimitHeaders({ 'x-ratelimit-limit': '5000' });
		expect(perMinute()).toBe(1200);
	});

	test('X-RateLimit-Remaining: 0 with a reset time pauses until then', async () => {
		const clock = new FakeClock();
		clock.time = 10_000;
		const pacer = new RequestPacer(undefined, 32, clock);
		pacer.observeRateLimitHeaders({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '25' });
		expect(await sendTimes(pacer, clock, 1)).toEqual([25_000]);
	});

	test('pacers are shared per account and limit, and dropped once idle for long', () => {
		const clock = new FakeClock();
		const a = pacerFor('account-a', 60, clock);
		expect(pacerFor('account-a', 60, clock)).toBe(a);
		expect(pacerFor('account-a', 100, clock)).not.toBe(a);
		expect(pacerFor('account-b', 60, clock)).not.toBe(a);
		clock.time += 3 * 60_000;
		expect(pacerFor('account-a', 60, clock)).not.toBe(a);
	});
});

describe('retries', () => {
	test('Retry-After wins over backoff', () => {
		expect(retryDelayMs(3, { retryable: true, retryAfterMs: 7000 }, () => 0.5)).toBe(7000);
	});

	test('backoff doubles per attempt with jitter between half and all of the ceiling, capped at 30 s', () => {
		expect(retryDelayMs(0, { retryable: true }, () => 0)).toBe(250);
		expect(retryDelayMs(0, { retryable: true }, () => 1)).toBe(500);
		expect(retryDelayMs(2, { retryable: true }, () => 0)).toBe(1000);
		expect(retryDelayMs(2, { retryable: true }, () => 1)).toBe(2000);
		expect(retryDelayMs(20, { retryable: true }, () => 1)).toBe(30_000);
	});

	test('Retry-After is read as seconds or as an HTTP date', () => {
		const now = Date.parse('2026-11-28T10:00:00Z');
		expect(parseRetryAfter('30', now)).toBe(30_000);
		expect(parseRetryAfter(['2'], now)).toBe(2000);
		expect(parseRetryAfter('Sat, 28 Nov 2026 10:00:45 GMT', now)).toBe(45_000);
		expect(parseRetryAfter('Sat, 28 Nov 2026 09:00:00 GMT', now)).toBe(0);
		expect(parseRetryAfter(undefined, now)).toBeUndefined();
		expect(parseRetryAfter('soon', now)).toBeUndefined();
	});
});

describe('plans', () => {
	test.each([
		['freeTrial', undefined, 10],
		['starter', undefined, 60],
		['pro', undefined, 100],
		['business', undefined, 500],
		['enterprise', undefined, 1000],
		['custom', 250, 250],
		['unlimited', undefined, undefined],
	])('%s is %p per minute', (plan, custom, expected) => {
		expect(requestsPerMinuteForPlan(plan, custom)).toBe(expected);
	});
});
