// Waiting in the scripts: every wait is bounded and names what it waits for when it times out.

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it gives a truthy value (returned), at most `timeoutMs`; then throws naming `what`. */
export async function waitFor(what, condition, { timeoutMs = 60_000, everyMs = 200 } = {}) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await condition();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
		await sleep(everyMs);
	}
}
