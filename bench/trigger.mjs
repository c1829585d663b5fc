#!/usr/bin/env node
/**
 * The Hypersender Trigger's intake in real n8n, beside n8n's own Webhook node: how many
 * deliveries per second each activated workflow (one that does nothing after its trigger node)
 * answers, in ONE started n8n, so the machine's load (shared, 2 cores) weighs on all alike.
 *
 * Contenders (each checks at most who sent it, as the trigger does):
 * - the Hypersender Trigger (its credential's Webhook Authorization against the Authorization header);
 * - n8n's Webhook node with Header Auth (a Header Auth credential naming the same Authorization);
 * - n8n's Webhook node without auth (reference: n8n's intake without reading a credential);
 * - the Hypersender Trigger at version 1, as workflows saved before version 2 keep it.
 *
 * Packs this package, installs it as a community package into the provisioned n8n (N8N_VERSION,
 * default as scripts/provision-n8n.sh), starts n8n on 127.0.0.1, activates the workflows
 * through the REST API, warms each up, then runs BENCH_TRIGGER_ROUNDS rounds (default 2); in each
 * round every contender gets BENCH_TRIGGER_DELIVERIES deliveries (default 200) with distinct event
 * IDs, BENCH_TRIGGER_CONCURRENCY in flight (default 20), the order of the contenders reversed
 * every other round, and a contender starts only once the executions before it have finished.
 * Counts each workflow's executions through the REST API (lost: accepted but never succeeded).
 * Writes its section of BENCHMARKS.md (between its markers; other sections stay) unless
 * BENCH_TRIGGER_WRITE=0. BENCH_TRIGGER_CPU_PROF=<folder> runs n8n with `--cpu-prof` into that folder.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { buildAndPack, importIntoN8n, installAsCommunityPackage, NODE_TYPE } from '../scripts/lib/n8n-package.mjs';
import { credentialJson, freePort, n8nEnv, provisionN8n, ROOT, startN8n } from '../scripts/lib/n8n-runtime.mjs';
import { activateOrThrow, setUpOwner } from '../scripts/lib/n8n-rest.mjs';
import { stopList } from '../scripts/lib/processes.mjs';
import { delivery, TEXT_PAYLOAD, TRIGGER_VERSION, triggerCredential, triggerUrlOf, triggerWorkflow } from '../scripts/lib/hypersender-trigger.mjs';
import { markedSection } from '../scripts/lib/report.mjs';
import { waitFor } from '../scripts/lib/wait.mjs';
import { chainWorkflow, webhookNode } from '../scripts/lib/workflows.mjs';

const DELIVERIES = Number(process.env.BENCH_TRIGGER_DELIVERIES ?? 200);
const CONCURRENCY = Number(process.env.BENCH_TRIGGER_CONCURRENCY ?? 20);
const ROUNDS = Number(process.env.BENCH_TRIGGER_ROUNDS ?? 2);
const WARM_UP = 20;
const CPU_PROFILE_FOLDER = process.env.BENCH_TRIGGER_CPU_PROF;
const SECRET = 'bench-webhook-authorization-0a9b8c7d';
const INSTANCE_ID = 'b3f1c2d4-0000-4000-8000-0000000bench';
const log = (message) => process.stderr.write(`[bench:trigger] ${message}\n`);

const HEADER_AUTH_CREDENTIAL = { id: 'benchHeaderAuth', name: 'Bench Header Auth', type: 'httpHeaderAuth', data: { name: 'Authorization', value: SECRET } };

/** The contenders: each a workflow whose first node takes the deliveries at `urlOf(n8n's url)`. */
function contenders(triggerCredentialJson) {
	const webhookContender = (key, label, id, webhookId, parameters, credentials) => ({
		key,
		label,
		workflow: chainWorkflow(id, `Bench ${label}`, [{ ...webhookNode('Webhook', webhookId, webhookId, { responseMode: 'onReceived', ...parameters }), ...(credentials ? { credentials } : {}) }]),
		urlOf: (baseUrl) => `${baseUrl}/webhook/${webhookId}`,
	});
	const triggerContender = (key, label, id, webhookId, typeVersion, parameters = {}) => ({
		key,
		label,
		workflow: triggerWorkflow({ id, webhookId, name: `Bench ${label}`, nodeType: NODE_TYPE.communityPackage, credential: triggerCredentialJson, typeVersion, parameters }),
		urlOf: (baseUrl) => triggerUrlOf(baseUrl, webhookId),
	});
	return [
		triggerContender('trigger', `Hypersender Trigger, version ${TRIGGER_VERSION} (new nodes)`, 'hsBenchTrigger', 'be4c0000-0000-4000-8000-00000000b0e1', TRIGGER_VERSION),
		webhookContender('headerAuth', "n8n's Webhook node, Header Auth credential", 'hsBenchWebhookHeaderAuth', 'be4c0000-0000-4000-8000-00000000b0e2', { authentication: 'headerAuth' }, {
			httpHeaderAuth: { id: HEADER_AUTH_CREDENTIAL.id, name: HEADER_AUTH_CREDENTIAL.name },
		}),
		webhookContender('noAuth', "n8n's Webhook node, no auth (reference)", 'hsBenchWebhookNoAuth', 'be4c0000-0000-4000-8000-00000000b0e3', {}),
		triggerContender('triggerV1', 'Hypersender Trigger, version 1 (nodes saved before)', 'hsBenchTriggerV1', 'be4c0000-0000-4000-8000-00000000b0e4', 1),
		// Text deliveries (no media): the option must cost them nothing.
		triggerContender('triggerDownloadMedia', `Hypersender Trigger, version ${TRIGGER_VERSION}, Download Media on (text messages)`, 'hsBenchTriggerMedia', 'be4c0000-0000-4000-8000-00000000b0e5', TRIGGER_VERSION, {
			options: { downloadMedia: true },
		}),
	];
}

