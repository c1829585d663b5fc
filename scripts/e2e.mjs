#!/usr/bin/env node
// End-to-end: the packed package in real, pinned n8n versions, loaded both ways users load it
// (community package install and N8N_CUSTOM_EXTENSIONS), against the fake Hypersender server on
// 127.0.0.1. This file is the runner; the checks live in the scenario modules below.
//
// Which n8n: N8N_VERSION=<version> runs one version (CI runs one per matrix job); unset, every
// version in the e2e job's matrix in .github/workflows/ci.yml runs, one after the other, so that
// local runs, .ci/run and GitHub's CI test the same versions: both ends of the supported range. E2E_SCENARIOS=contacts,cancel runs
// only those scenarios (a partial run leaves the README's compatibility table alone).
//
// A scenario is scripts/e2e/<name>.mjs exporting `async function run(t)`; add its name to
// SCENARIOS. The runner calls it once per n8n version and install way, after resetting the fake
// server, with `t`:
//   t.label           'n8n 2.40.7, community package': start every check message with it
//   t.n8nVersion, t.installWay ('community package' | 'N8N_CUSTOM_EXTENSIONS')
//   t.bins            { node, n8n }: the Node binary and n8n's bin script
//   t.env             n8n's environment (N8N_USER_FOLDER, N8N_PORT, ...) for this install way
//   t.fake            the FakeHypersender (test/fake-hypersender/server.js): contacts, requests, switches
//   t.nodeType        the Hypersender node's type name for this install way
//   t.credential      the imported Hypersender credential ({ id, name, ... }) pointing at t.fake
//   t.work            a folder for the scenario's files
//   t.check(condition, message, detail)   one counted check; a failed one prints the detail
//   t.importWorkflow(...workflows)        imports with n8n's CLI (one start-up for all given)
//   t.importCredentials(...credentials)   likewise, for credentials of a scenario's own (credentialJson
//                                         in lib/n8n-runtime.mjs builds one; plain data, n8n encrypts it)
//   t.execute(workflowId)                 `n8n execute --rawOutput`; resolves to the run JSON
//   t.lastN8nOutput()                     what the last n8n command printed (logs included)
//   t.startN8nWithOwner()                 resolves to { url, rest(method, path, body), output() }:
//                                         a started n8n with its owner set up, shared by the
//                                         scenarios that follow on this install way (the CLI
//                                         keeps working beside it); the runner stops it
//   t.outputOf(run, nodeName, branch = 0) the items a node put out in a run
// A scenario that throws counts as one failed check; the next scenario still runs. A scenario whose
// checks do not depend on how the package was loaded (what it tests is the node's behaviour, the
// same code either way) exports `installWays = ['community package']` and runs once per n8n version:
// the install ways differ in loading, node type names, the credential and webhooks, which contacts,
// credential-test and trigger check both ways. This keeps CI's time within bounds as scenarios grow.
// scripts/lib/ has what scenarios share with the other scripts: workflows.mjs builds the workflows they
// import, hypersender-trigger.mjs the trigger's workflows and deliveries, n8n-rest.mjs talks to a started
// n8n, wait.mjs waits. A scenario imports helpers from there, never from another scenario.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { buildAndPack, importIntoN8n, installAsCommunityPackage, NODE_TYPE, unpackAsCustomExtension } from './lib/n8n-package.mjs';
import { credentialJson, freePort, n8nEnv, provisionN8n, ROOT, runJsonFrom, runN8nCommand, startN8n } from './lib/n8n-runtime.mjs';
import { setUpOwner } from './lib/n8n-rest.mjs';
import { stopProcess } from './lib/processes.mjs';
import { checkCounter, summaryLine } from './lib/checks.mjs';
import { matrixVersions } from './lib/n8n-lines.mjs';
import { markedSection } from './lib/report.mjs';
import { outputOf } from './lib/workflows.mjs';

/** The scenario modules in scripts/e2e/, in the order they run. */
const SCENARIOS = ['contacts', 'credential-test', 'cancel', 'messages', 'trigger', 'media', 'stop-on-error', 'refusals', 'allowed-domains', 'ai-agent', 'send-and-wait'];


const require = createRequire(import.meta.url);
const { FakeHypersender } = require('../test/fake-hypersender/server.js');

