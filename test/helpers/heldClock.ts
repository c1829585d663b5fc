/**
 * The virtual clock of helpers/virtualPacingClock.ts, with time that a test can hold still: a
 * test file puts it in place of the pacer's `systemClock` (as virtualPacingClock.ts shows), and
 * sleeps end at once, moving the virtual time, except between `hold()` and `letGo()`. Then a
 * sleep or deadline ends only when `advance` passes its end, or its signal aborts; so a test can
 * make the node wait (a paced queue, a short deadline) while it looks at what the fake server
 * got, without waiting in real time. Deadlines longer than HELD_UP_TO_MS (the 5-minute deadline
 * of every request that sets no Timeout) are never held: they end only when aborted, as in
 * virtualPacingClock, or letting time go would end every request still on its way.
 */
import type { NodeClock } from '../../nodes/Hypersender/transport/clock';
import { sleepAmong, virtualPacingClock } from './virtualPacingClock';
import type { Sleeper } from './virtualPacingClock';

const HELD_UP_TO_MS = 10_000;

const heldSleeps = new Set<Sleeper>();
let held = false;

function endSleepsDueBy(now: number): void {
	for (const sleep of [...heldSleeps]) if (sleep.until <= now) sleep.end();
}

/** A sleep or deadline that ends when `advance` passes `ms` from now, or when `signal` aborts. */
async function heldFor(ms: number, signal: AbortSignal | undefined): Promise<void> {
	await sleepAmong(heldSleeps, virtualPacingClock.now() + Math.max(0, ms), signal);
}

export const heldClock: NodeClock & { hold(): void; advance(ms: number): void; letGo(): void; sleepsHeld(): number } = {
	now: () => virtualPacingClock.now(),
	sleep: async (ms, signal) => await (held && ms <= HELD_UP_TO_MS ? heldFor(ms, signal) : virtualPacingClock.sleep(ms, signal)),
	deadline: async (ms, signal) => await (held && ms <= HELD_UP_TO_MS ? heldFor(ms, signal) : virtualPacingClock.deadline(ms, signal)),
	/** From now on sleeps and deadlines wait for `advance` (or their abort). */
	hold: () => {
		held = true;
	},
	/** Moves the virtual time on; held sleeps whose end it passes end. */
	advance: (ms) => {
		virtualPacingClock.advance(ms);
		endSleepsDueBy(virtualPacingClock.now());
	},
	/** Sleeps end at once again; those still held end now, the time moved to the last one's end. */
	letGo: () => {
		held = false;
		const lastEnd = Math.max(virtualPacingClock.now(), ...[...heldSleeps].map((sleep) => sleep.until));
		virtualPacingClock.advance(lastEnd - virtualPacingClock.now());
		endSleepsDueBy(lastEnd);
	},
	/** How many sleeps and deadlines wait for `advance` now. */
	sleepsHeld: () => heldSleeps.size,
};
