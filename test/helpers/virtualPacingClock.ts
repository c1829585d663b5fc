/**
 * A virtual clock for running the node through WorkflowExecute with pacing that takes no real
 * time. A test file puts it in place of the pacer's `systemClock`:
 *
 *   jest.mock('../nodes/Hypersender/transport/clock', () => ({
 *     ...jest.requireActual('../nodes/Hypersender/transport/clock'),
 *     systemClock: jest.requireActual('./helpers/virtualPacingClock').virtualPacingClock,
 *   }));
 *
 * and reads `virtualPacingClock.now()` before and after a run: the difference is when the run's
 * last request was let through, in virtual milliseconds. A sleep ends at once in real time and
 * moves the virtual time to its end. Only the pacer's queue should sleep on it: polling of queued
 * requests has a clock of its own (`pollingClock`), which such a test sets to another clock.
 */
import type { PacerClock } from '../../nodes/Hypersender/transport/clock';

// The whole-answer deadline of a request sleeps on the same clock: it must not end while the
// answer is on its way over loopback, so sleeps this long end only when aborted. Deadlines are
// 5 min by default and up to Max Wait (60 s by default) for checks of queued requests; no pacing
// sleep in these tests is longer than a few seconds.
const ENDS_ONLY_WHEN_ABORTED_FROM_MS = 30_000;

let virtualNow = 0;

export const virtualPacingClock: PacerClock & { advance(ms: number): void } = {
	now: () => virtualNow,
	sleep: async (ms, signal) => {
		if (signal?.aborted) return;
		if (ms >= ENDS_ONLY_WHEN_ABORTED_FROM_MS) {
			if (!signal) throw new Error(`virtualPacingClock: a ${ms} ms sleep without a signal would never end`);
			await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
			return;
		}
		// Sleepers are not merged: two at once would add up. The pacer's queue sleeps one at a time.
		virtualNow += Math.max(0, ms);
		await new Promise((resolve) => setImmediate(resolve));
	},
	/** Time passing between runs, as it does between executions in n8n. */
	advance: (ms) => {
		virtualNow += ms;
	},
};
