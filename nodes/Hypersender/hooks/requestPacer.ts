import { sleep } from 'n8n-workflow';

/**
 * Spaces the requests that share one Hypersender account so a bulk run stays inside the
 * plan's requests per minute, and bounds how many are in flight at once.
 *
 * State lives in this process only: in n8n's queue mode every worker paces its own share,
 * which is why the README tells queue-mode users to give each worker's node its share of the plan.
 */

export interface PacerClock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

export const systemClock: PacerClock = {
	now: () => Date.now(),
	sleep,
};

export const DEFAULT_MAX_IN_FLIGHT = 32;

// Pacing exactly at the limit lets timer and network jitter push one request too many into a
// server's fixed window; 2% under it costs 2% of the time and avoids the 429 and its wait.
const PACE_SHARE_OF_LIMIT = 0.98;

// A pause that has no end in sight (a buggy Retry-After) must not hang an execution for ever.
const LONGEST_PAUSE_MS = 15 * 60_000;

export class RequestPacer {
	private nextSlotAt = 0;

	private pausedUntil = 0;

	private inFlight = 0;

	private readonly waitingForSlot: Array<() => void> = [];

	private announcedRequestsPerMinute: number | undefined;

	lastUsedAt: number;

	constructor(
		private readonly requestsPerMinute: number | undefined,
		private readonly maxInFlight = DEFAULT_MAX_IN_FLIGHT,
		private readonly clock: PacerClock = systemClock,
	) {
		this.lastUsedAt = clock.now();
	}

	/** The spacing between two requests: the stricter of the plan and what the server announced. */
	get intervalMs(): number {
		const limits = [this.requestsPerMinute, this.announcedRequestsPerMinute].filter(
			(limit): limit is number => limit !== undefined && limit > 0,
		);
		return limits.length ? 60_000 / (Math.min(...limits) * PACE_SHARE_OF_LIMIT) : 0;
	}

	get isIdle(): boolean {
		return this.inFlight === 0 && this.waitingForSlot.length === 0;
	}

	/** Waits for a free in-flight slot and for this request's turn; call the returned function when the response is in. */
	async acquire(): Promise<() => void> {
		await this.takeInFlightSlot();
		let released = false;
		const release = () => {
			if (released) return;
			released = true;
			this.releaseInFlightSlot();
		};
		await this.waitForTurn();
		return release;
	}

	/** Holds every request of this account back until `until` (from a 429's Retry-After). */
	pauseUntil(until: number): void {
		const capped = Math.min(until, this.clock.now() + LONGEST_PAUSE_MS);
		this.pausedUntil = Math.max(this.pausedUntil, capped);
	}

	/**
	 * Learns from an answer: the limit the server really applies (X-RateLimit-Limit, which wins
	 * when it is stricter than the plan the user named), and when to hold every request of the
	 * account back: until Retry-After has passed, or, once nothing is left in the window, until
	 * X-RateLimit-Reset.
	 */
	observeRateLimitHeaders(headers: Record<string, unknown>, retryAfterMs?: number): void {
		const limit = Number(headerValue(headers, 'x-ratelimit-limit'));
		if (Number.isFinite(limit) && limit > 0) this.announcedRequestsPerMinute = limit;

		if (retryAfterMs !== undefined) {
			this.pauseUntil(this.clock.now() + retryAfterMs);
			return;
		}
		const remaining = headerValue(headers, 'x-ratelimit-remaining');
		const reset = Number(headerValue(headers, 'x-ratelimit-reset'));
		if (remaining !== undefined && Number(remaining) <= 0 && Number.isFinite(reset) && reset > 0) {
			this.pauseUntil(reset * 1000);
		}
	}

	private async takeInFlightSlot(): Promise<void> {
		this.lastUsedAt = this.clock.now();
		if (this.inFlight < this.maxInFlight) {
			this.inFlight++;
			return;
		}
		// The slot is handed over by releaseInFlightSlot, which keeps the count unchanged.
		await new Promise<void>((resolve) => this.waitingForSlot.push(resolve));
	}

	private releaseInFlightSlot(): void {
		this.lastUsedAt = this.clock.now();
		const next = this.waitingForSlot.shift();
		if (next) next();
		else this.inFlight--;
	}

	private async waitForTurn(): Promise<void> {
		const now = this.clock.now();
		const slot = Math.max(now, this.nextSlotAt, this.pausedUntil);
		this.nextSlotAt = slot + this.intervalMs;
		if (slot > now) await this.clock.sleep(slot - now);
		// A 429 seen while this request waited pauses it too; pauses are capped, so this ends.
		while (this.pausedUntil > this.clock.now()) {
			await this.clock.sleep(this.pausedUntil - this.clock.now());
		}
	}
}

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	if (Array.isArray(value)) return value[0] === undefined ? undefined : String(value[0]);
	return value === undefined || value === null ? undefined : String(value);
}

const IDLE_PACER_LIFETIME_MS = 2 * 60_000;

const pacers = new Map<string, RequestPacer>();

/**
 * One pacer per account key and limit, shared by every item and execution in this process.
 * Pacers idle for two minutes are dropped; by then the API's one-minute window has passed.
 */
export function pacerFor(
	key: string,
	requestsPerMinute: number | undefined,
	clock: PacerClock = systemClock,
): RequestPacer {
	const now = clock.now();
	for (const [otherKey, pacer] of pacers) {
		if (pacer.isIdle && now - pacer.lastUsedAt > IDLE_PACER_LIFETIME_MS) pacers.delete(otherKey);
	}
	const fullKey = `${key}|${requestsPerMinute ?? 'unpaced'}`;
	let pacer = pacers.get(fullKey);
	if (!pacer) {
		pacer = new RequestPacer(requestsPerMinute, DEFAULT_MAX_IN_FLIGHT, clock);
		pacers.set(fullKey, pacer);
	}
	return pacer;
}
