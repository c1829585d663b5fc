import { apiBaseUrlOf } from '../nodes/Hypersender/transport/account';
import { parseRetryAfter } from '../nodes/Hypersender/transport/errors';
import { backoffMs } from '../nodes/Hypersender/transport';
import { systemClock } from '../nodes/Hypersender/transport/clock';
import type { PacerClock } from '../nodes/Hypersender/transport/clock';
import { LONGEST_PAUSE_MS, PacingLane, PLAN_MEMORY_MS, RequestPacer } from '../nodes/Hypersender/transport/pacer';
import type { pacerForAccount as PacerForAccount, Turn } from '../nodes/Hypersender/transport/pacer';
import { limitsForPlan, PLAN_LIMITS } from '../nodes/Hypersender/transport/rateLimitPlans';
import { HypersenderApi } from '../credentials/HypersenderApi.credentials';
import type { PlanLimits } from '../nodes/Hypersender/transport/rateLimitPlans';

/** A clock whose time moves only when every sleeper due by then has been woken. */
class FakeClock implements PacerClock {
	time = 0;

	private sleepers: Array<{ until: number; wake: () => void }> = [];

	now() {
		return this.time;
	}

	async sleep(ms: number, signal?: AbortSignal) {
		if (signal?.aborted) return;
		await new Promise<void>((wake) => {
			const sleeper = { until: this.time + ms, wake };
			this.sleepers.push(sleeper);
			signal?.addEventListener('abort', () => {
				this.sleepers = this.sleepers.filter((other) => other !== sleeper);
				wake();
			});
		});
	}

	/** Runs until nothing is left to wake or `until` is reached, at most `limit` wake-ups. */
	async runAll({ until = Infinity, limit = 100_000 } = {}) {
		for (let i = 0; i < limit; i++) {
			await flushMicrotasks();
			this.sleepers.sort((a, b) => a.until - b.until);
			const next = this.sleepers[0];
			if (!next || next.until > until) return;
			this.sleepers.shift();
			this.time = Math.max(this.time, next.until);
			next.wake();
		}
		throw new Error('clock did not settle');
	}
}

async function flushMicrotasks() {
	for (let i = 0; i < 20; i++) await Promise.resolve();
}

const cancelled = () => new Error('cancelled');

const plan = (requestsPerMinute: number | undefined, messagesPerMinute = requestsPerMinute): PlanLimits => ({ requestsPerMinute, messagesPerMinute });

/** A pacer whose every request is made on one credential's plan, as the transport makes them. */
class PacerOnPlan extends RequestPacer {
	private readonly limits: PlanLimits;

	constructor(limits: number | PlanLimits | undefined, clock: PacerClock, maxInFlight?: number) {
		super(clock, maxInFlight);
		this.limits = typeof limits === 'object' ? limits : plan(limits);
	}

	async acquire(signal: AbortSignal | undefined, onCancel: () => Error, turn: Turn = {}) {
		return await super.acquire(signal, onCancel, { plan: this.limits, ...turn });
	}
}

async function sendTimes(pacer: RequestPacer, clock: FakeClock, count: number, holdMs = 0) {
	const sentAt: number[] = [];
	const all = Array.from({ length: count }, async () => {
		const release = await pacer.acquire(undefined, cancelled);
		sentAt.push(clock.now());
		if (holdMs) await clock.sleep(holdMs);
		release();
	});
	await clock.runAll();
	await Promise.all(all);
	return sentAt;
}

const perMinute = (pacer: RequestPacer) => Math.round(60_000 / pacer.intervalMs / 0.98);

