import { NodeOperationError, sleep } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';

/**
 * Spaces the requests that share one Hypersender account so a bulk run stays inside the plan's
 * requests per minute, and bounds how many are in flight at once.
 *
 * Waiting requests form one FIFO queue; the next one is let through when the spacing since the
 * last request that was really sent has passed. Nothing is reserved ahead of time, so a request
 * that is cancelled while it waits leaves the queue and costs the requests behind it nothing.
 */

export interface PacerClock {
	now(): number;
	/** Resolves after `ms`, or at once when `signal` aborts. */
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

// Timers fire at once for delays over 2^31-1 ms; every wait here is far shorter anyway.
const LONGEST_TIMER_MS = 2 ** 31 - 1;

export const systemClock: PacerClock = {
	now: () => Date.now(),
	// n8n-workflow's sleep takes the signal from 2.x on (and then clears its timer); in 1.x it
	// takes none, so the abort is also listened to here: the wait ends at once on both lines.
	sleep: async (ms, signal) =>
		await new Promise<void>((resolve) => {
			if (signal?.aborted) return resolve();
			const done = () => {
				signal?.removeEventListener('abort', done);
				resolve();
			};
			signal?.addEventListener('abort', done, { once: true });
			void sleep(Math.min(Math.max(0, ms), LONGEST_TIMER_MS), signal).then(done, done);
		}),
};

/**
 * The reason given when a wait is ended on purpose. Aborting without one makes a DOMException
 * (and n8n-workflow's sleep an Error) with a stack trace each time: on every request of a bulk run.
 */
export const WAIT_NOT_NEEDED = new Error('wait not needed');

export const DEFAULT_MAX_IN_FLIGHT = 32;

// Pacing exactly at the limit lets timer and network jitter push one request too many into a
// server's fixed window; 2% under it costs 2% of the time and avoids the 429 and its wait.
const PACE_SHARE_OF_LIMIT = 0.98;

/** No server hint may hold an account back longer than this; a longer Retry-After fails the item instead. */
export const LONGEST_PAUSE_MS = 5 * 60_000;

// Announced limits outside this range are nonsense (X-RateLimit-Limit: 0.001 would mean one
// request every 17 hours) and are ignored; the plan's limit stays in force.
const LOWEST_ANNOUNCED_LIMIT = 1;
const HIGHEST_ANNOUNCED_LIMIT = 100_000;

// X-RateLimit-Reset is either seconds from now or a Unix time; Unix times are past this.
const UNIX_TIME_THRESHOLD_S = 1_000_000_000;

export class ExecutionCancelledBeforeSendError extends NodeOperationError {
	constructor(node: INode, itemIndex: number) {
		super(node, `The execution was cancelled before item ${itemIndex}'s request was sent`, {
			itemIndex,
			description: 'Nothing was sent to Hypersender for this item.',
		});
	}
}

/** Spacing between requests per minute, 2% under the limit. */
function intervalForLimit(requestsPerMinute: number): number {
	return 60_000 / (requestsPerMinute * PACE_SHARE_OF_LIMIT);
}

/**
 * A slower lane inside an account's queue, for one node run whose Requests per Minute is
 * stricter than the plan: its requests keep their own spacing on top of the account's, while
 * the account's other requests pass them by.
 */
export class PacingLane {
	lastSentAt = -Infinity;

	readonly intervalMs: number;

	constructor(requestsPerMinute: number) {
		this.intervalMs = intervalForLimit(requestsPerMinute);
	}

	dueAt(): number {
		return this.lastSentAt + this.intervalMs;
	}
}

interface Waiter {
	letThrough: (release: () => void) => void;
	lane?: PacingLane;
	signal?: AbortSignal;
	leaveOnAbort: () => void;
	rejectCancelled: () => void;
}

export class RequestPacer {
	private lastSentAt = -Infinity;

	private pausedUntil = 0;

	private inFlight = 0;

	private announcedRequestsPerMinute: number | undefined;

	/**
	 * What the server said is left of its current window, when it says when the window ends
	 * (X-RateLimit-Remaining with X-RateLimit-Reset). Other processes on the same account (n8n
	 * workers) use the same window, so this is how they learn of each other.
	 */
	private windowBudget: { remaining: number; endsAt: number } | undefined;