const TOKEN = '321|e2eTokenFor-n8n-nodes-hypersender-0123456789abcdef';
const INSTANCE_ID = '4f0c2b1a-9e8d-4c7b-a6f5-e4d3c2b1a098';
const OWNER = { email: 'e2e@example.com', firstName: 'E2E', lastName: 'Test', password: 'E2e-password-123' };
const log = (message) => process.stderr.write(`[e2e] ${message}\n`);

const totals = { passed: 0, failed: 0 };
let lastN8nOutput = '';

/** Runs every scenario on one n8n version and install way; returns that combination's counts. */
async function runScenarios({ label, n8nVersion, installWay, bins, env, fake, nodeType, scenarios }) {
	const { counts, check } = checkCounter(log, totals);
	const work = env.N8N_USER_FOLDER;
	const credential = credentialJson({ apiToken: TOKEN, instanceId: INSTANCE_ID, baseUrl: fake.url });
	let started;
	const t = {
		label,
		n8nVersion,
		installWay,
		bins,
		env,
		fake,
		nodeType,
		credential,
		work,
		check,
		outputOf,
		lastN8nOutput: () => lastN8nOutput,
		importWorkflow: (...workflows) => importIntoN8n(bins, env, path.join(work, 'import'), { workflows: workflows.flat() }),
		importCredentials: (...credentials) => importIntoN8n(bins, env, path.join(work, 'import'), { credentials: credentials.flat() }),
		async execute(workflowId) {
			// n8n 2.x's execute opens a task broker port even with runners off: its own, so that it
			// runs beside a started n8n.
			const { status, stdout, stderr } = await runN8nCommand(bins, { ...env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) }, ['execute', `--id=${workflowId}`, '--rawOutput']);
			lastN8nOutput = `${stderr}\n${stdout}`;
			const run = runJsonFrom(stdout);
			if (!run) throw new Error(`n8n execute --id=${workflowId} printed no run JSON (exit ${status}):\n${lastN8nOutput.slice(-4000)}`);
			return run;
		},
		async startN8nWithOwner() {
			if (!started) {
				// Chosen now, not when the install way was set up: others may start n8n on this machine meanwhile.
				started = await startN8n(bins, { ...env, N8N_PORT: String(await freePort()), N8N_RUNNERS_BROKER_PORT: String(await freePort()) });
				started.api = setUpOwner(started, OWNER).then((owner) => ({ url: started.url, output: started.output, ...owner }));
			}
			return started.api;
		},
	};
	try {
		await importIntoN8n(bins, env, path.join(work, 'import'), { credentials: [credential] });
		for (const [name, scenario] of scenarios) {
			if (scenario.installWays && !scenario.installWays.includes(installWay)) {
				log(`--- ${label}: ${name} runs for ${scenario.installWays.join(', ')} only`);
				continue;
			}
			log(`--- ${label}: ${name}`);
			const scenarioStarted = Date.now();
			fake.reset();
			try {
				await scenario.run(t);
			} catch (error) {
				lastN8nOutput = error.n8nOutput ?? lastN8nOutput;
				check(false, `${label}: scenario ${name} ran to its end`, String(error.stack ?? error));
			}
			// What CI time is spent on (CONTRIBUTING.md, "CI time").
			log(`--- ${label}: ${name} took ${Math.round((Date.now() - scenarioStarted) / 1000)} s`);
		}
	} catch (error) {
		check(false, `${label}: the credential imports`, String(error.stack ?? error));
	} finally {
		if (started) {
			lastN8nOutput = started.output();
			await stopProcess(started.child);
		}
	}
	return counts;
}

/**
 * Puts this run's results into the README's compatibility table: one row per n8n version and
 * install way, replacing that row and keeping the rows of versions this run did not cover.
 */
function writeCompatibilityMatrix(results) {
	const matrix = markedSection(path.join(ROOT, 'README.md'), 'compatibility-matrix');
	const rowKey = (cells) => `${cells[0]}|${cells[1]}`;
	const rows = new Map();
	for (const line of matrix.content.split('\n')) {
		const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
		if (cells.length === 4 && /^\d/.test(cells[0])) rows.set(rowKey(cells), cells);
	}
	for (const result of results) {
		const verdict = result.failed === 0 ? `all ${result.passed} checks passed` : `FAILED ${result.failed} of ${result.passed + result.failed} checks`;
		const cells = [result.n8nVersion, result.installWay, result.nodeVersion, verdict];
		rows.set(rowKey(cells), cells);
	}
	const byVersion = (a, b) => b[0].localeCompare(a[0], 'en', { numeric: true }) || a[1].localeCompare(b[1]);
	const table = [
		'| n8n | install way | Node.js running n8n | end-to-end result |',
		'|---|---|---|---|',
		...[...rows.values()].sort(byVersion).map((cells) => `| ${cells.join(' | ')} |`),
	].join('\n');
	matrix.replace(table);
}