describe('RequestPacer', () => {
	test('spaces requests evenly, 2% under the plan rate: 60 per minute is one every 1.02 s', async () => {
		const clock = new FakeClock();
		const sentAt = await sendTimes(new PacerOnPlan(60, clock), clock, 5);
		expect(sentAt.map(Math.round)).toEqual([0, 1020, 2041, 3061, 4082]);
	});

	test('600 requests at 600 per minute take about a minute, never more than the limit in any window', async () => {
		const clock = new FakeClock();
		const sentAt = await sendTimes(new PacerOnPlan(600, clock), clock, 600);
		expect(sentAt[599]).toBeGreaterThan(60_000);
		expect(sentAt[599]).toBeLessThan(61_500);
		for (const start of sentAt) {
			expect(sentAt.filter((t) => t >= start && t < start + 60_000).length).toBeLessThanOrEqual(600);
		}
	});

	test('bounds the requests in flight even without a rate limit', async () => {
		const clock = new FakeClock();
		const pacer = new PacerOnPlan(undefined, clock, 4);
		let inFlight = 0;
		let peak = 0;
		const all = Array.from({ length: 20 }, async () => {
			const release = await pacer.acquire(undefined, cancelled);
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
		const pacer = new PacerOnPlan(60, clock);
		const sentAt: number[] = [];
		const all = Array.from({ length: 3 }, async () => {
			const release = await pacer.acquire(undefined, cancelled);
			sentAt.push(clock.now());
			if (sentAt.length === 1) pacer.learnFromAnswer({}, 30_000);
			release();
		});
		await clock.runAll();
		await Promise.all(all);
		expect(sentAt.map(Math.round)).toEqual([0, 30_000, 31_020]);
	});

	test('learns a stricter limit from X-RateLimit-Limit, never a looser one', async () => {
		const clock = new FakeClock();
		const pacer = new PacerOnPlan(1200, clock);
		await sendTimes(pacer, clock, 1);
		expect(perMinute(pacer)).toBe(1200);
		pacer.learnFromAnswer({ 'x-ratelimit-limit': '600', 'x-ratelimit-remaining': '599' }, undefined);
		expect(perMinute(pacer)).toBe(600);
		pacer.learnFromAnswer({ 'x-ratelimit-limit': '5000' }, undefined);
		expect(perMinute(pacer)).toBe(1200);
	});

	test.each(['0.001', '0', '-5', '1e9', 'abc', 'Infinity', ''])('an absurd X-RateLimit-Limit %p is ignored', async (limit) => {
		const clock = new FakeClock();
		const pacer = new PacerOnPlan(60, clock);
		await sendTimes(pacer, clock, 1);
		pacer.learnFromAnswer({ 'x-ratelimit-limit': limit }, undefined);
		expect(perMinute(pacer)).toBe(60);
	});

	test('X-RateLimit-Remaining: 0 pauses until X-RateLimit-Reset, in seconds from now or as a Unix time', async () => {
		const clock = new FakeClock();
		clock.time = 1_800_000_000_000;
		const relative = new PacerOnPlan(undefined, clock);
		relative.learnFromAnswer({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '25' }, undefined);
		expect(await sendTimes(relative, clock, 1)).toEqual([1_800_000_025_000]);
		const absolute = new PacerOnPlan(undefined, clock);
		absolute.learnFromAnswer({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(clock.time / 1000 + 40) }, undefined);
		expect(await sendTimes(absolute, clock, 1)).toEqual([1_800_000_065_000]);
	});

	test('no header can pause an account for longer than the longest pause', async () => {
		const clock = new FakeClock();
		const pacer = new PacerOnPlan(undefined, clock);
		pacer.learnFromAnswer({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '99999999999' }, undefined);
		pacer.learnFromAnswer({}, 10 ** 15);
		expect(await sendTimes(pacer, clock, 1)).toEqual([LONGEST_PAUSE_MS]);
	});

	test('cancelled waiters leave the queue unsent, and the next request is due one spacing after the last one sent', async () => {
		const clock = new FakeClock();
		const pacer = new PacerOnPlan(60, clock);
		const abort = new AbortController();
		const outcomes: string[] = [];
		const cancelledRun = Array.from({ length: 5 }, async (_, i) => {
			try {
				const release = await pacer.acquire(abort.signal, cancelled);
				outcomes.push(`sent ${i} at ${clock.now()}`);
				release();
			} catch (error) {
				outcomes.push(`${(error as Error).message} ${i}`);
			}
		});
		await clock.runAll({ until: 500 });
		abort.abort();
		await Promise.all(cancelledRun);
		expect(outcomes).toEqual(['sent 0 at 0', 'cancelled 1', 'cancelled 2', 'cancelled 3', 'cancelled 4']);
		expect(await sendTimes(pacer, clock, 1)).toEqual([60_000 / 60 / 0.98]);
		await expect(pacer.acquire(abort.signal, cancelled)).rejects.toThrow('cancelled');
	});

	test("a node's stricter lane slows that node only; the account's other requests pass it by", async () => {
		const clock = new FakeClock();
		const account = new PacerOnPlan(120, clock);
		const slowNode = new PacingLane(30);
		const sent: Record<string, number[]> = { slow: [], other: [] };
		const send = async (lane: 'slow' | 'other') => {
			const release = await account.acquire(undefined, cancelled, { lane: lane === 'slow' ? slowNode : undefined });
			sent[lane].push(clock.now());
			release();
		};
		const all = [...Array.from({ length: 3 }, async () => await send('slow')), ...Array.from({ length: 6 }, async () => await send('other'))];
		await clock.runAll();
		await Promise.all(all);
		const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);
		expect(Math.min(...gaps(sent.slow))).toBeGreaterThanOrEqual(2040);
		// Together they keep to the account's 120 per minute.
		expect(Math.min(...gaps([...sent.slow, ...sent.other].sort((a, b) => a - b)))).toBeGreaterThanOrEqual(510);
		// The other requests are not held behind the slow lane: all six are out before its third.
		expect(sent.other[5]).toBeLessThan(sent.slow[2]);
	});
});

/**
 * A server's fixed-window rate limit on the fake clock: `limit` requests per `windowMs`, with
 * Laravel's headers, X-RateLimit-Reset (the window's end, as a Unix time) only when asked for.
 */
class WindowedServer {
	rejected = 0;

	private windowStart: number;

	private used = 0;

	constructor(
		private readonly clock: FakeClock,
		private readonly limit: number,
		private readonly windowMs: number,
		private readonly sendsReset: boolean,
	) {
		this.windowStart = clock.now();
	}

	answer(): { headers: Record<string, string>; retryAfterMs?: number } {
		const now = this.clock.now();
		if (now - this.windowStart >= this.windowMs) {
			this.windowStart = now - ((now - this.windowStart) % this.windowMs);
			this.used = 0;
		}
		const endsAt = this.windowStart + this.windowMs;
		const headers: Record<string, string> = { 'x-ratelimit-limit': String(Math.round((this.limit * 60_000) / this.windowMs)) };
		if (this.sendsReset) headers['x-ratelimit-reset'] = String(Math.ceil(endsAt / 1000));
		if (this.used >= this.limit) {
			this.rejected++;
			return { headers: { ...headers, 'x-ratelimit-remaining': '0' }, retryAfterMs: Math.ceil((endsAt - now) / 1000) * 1000 };
		}
		this.used++;
		return { headers: { ...headers, 'x-ratelimit-remaining': String(this.limit - this.used) } };
	}
}

/** Two processes (n8n workers), each with its own pacer at the plan's rate, sending `each` requests to one server; 429s are retried. */
async function twoWorkers(clock: FakeClock, server: WindowedServer, planPerMinute: number, each: number) {
	const worker = async (pacer: RequestPacer) =>
		await Promise.all(
			Array.from({ length: each }, async () => {
				for (let attempt = 0; attempt < 20; attempt++) {
					const release = await pacer.acquire(undefined, cancelled);
					await clock.sleep(50);
					const { headers, retryAfterMs } = server.answer();
					pacer.learnFromAnswer(headers, retryAfterMs);
					release();
					if (retryAfterMs === undefined) return;
				}
				throw new Error('gave up');
			}),
		);
	const done = Promise.all([worker(new PacerOnPlan(planPerMinute, clock)), worker(new PacerOnPlan(planPerMinute, clock))]);
	await clock.runAll();
	await done;
	return clock.now();
}

/** A fake clock at a real Unix time, on a minute boundary, so X-RateLimit-Reset reads as a time. */
function clockAtUnixTime() {
	const clock = new FakeClock();
	clock.time = 1_800_000_000_000;
	return clock;
}

describe('workers that share a plan without talking to each other', () => {
	test('with X-RateLimit-Reset, two pacers at the full plan rate converge on the limit: no 429, within 1.15x of the ideal', async () => {
		const clock = clockAtUnixTime();
		const server = new WindowedServer(clock, 600, 60_000, true);
		const took = (await twoWorkers(clock, server, 600, 450)) - 1_800_000_000_000;
		expect(server.rejected).toBe(0);
		expect(took / 90_000).toBeLessThanOrEqual(1.15);
	});

	test('without it, each paces alone: 429s, retried (the fallback the README describes)', async () => {
		const clock = clockAtUnixTime();
		const server = new WindowedServer(clock, 600, 60_000, false);
		await twoWorkers(clock, server, 600, 450);
		expect(server.rejected).toBeGreaterThan(0);
	});

	test('a single worker is not slowed by the window budget', async () => {
		const clock = clockAtUnixTime();
		const server = new WindowedServer(clock, 600, 60_000, true);
		const pacer = new PacerOnPlan(600, clock);
		const all = Array.from({ length: 600 }, async () => {
			const release = await pacer.acquire(undefined, cancelled);
			pacer.learnFromAnswer(server.answer().headers, undefined);
			release();
		});
		await clock.runAll();
		await Promise.all(all);
		expect(server.rejected).toBe(0);
		expect(clock.now() - 1_800_000_000_000).toBeLessThan(61_500);
	});
});

describe('one pacer per account', () => {
	/** pacerForAccount of a fresh copy of the pacer module, on `clock` as the node's clock (transport/clock.ts). */
	function pacersOn(clock: FakeClock): typeof PacerForAccount {
		let fresh: typeof PacerForAccount | undefined;
		jest.isolateModules(() => {
			jest.doMock('../nodes/Hypersender/transport/clock', () => ({ systemClock: clock }));
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			fresh = (require('../nodes/Hypersender/transport/pacer') as typeof import('../nodes/Hypersender/transport/pacer')).pacerForAccount;
		});
		return fresh as typeof PacerForAccount;
	}

	test('every node and execution on an account shares one pacer, whatever its plan', () => {
		const pacerForAccount = pacersOn(new FakeClock());
		const a = pacerForAccount('account-a');
		expect(pacerForAccount('account-a')).toBe(a);
		expect(pacerForAccount('account-b')).not.toBe(a);
	});

	test('an idle pacer is forgotten after its lifetime, but not while a pause is still running', async () => {
		const clock = new FakeClock();
		const pacerForAccount = pacersOn(clock);
		const paused = pacerForAccount('account-paused');
		paused.learnFromAnswer({}, 4 * 60_000);
		const idle = pacerForAccount('account-idle');
		clock.time += 3 * 60_000;
		pacerForAccount('someone-else');
		expect(pacerForAccount('account-paused')).toBe(paused);
		expect(pacerForAccount('account-idle')).not.toBe(idle);
	});
});

/** Sends each request's turn at once, in this order, and records when each got through. */
async function turnTimes(pacer: RequestPacer, clock: FakeClock, turns: Array<Turn & { name: string }>) {
	const sentAt: Record<string, number[]> = {};
	const all = turns.map(async ({ name, ...turn }) => {
		const release = await pacer.acquire(undefined, cancelled, turn);
		(sentAt[name] ??= []).push(clock.now());
		release();
	});
	await clock.runAll();
	await Promise.all(all);
	return sentAt;
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]);
const repeat = <T>(count: number, turn: T) => Array.from({ length: count }, () => turn);

