#!/usr/bin/env node
// Queue mode (issue 12): the packed package in real n8n's distributed engine, as users run it
// when they outgrow one machine. This file is the runner:
//   queue/infrastructure.mjs  Redis and PostgreSQL (apt-get installs them when missing), n8n main,
//                             one webhook process and two workers, each with its own user folder
//   queue/scenarios.mjs       two bulk runs on one rate-limited account, the trigger on the
//                             workers, a worker SIGKILLed mid-run (see its header)
//   queue/report.mjs          the figures as Markdown, for BENCHMARKS.md
// The fake Hypersender server runs in this process. Prints `queue: N passed, M failed`.
// `--write-benchmarks` puts the figures into BENCHMARKS.md. QUEUE_N8N_VERSION overrides the n8n
// version (2.40.7); its figures then go into a section of their own. Everything started here is
// stopped at the end, on a failed check and on SIGINT/SIGTERM.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { checkCounter, summaryLine } from './lib/checks.mjs';
import { buildAndPack, importIntoN8n, installAsCommunityPackage, NODE_TYPE } from './lib/n8n-package.mjs';
import { activateOrThrow, setUpOwner } from './lib/n8n-rest.mjs';
import { provisionN8n } from './lib/n8n-runtime.mjs';
import { stopList } from './lib/processes.mjs';
import { installDebianPackagesWhenMissing, startQueueBackends, startQueueN8n } from './queue/infrastructure.mjs';
import { benchmarkMarkdown, writeBenchmarks } from './queue/report.mjs';
import { IDEAL_MS, killAWorker, PLAN_PER_MINUTE, queueCredentials, queueWorkflows, sendAndWaitOnWorkers, triggerOnWorkers, twoBulkRuns, warmUp, WINDOW_MS, WORKFLOW_IDS } from './queue/scenarios.mjs';

const require = createRequire(import.meta.url);
const { FakeHypersender } = require('../test/fake-hypersender/server.js');

// Not N8N_VERSION: CI jobs set that for the e2e's matrix, and queue mode is tested on 2.40.7.
const N8N_VERSION = process.env.QUEUE_N8N_VERSION ?? '2.40.7';
const TOKEN = '321|queueTokenFor-n8n-nodes-hypersender-0123456789abcdef';
const INSTANCE_ID = '4f0c2b1a-9e8d-4c7b-a6f5-e4d3c2b1a098';
const OWNER = { email: 'queue@example.com', firstName: 'Queue', lastName: 'Test', password: 'Queue-password-123' };

const runStartedAt = Date.now();
const log = (message) => process.stderr.write(`[queue +${Math.round((Date.now() - runStartedAt) / 1000)}s] ${message}\n`);
const { counts: totals, check } = checkCounter(log);
const stops = stopList(log);

async function main() {
	const work = mkdtempSync(path.join(tmpdir(), 'hypersender-queue-'));
	const fake = new FakeHypersender({ token: TOKEN, instanceId: INSTANCE_ID, rateLimit: Math.round((PLAN_PER_MINUTE * WINDOW_MS) / 60_000), windowMs: WINDOW_MS });
	let results;
	try {
		installDebianPackagesWhenMissing(log);
		const bins = provisionN8n(N8N_VERSION);
		log('building and packing the package');
		const tarball = buildAndPack(work);
		const template = installAsCommunityPackage(tarball, path.join(work, 'user-template'));
		await fake.start();
		stops.add('the fake Hypersender server', () => fake.stop());
		const envs = await startQueueBackends({ work, template, stops, log });

		const credentials = queueCredentials({ apiToken: TOKEN, instanceId: INSTANCE_ID, baseUrl: fake.url });
		log('importing the credentials and workflows (n8n migrates the fresh database first)');
		await importIntoN8n(bins, envs.main, path.join(work, 'import'), { credentials, workflows: queueWorkflows(NODE_TYPE.communityPackage, credentials) });
		const { main, webhook, workers } = await startQueueN8n({ bins, envs, work, stops, log });
		const n8n = { url: main.url, ...(await setUpOwner(main, OWNER)) };
		for (const workflowId of WORKFLOW_IDS) await activateOrThrow(n8n, workflowId);
		const q = { n8n, n8nVersion: N8N_VERSION, bins, fake, webhook, workers, main, check, log };
		await warmUp(q);
		log(`set up in ${Math.round((Date.now() - runStartedAt) / 1000)} s; measuring`);

		const runs = [await twoBulkRuns(q, { resetHeader: true, label: 'Adaptive' }), await twoBulkRuns(q, { resetHeader: false, label: 'PerProcess' })];
		// The pacing's goal: the wall time also holds n8n's queue-mode overhead for each run (enqueue,
		// pick-up, the Code node's runner, saving 300 items), the same with either pacing.
		check(runs[0].sendingMs / IDEAL_MS <= 1.15 && runs[0].rateLimited === 0, `adaptive pacing: the 600 requests go out within 1.15x of the ideal ${IDEAL_MS / 1000} s, no 429`, runs[0]);
		await triggerOnWorkers(q);
		await sendAndWaitOnWorkers(q);
		const kill = await killAWorker(q);
		results = { runs, kill };
		const markdown = benchmarkMarkdown(runs, kill, N8N_VERSION);
		process.stderr.write(`\n${markdown}\n\n`);
		if (process.argv.includes('--write-benchmarks')) {
			if (totals.failed === 0) writeBenchmarks(markdown, { otherVersion: process.env.QUEUE_N8N_VERSION });
			else log('BENCHMARKS.md left alone: a check failed');
		}
	} catch (error) {
		check(false, 'the queue-mode run gets to its end', String(error.stack ?? error));
	} finally {
		await stops.stopAll();
		if (totals.failed === 0) rmSync(work, { recursive: true, force: true });
		else log(`work folder kept (n8n logs: main.log, webhook.log, worker-1.log, worker-2.log): ${work}`);
	}
	log(`done in ${Math.round((Date.now() - runStartedAt) / 1000)} s${results ? '' : ' (no results)'}`);
	process.stdout.write(summaryLine('queue', totals));
	process.exit(totals.failed > 0 ? 1 : 0);
}

await main();
