/**
 * A virtual clock for running the node through WorkflowExecute with waits that take no real
 * time. A test file puts it in place of the node's `systemClock`:
 *
 *   jest.mock('../nodes/Hypersender/transport/clock', () => ({
 *     ...jest.requireActual('../nodes/Hypersender/transport/clock'),
 *     systemClock: jest.requireActual('./helpers/virtualPacingClock').virtualPacingClock,
 *   }));
 *
 * and reads `virtualPacingClock.now()` before and after a run: the difference is when the run's
 * last wait ended, in virtual milliseconds. A request takes no virtual time: the transport races
 * each one against a deadline (clock.deadline), and while any deadline runs, the time stands
 * still. Otherwise sleeps (the pacer, back-off, polls, Sync Attempts' delay) end at the next turn
 * of the event loop, the earliest first, and move the time to their end; sleeps at the same time
 * overlap, as on a real clock. So the virtual times are those of a server that answers at once,
 * whatever the machine's speed. Deadlines end only when aborted (helpers/heldClock.ts can make a
 * short one pass).
 */
import type { NodeClock } from '../../nodes/Hypersender/transport/clock';

export interface Sleeper {
	until: number;
	end: () => void;
}

/** Waits in `sleepers` until someone calls its `end` (at `until` on the virtual time) or `signal` aborts; it leaves the set as it ends. */
export async function sleepAmong(sleepers: Set<Sleeper>, until: number, signal: AbortSignal | undefined, added: () => void = () => undefined): Promise<void> {
	if (signal?.aborted) return;
	await new Promise<void>((resolve) => {
		const sleeper: Sleeper = {
			until,
			end: () => {
				sleepers.delete(sleeper);
				signal?.removeEventListener('abort', sleeper.end);
				resolve();
			},
		};
		sleepers.add(sleeper);
		signal?.addEventListener('abort', sleeper.end, { once: true });
		added();
	});
}

let virtualNow = 0;
const sleepers = new Set<Sleeper>();
let sleepsBegun: number[] = [];
let wakeScheduled = false;
/** Deadlines running now: requests on their way, during which the time stands still. */
let deadlinesRunning = 0;

/** Ends the earliest sleeps, moving the time to their end; later ones wait for a later turn, so a sleep begun meanwhile that ends sooner goes first. */
function endEarliestSleeps(): void {
	wakeScheduled = false;
	// The deadline's end schedules the next wake.
	if (sleepers.size === 0 || deadlinesRunning > 0) return;
	virtualNow = Math.max(virtualNow, Math.min(...[...sleepers].map((sleeper) => sleeper.until)));
	for (const sleeper of [...sleepers]) if (sleeper.until <= virtualNow) sleeper.end();
	scheduleWake();
}

function scheduleWake(): void {
	if (wakeScheduled || sleepers.size === 0) return;
	wakeScheduled = true;
	setImmediate(endEarliestSleeps);
}

/** Resolves when `signal` aborts, holding the time still until then; without a signal it would never end, which is a bug of the caller. */
async function untilAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
	if (!signal) throw new Error(`virtualPacingClock: a ${ms} ms deadline without a signal would never end`);
	if (signal.aborted) return;
	deadlinesRunning++;
	await new Promise<void>((resolve) =>
		signal.addEventListener(
			'abort',
			() => {
				deadlinesRunning--;
				scheduleWake();
				resolve();
			},
			{ once: true },
		),
	);
}

export const virtualPacingClock: NodeClock & { advance(ms: number): void; sleepsSinceReset(): number[]; reset(): void } = {
	now: () => virtualNow,
	sleep: async (ms, signal) => {
		if (signal?.aborted) return;
		sleepsBegun.push(ms);
		await sleepAmong(sleepers, virtualNow + Math.max(0, ms), signal, scheduleWake);
	},
	deadline: untilAborted,
	/** Time passing between runs, as it does between executions in n8n. */
	advance: (ms) => {
		virtualNow += ms;
	},
	/** The length of every sleep begun since `reset`, in the order they began. */
	sleepsSinceReset: () => [...sleepsBegun],
	/** Forgets the sleeps begun so far (the time stays where it is). */
	reset: () => {
		sleepsBegun = [];
	},
};