describe('messages per minute', () => {
	// Business: 500 requests but only 60 messages a minute.
	const business = plan(500, 60);

	test('messages are spaced to the message cap; reads and checks between them only to the request cap', async () => {
		const clock = new FakeClock();
		const pacer = new RequestPacer(clock);
		const sentAt = await turnTimes(pacer, clock, [...repeat(3, { name: 'send', plan: business, countsAsMessage: true }), ...repeat(6, { name: 'read', plan: business })]);
		expect(Math.min(...gaps(sentAt.send))).toBeGreaterThanOrEqual(60_000 / 60 / 0.98 - 1);
		// The reads are not held behind the waiting messages: all six are out before the second message.
		expect(sentAt.read[5]).toBeLessThan(sentAt.send[1]);
		const all = [...sentAt.send, ...sentAt.read].sort((a, b) => a - b);
		expect(Math.min(...gaps(all))).toBeGreaterThanOrEqual(60_000 / 500 / 0.98 - 1);
	});

	test('a message waits for both caps: the request cap where it is the stricter', async () => {
		const clock = new FakeClock();
		const sentAt = await turnTimes(new RequestPacer(clock), clock, repeat(3, { name: 'send', plan: plan(60, 600), countsAsMessage: true }));
		expect(sentAt.send.map(Math.round)).toEqual([0, 1020, 2041]);
	});

	test('No Pacing paces neither', async () => {
		const clock = new FakeClock();
		const sentAt = await turnTimes(new RequestPacer(clock), clock, repeat(5, { name: 'send', plan: limitsForPlan('unlimited', undefined, undefined), countsAsMessage: true }));
		expect(sentAt.send).toEqual([0, 0, 0, 0, 0]);
	});
});