	private readonly queue: Waiter[] = [];

	private pumping = false;

	/** Wakes a sleeping pump when a request arrives that may be due sooner (another lane). */
	private wakePump: AbortController | undefined;

	lastUsedAt: number;

	constructor(
		private requestsPerMinute: number | undefined,
		private readonly clock: PacerClock,
		private readonly maxInFlight = DEFAULT_MAX_IN_FLIGHT,
	) {
		this.lastUsedAt = clock.now();
	}

	/** The plan's limit can change between runs (the user edits the credential). */
	setRequestsPerMinute(requestsPerMinute: number | undefined): void {
		this.requestsPerMinute = requestsPerMinute;
	}

	/**
	 * The spacing before the next request: the plan's (or the announced limit's), widened so that
	 * what is left of the server's window lasts until the window ends. When several processes
	 * share the account, each sees the window drain faster than it sends, and so each slows to
	 * its share: together they converge on the limit without talking to each other.
	 */
	spacingAt(now: number): number {
		const budget = this.windowBudget;
		if (!budget || budget.endsAt <= now) return this.intervalMs;
		// Requests in flight are not in the server's count yet. The last request of a window is
		// left for the others: every process sees the same count, and two of them taking "the
		// last one" at once is a 429.
		const left = budget.remaining - this.inFlight - 1;
		if (left <= 0) return Math.max(this.intervalMs, budget.endsAt - now);
		return Math.max(this.intervalMs, (budget.endsAt - now) / left);
	}

	/** The spacing between two requests: the stricter of the plan and what the server announced. */
	get intervalMs(): number {
		const limits = [this.requestsPerMinute, this.announcedRequestsPerMinute].filter(
			(limit): limit is number => limit !== undefined && limit > 0,
		);
		return limits.length ? intervalForLimit(Math.min(...limits)) : 0;
	}

	/** Whether dropping this pacer loses nothing: no request waits or runs, no pause or window is still open. */
	canBeForgotten(idleForMs: number): boolean {
		const now = this.clock.now();
		return (
			this.inFlight === 0 &&
			this.queue.length === 0 &&
			this.pausedUntil <= now &&
			now - this.lastUsedAt > idleForMs
		);
	}

	/**
	 * Waits for this request's turn (in-flight slot, spacing, pauses, and its lane's spacing);
	 * call the returned function when its answer is in. Rejects with `onCancel()` when `signal`
	 * aborts first.
	 */
	async acquire(signal: AbortSignal | undefined, onCancel: () => Error, lane?: PacingLane): Promise<() => void> {
		if (signal?.aborted) throw onCancel();
		this.lastUsedAt = this.clock.now();
		return await new Promise<() => void>((resolve, reject) => {
			const waiter: Waiter = {
				letThrough: resolve,
				lane,
				signal,
				rejectCancelled: () => reject(onCancel()),
				leaveOnAbort: () => {
					const at = this.queue.indexOf(waiter);
					if (at !== -1) this.queue.splice(at, 1);
					waiter.rejectCancelled();
				},
			};
			signal?.addEventListener('abort', waiter.leaveOnAbort, { once: true });
			this.queue.push(waiter);
			this.wakePump?.abort(WAIT_NOT_NEEDED);
			void this.pump();
		});
	}

	/** Holds every request of this account back until `until`, at most LONGEST_PAUSE_MS from now. */
	pauseUntil(until: number): void {
		const capped = Math.min(until, this.clock.now() + LONGEST_PAUSE_MS);
		this.pausedUntil = Math.max(this.pausedUntil, capped);
	}

