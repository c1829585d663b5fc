/**
 * Polls of queued requests sleep on `pollingClock`; a test file that calls this gives them a clock
 * that does not wait (nor move the pacer's virtual time), and gives the real one back afterwards.
 */
import { pollingClock } from '../../nodes/Hypersender/actions/queuedRequest';
import type { PacerClock } from '../../nodes/Hypersender/transport/clock';

const noWaiting: PacerClock = { now: () => 0, sleep: async () => await new Promise((resolve) => setImmediate(resolve)) };

export function pollWithoutWaiting(): void {
	const realClock = pollingClock.current;
	beforeAll(() => {
		pollingClock.current = noWaiting;
	});
	afterAll(() => {
		pollingClock.current = realClock;
	});
}