describe('two credentials on one account with different plans', () => {
	const enterprise = plan(1000);
	const starter = plan(60);
	const spacing = (perMinute: number) => 60_000 / perMinute / 0.98;

	test('while both wait, the stricter plan paces every request of the account', async () => {
		const clock = new FakeClock();
		const sentAt = await turnTimes(new RequestPacer(clock), clock, [...repeat(3, { name: 'loose', plan: enterprise }), ...repeat(3, { name: 'strict', plan: starter })]);
		const all = [...sentAt.loose, ...sentAt.strict].sort((a, b) => a - b);
		expect(Math.min(...gaps(all))).toBeGreaterThanOrEqual(spacing(60) - 1);
	});

	test('the stricter plan holds for PLAN_MEMORY_MS after its last request, then the other plan paces alone', async () => {
		const clock = new FakeClock();
		const pacer = new RequestPacer(clock);
		await turnTimes(pacer, clock, [{ name: 'strict', plan: starter }]);
		clock.time += 10_000;
		const soon = await turnTimes(pacer, clock, repeat(3, { name: 'loose', plan: enterprise }));
		expect(Math.min(...gaps(soon.loose))).toBeGreaterThanOrEqual(spacing(60) - 1);
		clock.time += PLAN_MEMORY_MS;
		const later = await turnTimes(pacer, clock, repeat(3, { name: 'loose', plan: enterprise }));
		expect(gaps(later.loose).map(Math.round)).toEqual([61, 61]);
	});

	test('a plan whose requests wait longer than PLAN_MEMORY_MS stays in force until the last of them is out', async () => {
		const clock = new FakeClock();
		// 30 requests at 10 a minute wait three minutes; a looser plan's requests arrive behind them.
		const sentAt = await turnTimes(new RequestPacer(clock), clock, [...repeat(30, { name: 'strict', plan: plan(10) }), ...repeat(30, { name: 'loose', plan: enterprise })]);
		const lastStrict = Math.max(...sentAt.strict);
		expect(lastStrict).toBeGreaterThan(PLAN_MEMORY_MS);
		const upToLastStrict = [...sentAt.strict, ...sentAt.loose].filter((t) => t <= lastStrict).sort((a, b) => a - b);
		expect(Math.min(...gaps(upToLastStrict))).toBeGreaterThanOrEqual(spacing(10) - 1);
	});
});

