/**
 * Remembers which deliveries already started an execution, so a delivery that Hypersender sends
 * again (a retry after a lost answer, or the same event twice) starts nothing the second time.
 *
 * Kept in memory of this n8n process, bounded in time and in size: deliveries are remembered for
 * `windowMs` after the first one, and never more than `maxEntries` at once (the oldest go first).
 * In queue mode with several webhook processes, a repeat that reaches another process than the
 * first delivery is not recognized.
 */
export interface DeduplicatorClock {
	now(): number;
}

export const DEDUPLICATION_WINDOW_MS = 10 * 60 * 1000;
export const DEDUPLICATION_MAX_ENTRIES = 10_000;

export class DeliveryDeduplicator {
	// Insertion order is arrival order and every entry lives equally long, so the first entry is
	// always the one to expire or evict next.
	private readonly expiresAt = new Map<string, number>();

	constructor(
		private readonly clock: DeduplicatorClock = { now: () => Date.now() },
		private readonly windowMs = DEDUPLICATION_WINDOW_MS,
		private readonly maxEntries = DEDUPLICATION_MAX_ENTRIES,
	) {}

	/** True the first time a key is seen within the window (and remembers it); false for a repeat. */
	firstSighting(key: string): boolean {
		const now = this.clock.now();
		for (const [oldest, expiry] of this.expiresAt) {
			if (expiry > now) break;
			this.expiresAt.delete(oldest);
		}
		if (this.expiresAt.has(key)) return false;
		if (this.expiresAt.size >= this.maxEntries) {
			const oldest = this.expiresAt.keys().next().value;
			if (oldest !== undefined) this.expiresAt.delete(oldest);
		}
		this.expiresAt.set(key, now + this.windowMs);
		return true;
	}

	get size(): number {
		return this.expiresAt.size;
	}
}