// Linux counts a process's CPU time in clock ticks of 1/100 s (USER_HZ).
const TICKS_PER_SECOND = 100;

/**
 * CPU seconds (user + system) the process has used so far, from /proc (Linux): unlike the wall
 * time, this hardly moves with other jobs on the machine, so it says what each delivery costs n8n.
 */
function cpuSecondsOf(pid) {
	const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
	// The fields after the command name (in brackets, may hold spaces): utime and stime are the 12th and 13th.
	const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
	return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

let deliveriesMade = 0;

/** Sends `count` deliveries (distinct event IDs), at most `concurrency` at once; returns the answers by status and the wall time. */
async function deliverAll(url, count, concurrency) {
	const statuses = new Map();
	let next = 0;
	const started = process.hrtime.bigint();
	const worker = async () => {
		while (next < count) {
			next++;
			const i = deliveriesMade++;
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
	await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
	return { statuses, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function executionCounts(n8n, workflowId) {
	const count = async (status) => {
		const filter = encodeURIComponent(JSON.stringify({ workflowId, ...(status ? { status: [status] } : {}) }));
		const { body } = await n8n.rest('GET', `/executions?filter=${filter}&limit=1`);
		return body?.data?.count ?? 0;
	};
	return { all: await count(), success: await count('success'), running: (await count('running')) + (await count('new')) };
}

/** Waits until every accepted delivery of the workflow has become a finished execution (at most 5 minutes); returns the counts. */
async function settledCounts(n8n, workflowId, accepted) {
	return await waitFor(`the executions of ${workflowId} to finish`, async () => {
		const now = await executionCounts(n8n, workflowId);
		return now.running === 0 && now.all >= accepted ? now : undefined;
	}, { timeoutMs: 300_000, everyMs: 250 }).catch(async (error) => {
		log(error.message);
		return await executionCounts(n8n, workflowId);
	});
}

const addStatuses = (into, statuses) => statuses.forEach((count, status) => into.set(status, (into.get(status) ?? 0) + count));
const rate = (accepted, seconds) => accepted / seconds;
const answersText = (statuses) => [...statuses].map(([status, count]) => `${count} × ${status}`).join(', ');

function writeSection(markdown) {
	markedSection(path.join(ROOT, 'BENCHMARKS.md'), 'trigger-bench', { createAs: 'written by bench/trigger.mjs; do not edit' }).replace(markdown);
}

function sectionOf({ results, n8nVersion, nodeVersion, load }) {
	const [trigger, headerAuth, noAuth, triggerV1, triggerDownloadMedia] = results;
	const ratio = (a, b) => (a.rate / b.rate).toFixed(2);
	const cpuRatio = (a, b) => (b.cpuMs / a.cpuMs).toFixed(2);
	const row = (result) =>
		`| ${result.label} | ${answersText(result.statuses)} | ${result.rounds.map((round) => round.rate.toFixed(1)).join(' / ')} | ${result.seconds.toFixed(2)} s | **${result.rate.toFixed(1)}** | ${result.cpuMs.toFixed(1)} ms | ${result.counts.success} of ${result.accepted} | **${result.lost}** |`;
	return [
		`## Hypersender Trigger: deliveries accepted by real n8n, beside n8n's Webhook node`,
		'',
		`Measured by \`npm run bench:trigger\` on ${new Date().toISOString().slice(0, 10)}: n8n ${n8nVersion} (\`n8n start\`, SQLite, regular execution mode, default`,
		`settings: every execution saved; expression engine: ${process.env.N8N_EXPRESSION_ENGINE ?? "n8n's default, vm"}) on Node ${nodeVersion}, this package installed as a community package, on this machine`,
		`(${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, shared with other jobs). Five activated workflows in that one n8n, each its`,
		`first node alone, so an execution does nothing after it: the Hypersender Trigger at version ${TRIGGER_VERSION} (also with Download Media on) and at version 1, and n8n's`,
		'Webhook node (`responseMode: onReceived`) with a Header Auth credential checking the same Authorization header, and without auth.',
		`Each got ${WARM_UP} warm-up deliveries, then ${ROUNDS} rounds of ${DELIVERIES} deliveries of a text message with distinct event IDs and the`,
		`right Authorization, POSTed to the production URL from one process, ${CONCURRENCY} in flight; the contenders take turns`,
		"(the order reversed every other round, each starting once the executions before it have finished), so the machine's",
		'load weighs on all alike.',
		'',
		'| contender | answers | accepted/s by round | wall time | accepted/s | n8n CPU per delivery | executions succeeded | lost |',
		'|---|---|---|---|---|---|---|---|',
		...results.map(row),
		'',
		`- Hypersender Trigger (version ${TRIGGER_VERSION}) / Webhook node with Header Auth: **${ratio(trigger, headerAuth)}x** deliveries per second (target: at least 0.9x;`,
		`  version 1 in the same run: ${ratio(triggerV1, headerAuth)}x, by CPU ${cpuRatio(triggerV1, headerAuth)}x; issue 19 measured 0.71x at version 1).`,
		`- By n8n's CPU time per delivery (its process's user + system time from the first delivery of a round until its last execution`,
		`  has finished; it moves far less with other jobs on the machine than the wall time): Hypersender Trigger / Header Auth **${cpuRatio(trigger, headerAuth)}x**.`,
		`- Download Media on / off, for deliveries without media: **${ratio(triggerDownloadMedia, trigger)}x** deliveries per second, by CPU ${cpuRatio(triggerDownloadMedia, trigger)}x.`,
		`- Webhook node with Header Auth / without auth: ${ratio(headerAuth, noAuth)}x (by CPU ${cpuRatio(headerAuth, noAuth)}x); Hypersender Trigger / without auth: ${ratio(trigger, noAuth)}x.`,
		`- Machine load while measuring (1-minute load average): ${load.toFixed(1)} on ${os.cpus().length} cores.`,
		'',
		'"Lost" counts deliveries that did not end as a succeeded execution (refused, failed, or never run). n8n answers once it',
		'has created the execution (`responseMode: onReceived`), so the rate is bound by n8n creating and saving executions.',
	].join('\n');
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
		const all = contenders(credential);
		await importIntoN8n(bins, env, path.join(work, 'import'), { credentials: [credential, HEADER_AUTH_CREDENTIAL], workflows: all.map((contender) => contender.workflow) });
		log(`starting n8n ${n8nVersion} on 127.0.0.1:${env.N8N_PORT}${CPU_PROFILE_FOLDER ? `, CPU profile into ${CPU_PROFILE_FOLDER}` : ''}`);
		const n8nProcessEnv = CPU_PROFILE_FOLDER ? { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --cpu-prof --cpu-prof-dir=${path.resolve(CPU_PROFILE_FOLDER)}`.trim() } : env;
		const started = await startN8n(bins, n8nProcessEnv, { stops });
		const n8n = { ...started, ...(await setUpOwner(started, { email: 'bench@example.com', firstName: 'Bench', lastName: 'Mark', password: 'Bench-password-123' })) };
		const results = all.map((contender) => ({ ...contender, url: contender.urlOf(n8n.url), statuses: new Map(), rounds: [], seconds: 0, cpuSeconds: 0, accepted: 0, expected: 0 }));
		for (const result of results) {
			await activateOrThrow(n8n, result.workflow.id);
			const warmUp = await deliverAll(result.url, WARM_UP, CONCURRENCY);
			if (warmUp.statuses.get('200') !== WARM_UP) throw new Error(`${result.label}: the warm-up was answered ${answersText(warmUp.statuses)}`);
			result.expected += WARM_UP;
			await settledCounts(n8n, result.workflow.id, result.expected);
		}
		for (let round = 0; round < ROUNDS; round++) {
			for (const result of round % 2 === 0 ? results : [...results].reverse()) {
				log(`round ${round + 1}: ${result.label}, ${DELIVERIES} deliveries, ${CONCURRENCY} at once`);
				const cpuBefore = cpuSecondsOf(n8n.child.pid);
				const { statuses, seconds } = await deliverAll(result.url, DELIVERIES, CONCURRENCY);
				const accepted = statuses.get('200') ?? 0;
				addStatuses(result.statuses, statuses);
				result.rounds[round] = { rate: rate(accepted, seconds) };
				result.seconds += seconds;
				result.accepted += accepted;
				result.expected += accepted;
				await settledCounts(n8n, result.workflow.id, result.expected);
				// Until its executions have finished: the work of a delivery goes on after its answer.
				const cpuSeconds = cpuSecondsOf(n8n.child.pid) - cpuBefore;
				result.cpuSeconds += cpuSeconds;
				result.rounds[round].cpuMs = (cpuSeconds * 1000) / DELIVERIES;
				log(`  answers ${answersText(statuses)} in ${seconds.toFixed(2)} s: ${rate(accepted, seconds).toFixed(1)}/s; n8n CPU ${result.rounds[round].cpuMs.toFixed(1)} ms per delivery`);
			}
		}
		const load = os.loadavg()[0];
		for (const result of results) {
			result.rate = rate(result.accepted, result.seconds);
			result.cpuMs = (result.cpuSeconds * 1000) / (DELIVERIES * ROUNDS);
			result.counts = await executionCounts(n8n, result.workflow.id);
			// The warm-up's executions are counted by the REST API too; lost are the measured ones missing.
			result.counts.success -= WARM_UP;
			result.lost = DELIVERIES * ROUNDS - result.counts.success;
			log(`${result.label}: ${result.rate.toFixed(1)}/s (rounds ${result.rounds.map((r) => r.rate.toFixed(1)).join(', ')}); n8n CPU ${result.cpuMs.toFixed(1)} ms per delivery; lost ${result.lost}`);
		}
		const [trigger, headerAuth, noAuth, triggerV1, triggerDownloadMedia] = results;
		const ratios = (a, b) => `${(a.rate / b.rate).toFixed(2)}x deliveries/s, ${(b.cpuMs / a.cpuMs).toFixed(2)}x by n8n CPU per delivery`;
		log(`Trigger v${TRIGGER_VERSION} / Header Auth ${ratios(trigger, headerAuth)}; Trigger v1 / Header Auth ${ratios(triggerV1, headerAuth)}; Header Auth / no auth ${ratios(headerAuth, noAuth)}; Download Media on / off (no media) ${ratios(triggerDownloadMedia, trigger)}; load ${load.toFixed(1)}`);
		if (process.env.BENCH_TRIGGER_WRITE !== '0') {
			writeSection(sectionOf({ results, n8nVersion, nodeVersion, load }));
			log('wrote its section of BENCHMARKS.md');
		}
	} finally {
		await stops.stopAll();
	}
}

await main();