describe('node lanes', () => {
	test('are found by their node key: the same key is the same lane, another key another', () => {
		const pacer = new RequestPacer(new FakeClock());
		const lane = pacer.laneFor('execution-1|Send', 30);
		expect(pacer.laneFor('execution-1|Send', 30)).toBe(lane);
		expect(pacer.laneFor('execution-2|Send', 30)).not.toBe(lane);
		expect(pacer.laneFor('execution-1|Send', 20)).not.toBe(lane);
	});

	test('a lane is forgotten only once it paces like a new one: nothing waits and its spacing has passed', async () => {
		const clock = new FakeClock();
		const pacer = new RequestPacer(clock);
		const lane = pacer.laneFor('execution-1|Send', 30);
		await turnTimes(pacer, clock, [{ name: 'send', lane }]);
		clock.time += 1000;
		pacer.laneFor('execution-2|Send', 30);
		expect(pacer.laneFor('execution-1|Send', 30)).toBe(lane);
		clock.time += 1100;
		pacer.laneFor('execution-3|Send', 30);
		expect(pacer.laneFor('execution-1|Send', 30)).not.toBe(lane);
	});
});

describe('the system clock', () => {
	test('a sleep ends at once when its signal aborts', async () => {
		const abort = new AbortController();
		const sleeping = systemClock.sleep(60 * 60_000, abort.signal);
		abort.abort();
		await expect(sleeping).resolves.toBeUndefined();
	});

	test('a delay past the timer limit does not overflow into an immediate wake-up', async () => {
		const abort = new AbortController();
		let woke = false;
		void systemClock.sleep(2 ** 40, abort.signal).then(() => (woke = true));
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(woke).toBe(false);
		abort.abort();
	});
});