/** Whether `version` is inside package.json's `engines.n8n` (">=A <B", or ">=A <=B.C.x" for "up to the B.C line"). */
function insideSupportedRange(version) {
	const range = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).engines?.n8n ?? '';
	const [, lowest, upperOperator, upper] = /^>=(\S+) (<=?)(\S+)$/.exec(range) ?? [];
	const compare = (a, b) => a.localeCompare(b, 'en', { numeric: true });
	const highestLine = upper?.replace(/\.x$/, '');
	const belowUpper =
		upperOperator === '<'
			? compare(version, upper) < 0
			: compare(version.split('.').slice(0, highestLine?.split('.').length).join('.'), highestLine) <= 0;
	return { range, inside: Boolean(lowest) && compare(version, lowest) >= 0 && belowUpper };
}

function versionsToRun() {
	return process.env.N8N_VERSION ? [process.env.N8N_VERSION] : matrixVersions();
}

async function loadScenarios() {
	const chosen = process.env.E2E_SCENARIOS?.split(',').map((name) => name.trim()) ?? SCENARIOS;
	const unknown = chosen.filter((name) => !SCENARIOS.includes(name));
	if (unknown.length) throw new Error(`E2E_SCENARIOS names unknown scenarios: ${unknown.join(', ')} (known: ${SCENARIOS.join(', ')})`);
	return Promise.all(chosen.map(async (name) => [name, await import(`./e2e/${name}.mjs`)]));
}

async function main() {
	const started = Date.now();
	const scenarios = await loadScenarios();
	const work = mkdtempSync(path.join(tmpdir(), 'hypersender-e2e-'));
	const fake = new FakeHypersender({ token: TOKEN, instanceId: INSTANCE_ID });
	const results = [];
	const { check } = checkCounter(log, totals);
	try {
		log('building and packing the package');
		const tarball = buildAndPack(work);
		await fake.start();
		for (const n8nVersion of versionsToRun()) {
			const versionStarted = Date.now();
			const supported = insideSupportedRange(n8nVersion);
			check(supported.inside, `n8n ${n8nVersion} is inside the supported range package.json declares (engines.n8n ${supported.range})`);
			const bins = provisionN8n(n8nVersion);
			const nodeVersion = execFileSync(bins.node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
			const folder = path.join(work, `n8n-${n8nVersion}`);
			log(`installing the tarball as a community package and as a custom extension for n8n ${n8nVersion}`);
			const installWays = [
				['community package', n8nEnv(installAsCommunityPackage(tarball, path.join(folder, 'community'))), NODE_TYPE.communityPackage],
				[
					'N8N_CUSTOM_EXTENSIONS',
					n8nEnv(path.join(folder, 'extensions-user'), { extensions: unpackAsCustomExtension(tarball, path.join(folder, 'extension')) }),
					NODE_TYPE.customExtension,
				],
			];
			for (const [installWay, env, nodeType] of installWays) {
				const label = `n8n ${n8nVersion}, ${installWay}`;
				const counts = await runScenarios({ label, n8nVersion, installWay, bins, env, fake, nodeType, scenarios });
				results.push({ n8nVersion, installWay, nodeVersion, ...counts });
			}
			log(`n8n ${n8nVersion}: done in ${Math.round((Date.now() - versionStarted) / 1000)} s`);
		}
		if (!process.env.E2E_SCENARIOS) writeCompatibilityMatrix(results);
	} catch (error) {
		check(false, 'the e2e run gets to its end', String(error.stack ?? error));
	} finally {
		await fake.stop();
		if (totals.failed === 0) rmSync(work, { recursive: true, force: true });
	}
	for (const result of results) log(`${result.n8nVersion} ${result.installWay} (Node ${result.nodeVersion}): ${result.passed} passed, ${result.failed} failed`);
	process.stdout.write(summaryLine('e2e', totals));
	if (totals.failed > 0) {
		log(`n8n's last output:\n${lastN8nOutput.slice(-6000)}`);
		log(`${totals.failed} check(s) failed; work folder kept: ${work}`);
		process.exit(1);
	}
	log(`all checks passed in ${Math.round((Date.now() - started) / 1000)} s`);
}

await main();
