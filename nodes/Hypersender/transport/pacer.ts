import { NodeOperationError } from 'n8n-workflow';
import type { INode } from 'n8n-workflow';

import { systemClock } from './clock';
import type { PacerClock } from './clock';

import type { PlanLimits } from './rateLimitPlans';

/**
 * Spaces the requests that share one Hypersender account so a bulk run stays inside the plan's
 * requests per minute, spaces the messages among them to the plan's messages per minute, and
 * bounds how many requests are in flight at once.
 *
 * Waiting requests form one FIFO queue; the next one is let through when the spacing since the
 * last request that was really sent has passed (and, for a message, since the last message).
 * Nothing is reserved ahead of time, so a request that is cancelled while it waits leaves the
 * queue and costs the requests behind it nothing.
 */

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

// Two credentials of one account may name different plans (one of them is out of date). While
// both are in use the stricter one holds: a plan stays in force while its requests wait and for
// this long after its last one, longer than the server's one-minute window in which those
// requests still count. Without it the account's pace would flip with every node run.
export const PLAN_MEMORY_MS = 2 * 60_000;

/** Spacing between requests (or messages) per minute, 2% under the limit; 0 when not limited. */
function intervalForLimit(perMinute: number | undefined): number {
	return perMinute === undefined ? 0 : 60_000 / (perMinute * PACE_SHARE_OF_LIMIT);
}

/**
 * A slower lane inside an account's queue, for one node whose Requests per Minute is stricter
 * than the plan: its requests keep their own spacing on top of the account's, while the
 * account's other requests pass them by.
 */
export class PacingLane {
	lastSentAt = -Infinity;

	/** Requests of this lane in the queue. */
	waiting = 0;

	readonly intervalMs: number;

	constructor(requestsPerMinute: number) {
		this.intervalMs = intervalForLimit(requestsPerMinute);
	}

	dueAt(): number {
		return this.lastSentAt + this.intervalMs;
	}

	/** A lane with nothing waiting whose spacing has passed paces exactly like a new one. */
	isSpentAt(now: number): boolean {
		return this.waiting === 0 && this.dueAt() <= now;
	}
}

/** What a request asks of the pacer besides a turn. */
export interface Turn {
	/** Its node's own stricter lane (Requests per Minute), if any. */
	lane?: PacingLane;
	/** A message to a person: spaced to the messages per minute as well as the requests per minute. */
	countsAsMessage?: boolean;
	/** The plan of the credential it is made with; the strictest plan in use on the account holds. */
	plan?: PlanLimits;
}

interface PlanInUse {
	limits: PlanLimits;
	waiting: number;
	lastUsedAt: number;
}

interface Waiter extends Turn {
	letThrough: (release: () => void) => void;
	planInUse?: PlanInUse;
	signal?: AbortSignal;
	leaveOnAbort: () => void;
	rejectCancelled: () => void;
}

export class RequestPacer {
	private lastSentAt = -Infinity;

	private lastMessageSentAt = -Infinity;

	/** The plans named by the credentials that use this account, by their limits. */
	private readonly plans = new Map<string, PlanInUse>();

	/** Node lanes by node (execution and node name) and rate; see laneFor. */
	private readonly lanes = new Map<string, PacingLane>();

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

	/** `clock` is the node's (transport/clock.ts); unit tests of the pacer give their own. */
	constructor(
		private readonly clock: PacerClock = systemClock,
		private readonly maxInFlight = DEFAULT_MAX_IN_FLIGHT,
	) {
		this.lastUsedAt = clock.now();
	}

	/**
	 * The strictest limits of the plans in use: waited for, or used within PLAN_MEMORY_MS. A plan
	 * without pacing (No Pacing) sets no limit, so any paced plan beside it holds.
	 */
	private limitsAt(now: number): PlanLimits {
		let requestsPerMinute: number | undefined;
		let messagesPerMinute: number | undefined;
		for (const plan of this.plans.values()) {
			if (plan.waiting === 0 && now - plan.lastUsedAt > PLAN_MEMORY_MS) continue;
			requestsPerMinute = stricter(requestsPerMinute, plan.limits.requestsPerMinute);
			messagesPerMinute = stricter(messagesPerMinute, plan.limits.messagesPerMinute);
		}
		return { requestsPerMinute, messagesPerMinute };
	}

	/** The entry of a plan a request is made with; plans out of use are forgotten on the way. */
	private planInUse(limits: PlanLimits, now: number): PlanInUse {
		const key = `${limits.requestsPerMinute}/${limits.messagesPerMinute}`;
		for (const [other, plan] of this.plans) {
			if (other !== key && plan.waiting === 0 && now - plan.lastUsedAt > PLAN_MEMORY_MS) this.plans.delete(other);
		}
		let plan = this.plans.get(key);
		if (!plan) this.plans.set(key, (plan = { limits, waiting: 0, lastUsedAt: now }));
		return plan;
	}