	/**
	 * Learns from an answer: the limit the server really applies (X-RateLimit-Limit, which wins
	 * when it is stricter than the plan the user named); what is left of the server's window
	 * (X-RateLimit-Remaining and X-RateLimit-Reset, see spacingAt); and when to hold every request
	 * of the account back: until Retry-After has passed, or, once nothing is left in the window,
	 * until X-RateLimit-Reset.
	 */
	learnFromAnswer(headers: Record<string, unknown>, retryAfterMs: number | undefined): void {
		const limit = Number(headerValue(headers, 'x-ratelimit-limit'));
		if (Number.isInteger(limit) && limit >= LOWEST_ANNOUNCED_LIMIT && limit <= HIGHEST_ANNOUNCED_LIMIT) {
			this.announcedRequestsPerMinute = limit;
		}
		const now = this.clock.now();
		if (retryAfterMs !== undefined) {
			this.pauseUntil(now + retryAfterMs);
			return;
		}
		const remaining = Number(headerValue(headers, 'x-ratelimit-remaining') ?? NaN);
		const reset = Number(headerValue(headers, 'x-ratelimit-reset'));
		if (!Number.isFinite(remaining) || !Number.isFinite(reset) || reset <= 0) return;
		const endsAt = Math.min(reset > UNIX_TIME_THRESHOLD_S ? reset * 1000 : now + reset * 1000, now + LONGEST_PAUSE_MS);
		if (remaining <= 0) {
			this.pauseUntil(endsAt);
			return;
		}
		// Answers of one window arrive out of order; the lowest count is the latest news of it.
		const known = this.windowBudget;
		const sameWindow = known !== undefined && Math.abs(known.endsAt - endsAt) < 1000;
		this.windowBudget = { remaining: sameWindow ? Math.min(known.remaining, remaining) : remaining, endsAt };
	}

	private release(): void {
		this.inFlight--;
		this.lastUsedAt = this.clock.now();
		void this.pump();
	}

	/**
	 * Lets waiting requests through one at a time, in order, except that a request whose lane is
	 * not due yet lets the ones behind it pass. Only one pump runs at once; it ends when the
	 * queue is empty or the in-flight limit is reached (a release starts it again). Every turn of
	 * its loop lets one request through or sleeps until the next one is due.
	 */
	private async pump(): Promise<void> {
		if (this.pumping) return;
		this.pumping = true;
		try {
			while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
				const now = this.clock.now();
				const accountDueAt = Math.max(this.lastSentAt + this.spacingAt(now), this.pausedUntil);
				const next = this.queue.findIndex((waiter) => !waiter.lane || waiter.lane.dueAt() <= now);
				const dueAt = next === -1 ? Math.max(accountDueAt, Math.min(...this.queue.map((waiter) => (waiter.lane as PacingLane).dueAt()))) : accountDueAt;
				if (dueAt > now) {
					this.wakePump = new AbortController();
					await this.clock.sleep(dueAt - now, this.wakePump.signal);
					this.wakePump = undefined;
					continue;
				}
				const [waiter] = this.queue.splice(next, 1);
				waiter.signal?.removeEventListener('abort', waiter.leaveOnAbort);
				this.inFlight++;
				this.lastSentAt = now;
				if (waiter.lane) waiter.lane.lastSentAt = now;
				let released = false;
				waiter.letThrough(() => {
					if (released) return;
					released = true;
					this.release();
				});
			}
		} finally {
			this.pumping = false;
		}
	}
}

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
	const value = headers[name];
	if (Array.isArray(value)) return value[0] === undefined ? undefined : String(value[0]);
	return value === undefined || value === null ? undefined : String(value);
}

// Longer than the API's one-minute window and than any pause, so forgetting a pacer never
// lets a new run start a fresh queue inside a window the old one was still using.
const IDLE_PACER_LIFETIME_MS = 2 * 60_000;

const pacersByAccount = new Map<string, RequestPacer>();

/**
 * The one pacer of an account (base URL + instance + token, hashed by the caller), shared by
 * every node and execution in this process whatever their own Requests per Minute. Forgets
 * pacers that have nothing left to remember, so the map stays as small as the set of accounts
 * in use.
 */
export function pacerForAccount(
	accountKey: string,
	requestsPerMinute: number | undefined,
	clock: PacerClock = systemClock,
): RequestPacer {
	for (const [key, pacer] of pacersByAccount) {
		if (key !== accountKey && pacer.canBeForgotten(IDLE_PACER_LIFETIME_MS)) pacersByAccount.delete(key);
	}
	let pacer = pacersByAccount.get(accountKey);
	if (!pacer) {
		pacer = new RequestPacer(requestsPerMinute, clock);
		pacersByAccount.set(accountKey, pacer);
	} else {
		pacer.setRequestsPerMinute(requestsPerMinute);
	}
	return pacer;
}
