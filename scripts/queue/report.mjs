// The report of `npm run test:queue`: its figures as Markdown (printed at the end of every run)
// and, with `--write-benchmarks`, as BENCHMARKS.md's queue-mode section.
import path from 'node:path';

import { ROOT } from '../lib/n8n-runtime.mjs';
import { markedSection } from '../lib/report.mjs';
import { IDEAL_MS, PLAN_PER_MINUTE, ROWS, WINDOW_MS } from './scenarios.mjs';

/** The figures of the two bulk runs (`twoBulkRuns`) and of the killed worker (`killAWorker`). */
export function benchmarkMarkdown(runs, kill, n8nVersion) {
	const seconds = (ms) => (ms / 1000).toFixed(1);
	const row = (result) =>
		`| ${result.resetHeader ? 'adaptive (server sends X-RateLimit-Reset)' : 'per-process pacing (no X-RateLimit-Reset: 429 + Retry-After fallback)'} | ${seconds(result.wallMs)} s (${result.ratio.toFixed(2)}x) | ${seconds(result.executionMs)} s (${(result.executionMs / IDEAL_MS).toFixed(2)}x) | ${seconds(result.sendingMs)} s (${(result.sendingMs / IDEAL_MS).toFixed(2)}x) | ${result.failed} of ${result.items} | ${result.contacts} | ${result.rateLimited} | ${result.requests} |`;
	return [
		`Measured on ${new Date().toISOString().slice(0, 10)} by \`npm run test:queue\`: n8n ${n8nVersion} in queue mode (main, one webhook process, two`,
		'`n8n worker --concurrency=1`, Redis 7, PostgreSQL 15, all on one 2-core machine), two 300-row bulk upserts',
		'started at one moment through production webhooks, one on each worker, on one account. The fake server',
		`enforces ${PLAN_PER_MINUTE} per minute as ${Math.round((PLAN_PER_MINUTE * WINDOW_MS) / 60_000)} per fixed ${WINDOW_MS / 1000}-second window (as \`npm run bench\` does: a one-minute window`,
		`would let ${PLAN_PER_MINUTE} through in one burst) and sends X-RateLimit-Limit and X-RateLimit-Remaining; the credential names the`,
		`plan (Custom, ${PLAN_PER_MINUTE}/min) on both workers. Ideal: ${2 * ROWS} requests at ${PLAN_PER_MINUTE}/min = ${IDEAL_MS / 1000} s. Wall time: from the two webhook`,
		"calls to the later execution's end (n8n's stoppedAt); executions: from the earlier execution's start to the later's",
		"end, as n8n records them; sending: from the first request to the last at the server. Both workers ran a 5-row",
		'warm-up first. In brackets: against the ideal.',
		'',
		'| pacing | wall time | executions | sending | failed items | contacts in the book | 429 answers | requests |',
		'|---|---|---|---|---|---|---|---|',
		...runs.map(row),
		'',
		`A worker SIGKILLed after ${kill.sentBeforeKill} of an execution's ${ROWS} requests: n8n showed the execution "${kill.soonAfter}" 3 s later and`,
		`"${kill.status}" ${Math.round(kill.noticedAfterMs / 1000)} s after the kill (n8n's defaults: the job's lock lapses after 60 s, then Bull finds it stalled),`,
		kill.error ? `with the message "${kill.error}"` : 'with no error',
		`The other worker ${kill.pickedUp ? `picked the job up and ran the execution again from its start (${kill.sentByKilledRun} requests reached the server, ${kill.sentBeforeKill} of them before the kill)` : 'did not pick the job up'}. Run again (${kill.retryWay}): ${kill.retryStatus}; ${kill.sentTwice} rows`,
		`reached the server twice, ${kill.conflicting === 0 ? 'each time with the same content' : `${kill.conflicting} of them with different content`}.`,
	].join('\n');
}

/**
 * Puts the figures into BENCHMARKS.md: the queue-mode section for the version CI runs, a section of
 * its own (added at the end the first time) for any other (QUEUE_N8N_VERSION), so both stay.
 */
export function writeBenchmarks(markdown, { otherVersion } = {}) {
	const file = path.join(ROOT, 'BENCHMARKS.md');
	const section = otherVersion
		? markedSection(file, `queue-mode-n8n-${otherVersion}`, { createAs: `written by \`QUEUE_N8N_VERSION=${otherVersion} npm run test:queue -- --write-benchmarks\`; do not edit` })
		: markedSection(file, 'queue-mode');
	section.replace(markdown);
}