	/**
	 * The lane of one node (`nodeKey`: execution and node name) at its Requests per Minute. It is
	 * found by that key, not by an object n8n hands the node, so every item of the node shares it
	 * whatever n8n passes around. Lanes that pace like new ones are forgotten on the way.
	 */
	laneFor(nodeKey: string, requestsPerMinute: number): PacingLane {
		const key = `${requestsPerMinute}|${nodeKey}`;
		let lane = this.lanes.get(key);
		if (!lane) {
			const now = this.clock.now();
			for (const [other, spent] of this.lanes) if (spent.isSpentAt(now)) this.lanes.delete(other);
			this.lanes.set(key, (lane = new PacingLane(requestsPerMinute)));
		}
		return lane;
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

	/** The spacing between two requests: the stricter of the plans in use and what the server announced. */
	get intervalMs(): number {
		return intervalForLimit(stricter(this.limitsAt(this.clock.now()).requestsPerMinute, this.announcedRequestsPerMinute));
	}

	/** The spacing between two messages, from the plans in use (the server announces none). */
	get messageIntervalMs(): number {
		return intervalForLimit(this.limitsAt(this.clock.now()).messagesPerMinute);
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
	 * Waits for this request's turn (in-flight slot, spacing, pauses, its lane's spacing, and for
	 * a message the message spacing); call the returned function when its answer is in. Rejects
	 * with `onCancel()` when `signal` aborts first.
	 */
	async acquire(signal: AbortSignal | undefined, onCancel: () => Error, turn: Turn = {}): Promise<() => void> {
		if (signal?.aborted) throw onCancel();
		const now = this.clock.now();
		this.lastUsedAt = now;
		return await new Promise<() => void>((resolve, reject) => {
			const waiter: Waiter = {
				...turn,
				letThrough: resolve,
				planInUse: turn.plan && this.planInUse(turn.plan, now),
				signal,
				rejectCancelled: () => reject(onCancel()),
				leaveOnAbort: () => {
					const at = this.queue.indexOf(waiter);
					if (at !== -1) {
						this.queue.splice(at, 1);
						this.leftQueue(waiter, this.clock.now());
					}
					waiter.rejectCancelled();
				},
			};
			if (waiter.planInUse) waiter.planInUse.waiting++;
			if (waiter.lane) waiter.lane.waiting++;
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

	/** A waiter is let through or cancelled: its plan and lane no longer wait for it. */
	private leftQueue(waiter: Waiter, now: number): void {
		if (waiter.planInUse) {
			waiter.planInUse.waiting--;
			waiter.planInUse.lastUsedAt = now;
		}
		if (waiter.lane) waiter.lane.waiting--;
	}

	/** When this waiter's own spacing allows it through: its lane's, and for a message the message spacing. */
	private ownDueAt(waiter: Waiter, messageDueAt: number): number {
		return Math.max(waiter.lane ? waiter.lane.dueAt() : -Infinity, waiter.countsAsMessage ? messageDueAt : -Infinity);
	}

	private release(planInUse: PlanInUse | undefined): void {
		this.inFlight--;
		this.lastUsedAt = this.clock.now();
		if (planInUse) planInUse.lastUsedAt = this.lastUsedAt;
		void this.pump();
	}

	/**
	 * Lets waiting requests through one at a time, in order, except that a request whose own
	 * spacing (its lane's, or the message spacing) has not passed yet lets the ones behind it
	 * pass: checks of queued requests and reads are not held behind messages. Only one pump runs
	 * at once; it ends when the queue is empty or the in-flight limit is reached (a release starts
	 * it again). Every turn of its loop lets one request through or sleeps until the next one is due.
	 */
	private async pump(): Promise<void> {
		if (this.pumping) return;
		this.pumping = true;
		try {
			while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
				const now = this.clock.now();
				const accountDueAt = Math.max(this.lastSentAt + this.spacingAt(now), this.pausedUntil);
				const messageDueAt = this.lastMessageSentAt + this.messageIntervalMs;
				let next = -1;
				let soonestOwnDueAt = Infinity;
				for (let at = 0; at < this.queue.length && next === -1; at++) {
					const ownDueAt = this.ownDueAt(this.queue[at], messageDueAt);
					if (ownDueAt <= now) next = at;
					else soonestOwnDueAt = Math.min(soonestOwnDueAt, ownDueAt);
				}
				const dueAt = next === -1 ? Math.max(accountDueAt, soonestOwnDueAt) : accountDueAt;
				if (dueAt > now) {
					this.wakePump = new AbortController();
					await this.clock.sleep(dueAt - now, this.wakePump.signal);
					this.wakePump = undefined;
					continue;
				}
				const [waiter] = this.queue.splice(next, 1);
				waiter.signal?.removeEventListener('abort', waiter.leaveOnAbort);
				this.leftQueue(waiter, now);
				this.inFlight++;
				this.lastSentAt = now;
				if (waiter.lane) waiter.lane.lastSentAt = now;
				if (waiter.countsAsMessage) this.lastMessageSentAt = now;
				let released = false;
				waiter.letThrough(() => {
					if (released) return;
					released = true;
					this.release(waiter.planInUse);
				});
			}
		} finally {
			this.pumping = false;
		}
	}
}

/** The lower of two limits, where `undefined` is no limit. */
function stricter(a: number | undefined, b: number | undefined): number | undefined {
	if (a === undefined) return b;
	return b === undefined ? a : Math.min(a, b);
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
 * every node and execution in this process whatever their plan or Requests per Minute (each
 * request names its plan, see Turn). Forgets pacers that have nothing left to remember, so the
 * map stays as small as the set of accounts in use.
 */
export function pacerForAccount(accountKey: string): RequestPacer {
	for (const [key, pacer] of pacersByAccount) {
		if (key !== accountKey && pacer.canBeForgotten(IDLE_PACER_LIFETIME_MS)) pacersByAccount.delete(key);
	}
	let pacer = pacersByAccount.get(accountKey);
	if (!pacer) {
		pacer = new RequestPacer();
		pacersByAccount.set(accountKey, pacer);
	}
	return pacer;
}
