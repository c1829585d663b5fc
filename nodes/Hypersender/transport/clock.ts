/**
 * The node's one clock: the pacer, retries and their back-off, whole-answer deadlines, polling of
 * queued requests, Sync Attempts' delay and the stop-on-error batch watch all read the time and
 * sleep through `systemClock` here. Tests put a virtual clock in its place, once, by mocking this
 * module (see test/helpers/virtualPacingClock.ts).
 */
import { sleep } from 'n8n-workflow';

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

