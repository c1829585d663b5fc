#!/usr/bin/env node
/**
 * The Hypersender Trigger's intake in real n8n: how many deliveries per second an activated
 * trigger workflow (one that does nothing after the trigger) accepts when Hypersender sends 50 at
 * once, and how many of the accepted ones never became a finished execution (lost).
 *
 * Packs this package, installs it as a community package into the provisioned n8n (N8N_VERSION,
 * default as scripts/provision-n8n.sh), starts n8n on 127.0.0.1, activates the workflow through
 * the REST API, POSTs BENCH_TRIGGER_DELIVERIES (default 2000) deliveries with distinct event IDs,
 * 50 in flight (BENCH_TRIGGER_CONCURRENCY), then counts the workflow's executions through the REST
 * API. Writes its section of BENCHMARKS.md (between its markers; other sections stay).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { buildAndPack, importIntoN8n, installAsCommunityPackage, NODE_TYPE } from '../scripts/lib/n8n-package.mjs';
import { credentialJson, freePort, n8nEnv, provisionN8n, ROOT, startN8n } from '../scripts/lib/n8n-runtime.mjs';
import { activateOrThrow, setUpOwner } from '../scripts/lib/n8n-rest.mjs';
import { stopList } from '../scripts/lib/processes.mjs';
import { delivery, TEXT_PAYLOAD, triggerCredential, triggerUrlOf, triggerWorkflow } from '../scripts/lib/hypersender-trigger.mjs';
import { markedSection } from '../scripts/lib/report.mjs';
import { waitFor } from '../scripts/lib/wait.mjs';

const DELIVERIES = Number(process.env.BENCH_TRIGGER_DELIVERIES ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_TRIGGER_CONCURRENCY ?? 50);
const SECRET = 'bench-webhook-authorization-0a9b8c7d';
const INSTANCE_ID = 'b3f1c2d4-0000-4000-8000-0000000bench';
// The workflow's id and its trigger node's webhookId (its URL).
const WORKFLOW = { id: 'hsBenchTrigger', webhookId: 'be4c0000-0000-4000-8000-00000000b0e1' };
const log = (message) => process.stderr.write(`[bench:trigger] ${message}\n`);

/** Sends every delivery, at most `concurrency` at once; returns the answers by status and the wall time. */
async function deliverAll(url, concurrency) {
	const statuses = new Map();
	let next = 0;
	const started = process.hrtime.bigint();
	const worker = async () => {
		while (next < DELIVERIES) {
			const i = next++;
			const body = JSON.stringify(delivery('message.any', { ...TEXT_PAYLOAD, id: `false_201063178738@c.us_BENCH${i}` }, { id: `evt_bench_${i}`, instanceId: INSTANCE_ID }));
			let status;
			try {
				const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: SECRET }, body });
				await response.arrayBuffer();
				status = String(response.status);
			} catch (error) {
				status = `network error (${error.cause?.code ?? error.message})`;
			}
			statuses.set(status, (statuses.get(status) ?? 0) + 1);
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	return { statuses, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function executionCounts(n8n) {
	const count = async (status) => {
		const filter = encodeURIComponent(JSON.stringify({ workflowId: WORKFLOW.id, ...(status ? { status: [status] } : {}) }));
		const { body } = await n8n.rest('GET', `/executions?filter=${filter}&limit=1`);
		return body?.data?.count ?? 0;
	};
	return { all: await count(), success: await count('success'), running: (await count('running')) + (await count('new')) };
}

function writeSection(markdown) {
	markedSection(path.join(ROOT, 'BENCHMARKS.md'), 'trigger-bench', { createAs: 'written by bench/trigger.mjs; do not edit' }).replace(markdown);
}

async function main() {
	const bins = provisionN8n();
	const n8nVersion = execFileSync(bins.node, [bins.n8n, '--version'], { encoding: 'utf8' }).trim().split('\n').pop();
	const nodeVersion = execFileSync(bins.node, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
	const work = mkdtempSync(path.join(os.tmpdir(), 'hypersender-bench-trigger-'));
	// A run stopped from outside (Ctrl-C, a time limit) stops its n8n too.
	const stops = stopList(log);
	stops.add('the work folder', () => rmSync(work, { recursive: true, force: true }));
	try {
		log('building, packing and installing the package');
		const userFolder = installAsCommunityPackage(buildAndPack(work), path.join(work, 'user'));
		const env = n8nEnv(userFolder, { port: await freePort(), brokerPort: await freePort() });
		// The credential's API fields are never used: the workflow only receives.
		const credential = triggerCredential(credentialJson({ apiToken: '1|bench', instanceId: INSTANCE_ID, baseUrl: 'http://127.0.0.1:9' }), SECRET, 'hsBenchTrigger');
		await importIntoN8n(bins, env, path.join(work, 'import'), { credentials: [credential], workflows: [triggerWorkflow({ ...WORKFLOW, nodeType: NODE_TYPE.communityPackage, credential })] });
		log(`starting n8n ${n8nVersion} on 127.0.0.1:${env.N8N_PORT}`);
		const started = await startN8n(bins, env, { stops });
		const n8n = { ...started, ...(await setUpOwner(started, { email: 'bench@example.com', firstName: 'Bench', lastName: 'Mark', password: 'Bench-password-123' })) };
		await activateOrThrow(n8n, WORKFLOW.id);

		log(`sending ${DELIVERIES} deliveries, ${CONCURRENCY} at once`);
		const { statuses, seconds } = await deliverAll(triggerUrlOf(n8n.url, WORKFLOW.webhookId), CONCURRENCY);
		const accepted = statuses.get('200') ?? 0;
		const drainStarted = Date.now();
		const counts = await waitFor('the executions to finish', async () => {
			const now = await executionCounts(n8n);
			return now.running === 0 && now.all >= accepted ? now : undefined;
		}, { timeoutMs: 300_000 }).catch(async (error) => {
			log(error.message);
			return await executionCounts(n8n);
		});
		const drainSeconds = (Date.now() - drainStarted) / 1000;
		const lost = DELIVERIES - counts.success;
		const answers = [...statuses].map(([status, count]) => `${count} × ${status}`).join(', ');
		log(`answers ${answers}; ${accepted} accepted in ${seconds.toFixed(2)} s (${(accepted / seconds).toFixed(1)}/s); executions: ${JSON.stringify(counts)}; lost ${lost}; the rest finished in ${drainSeconds.toFixed(1)} s`);

		writeSection(
			[
				`## Hypersender Trigger: deliveries accepted by real n8n`,
				'',
				`Measured by \`node bench/trigger.mjs\` on ${new Date().toISOString().slice(0, 10)}: n8n ${n8nVersion} (\`n8n start\`, SQLite, regular execution mode, default`,
				`settings: every execution saved) on Node ${nodeVersion}, this package installed as a community package, on this machine`,
				`(${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB). One activated workflow: the trigger alone, so each execution does nothing`,
				`after it. ${DELIVERIES} deliveries of a text message with distinct event IDs and the right Authorization, POSTed to the`,
				`production URL from one process, ${CONCURRENCY} in flight at all times.`,
				'',
				'| deliveries | in flight | answers | wall time | accepted/s | executions succeeded | lost | time to finish the rest |',
				'|---|---|---|---|---|---|---|---|',
				`| ${DELIVERIES} | ${CONCURRENCY} | ${answers} | ${seconds.toFixed(2)} s | **${(accepted / seconds).toFixed(1)}** | ${counts.success} of ${counts.all} | **${lost}** | ${drainSeconds.toFixed(1)} s |`,
				'',
				'"Lost" counts deliveries that did not end as a succeeded execution (refused, failed, or never run). The answer is sent',
				'once n8n has created the execution (`responseMode: onReceived`), so the rate is bound by n8n creating and saving',
				'executions, not by the workflow.',
				`Machine load while measuring (1-minute load average): ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores.`,
			].join('\n'),
		);
		log('wrote its section of BENCHMARKS.md');
	} finally {
		await stops.stopAll();
	}
}

await main();