describe('retries', () => {
	test('backoff doubles per retry with jitter between half and all of the ceiling, capped at 30 s', () => {
		expect(backoffMs(0, () => 0)).toBe(250);
		expect(backoffMs(0, () => 1)).toBe(500);
		expect(backoffMs(2, () => 0)).toBe(1000);
		expect(backoffMs(2, () => 1)).toBe(2000);
		expect(backoffMs(20, () => 1)).toBe(30_000);
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
		['freeTrial', undefined, undefined, 10, 10],
		['starter', undefined, undefined, 60, 60],
		['pro', undefined, undefined, 100, 100],
		['business', undefined, undefined, 500, 60],
		['enterprise', undefined, undefined, 1000, 1000],
		['custom', 600, 120, 600, 120],
		// A Custom credential saved before the message field, or with it at 0: as many messages as requests.
		['custom', 250, undefined, 250, 250],
		['custom', 250, 0, 250, 250],
		['custom', undefined, undefined, 60, 60],
		['unlimited', undefined, undefined, undefined, undefined],
		['a plan this version does not know', undefined, undefined, 60, 60],
	])('%s (custom %p requests, %p messages) allows %p requests and %p messages per minute', (name, customRequests, customMessages, requestsPerMinute, messagesPerMinute) => {
		expect(limitsForPlan(name, customRequests, customMessages)).toEqual({ requestsPerMinute, messagesPerMinute });
	});

	test("each named plan shows both of its numbers in the credential's Rate Limit Plan list", () => {
		const RATE_LIMIT_PLAN_OPTIONS = new HypersenderApi().properties.find((property) => property.name === 'rateLimitPlan')?.options as Array<{ name: string; value: string }>;
		for (const [value, { requestsPerMinute, messagesPerMinute }] of Object.entries(PLAN_LIMITS)) {
			const option = RATE_LIMIT_PLAN_OPTIONS.find((candidate) => candidate.value === value);
			expect(option?.name).toContain(`(${requestsPerMinute} Requests, ${messagesPerMinute} Messages per Minute)`);
		}
		expect(RATE_LIMIT_PLAN_OPTIONS.find((option) => option.value === 'business')?.name).toBe('Business (500 Requests, 60 Messages per Minute)');
	});
});

describe('the API base URL, built in one place', () => {
	test('is the Base URL, trimmed, without trailing slashes, plus the API path and the encoded instance', () => {
		expect(apiBaseUrlOf({ baseUrl: ' https://app.hypersender.com// ', instanceId: ' 9d1f6f5e ', apiToken: '234|abcdefghijklmnop' })).toBe(
			'https://app.hypersender.com/api/whatsapp/v2/9d1f6f5e',
		);
		expect(apiBaseUrlOf({ baseUrl: 'http://proxy.local:8080/hs/', instanceId: 'a/b', apiToken: '234|abcdefghijklmnop' })).toBe(
			'http://proxy.local:8080/hs/api/whatsapp/v2/a%2Fb',
		);
	});
});
