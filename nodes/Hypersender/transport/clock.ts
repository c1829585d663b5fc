/**
 * The node's one clock: the pacer, retries and their back-off, whole-answer deadlines, polling of
 * queued requests, Sync Attempts' delay and the stop-on-error batch watch all read the time and
 * wait through `systemClock` here. Tests put a virtual clock in its place, once, by mocking this
 * module (see test/helpers/virtualPacingClock.ts).
 */
import { sleep } from 'n8n-workflow';

/** What the pacer needs of a clock (its unit tests give their own). */
export interface PacerClock {
	now(): number;
	/** Resolves after `ms`, or at once when `signal` aborts: a wait the node chose (pacing, back-off, a poll's gap). */
	sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface NodeClock extends PacerClock {
	/**
	 * Resolves after `ms`, or at once when `signal` aborts, as `sleep` does; but it is a limit
	 * raced against something else (an answer on its way), not a wait. Apart from `sleep` so that
	 * a virtual clock can skip the waits and keep the limits.
	 */
	deadline(ms: number, signal: AbortSignal): Promise<void>;
}

// Timers fire at once for delays over 2^31-1 ms; every wait here is far shorter anyway.
const LONGEST_TIMER_MS = 2 ** 31 - 1;

async function sleepUnlessAborted(ms: number, signal?: AbortSignal): Promise<void> {
	return await new Promise<void>((resolve) => {
		if (signal?.aborted) return resolve();
		const done = () => {
			signal?.removeEventListener('abort', done);
			resolve();
		};
		signal?.addEventListener('abort', done, { once: true });
		// n8n-workflow's sleep takes the signal from 2.x on (and then clears its timer); in 1.x it
		// takes none, so the abort is also listened to here: the wait ends at once on both lines.
		void sleep(Math.min(Math.max(0, ms), LONGEST_TIMER_MS), signal).then(done, done);
	});
}

export const systemClock: NodeClock = {
	now: () => Date.now(),
	sleep: sleepUnlessAborted,
	deadline: sleepUnlessAborted,
};
