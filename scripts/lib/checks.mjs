// The counted checks of `npm run test:e2e` and `npm run test:queue`.

/**
 * `check(condition, message, detail)` logs `ok` or `FAIL` with `message` (a failed check also
 * prints `detail`) and counts the outcome in `counts` and in each of `alsoInto` (the run's totals).
 */
export function checkCounter(log, ...alsoInto) {
	const counts = { passed: 0, failed: 0 };
	const check = (condition, message, detail) => {
		const outcome = condition ? 'passed' : 'failed';
		for (const tally of [counts, ...alsoInto]) tally[outcome]++;
		if (condition) return log(`ok    ${message}`);
		log(`FAIL  ${message}${detail === undefined ? '' : `\n      ${typeof detail === 'string' ? detail : JSON.stringify(detail)?.slice(0, 2000)}`}`);
	};
	return { counts, check };
}

/** The closing line a run prints on stdout: `<name>: N passed, M failed`. */
export const summaryLine = (name, { passed, failed }) => `${name}: ${passed} passed, ${failed} failed\n`;
