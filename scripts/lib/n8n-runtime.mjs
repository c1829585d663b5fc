// A provisioned real n8n, run with a user folder of our choosing: its CLI, and its processes
// (`n8n start`, and in queue mode `n8n webhook` and `n8n worker`).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startChild, stopProcess, stripColours } from './processes.mjs';
import { waitFor } from './wait.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PACKAGE_NAME = 'n8n-nodes-hypersender';

/**
 * Runs scripts/provision-n8n.sh (progress on our stderr) for `version` (default: the script's,
 * or N8N_VERSION) and returns the node and n8n binaries.
 */
export function provisionN8n(version) {
	const env = version ? { ...process.env, N8N_VERSION: version } : process.env;
	const result = spawnSync('bash', [path.join(ROOT, 'scripts/provision-n8n.sh')], {
		stdio: ['ignore', 'pipe', 'inherit'],
		encoding: 'utf8',
		env,
	});
	if (result.status !== 0) throw new Error(`Provisioning n8n ${version ?? ''} failed (see above)`);
	const vars = Object.fromEntries(
		result.stdout
			.trim()
			.split('\n')
			.map((line) => line.split(/=(.*)/s).slice(0, 2)),
	);
	return { node: vars.N8N_NODE, n8n: vars.N8N_BIN };
}

/** A TCP port on 127.0.0.1 that nothing listens on right now (others may run n8n on this machine too). */
export async function freePort() {
	const server = createServer();
	await new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', resolve);
	});
	const { port } = server.address();
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/**
 * n8n's environment for one user folder; `extensions` loads the package the N8N_CUSTOM_EXTENSIONS
 * way. n8n also opens its task broker's port, even with runners off.
 */
export function n8nEnv(userFolder, { extensions, port = 5678, brokerPort = port + 100 } = {}) {
	const env = {
		...process.env,
		N8N_USER_FOLDER: userFolder,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_RUNNERS_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_PORT: String(port),
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_ENCRYPTION_KEY: 'hypersender-local-development-key',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		DB_TYPE: 'sqlite',
		N8N_LOG_LEVEL: 'info',
	};
	if (extensions) env.N8N_CUSTOM_EXTENSIONS = extensions;
	else delete env.N8N_CUSTOM_EXTENSIONS;
	return env;
}

/**
 * Runs one n8n CLI command to completion. Asynchronous on purpose: the fake Hypersender server
 * may live in this same process and must keep answering while n8n runs.
 */
export async function runN8nCommand(bins, env, args, { timeoutMs = 180_000 } = {}) {
	const child = spawn(bins.node, [bins.n8n, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (chunk) => (stdout += chunk));
	child.stderr.on('data', (chunk) => (stderr += chunk));
	// n8n waits for running executions on SIGTERM; a hung one must not hang the caller.
	const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
	const status = await new Promise((resolve) => child.once('close', (code) => resolve(code)));
	clearTimeout(timer);
	return { status, stdout: stripColours(stdout), stderr: stripColours(stderr) };
}

/** `n8n execute --rawOutput` logs the run as pretty JSON, one log entry whose first key is "data". */
export function runJsonFrom(output) {
	const start = output.search(/\{\s*\n\s*"data": \{/);
	const end = output.indexOf('\n}', start);
	if (start === -1 || end === -1) return undefined;
	try {
		return JSON.parse(output.slice(start, end + 2));
	} catch {
		return undefined;
	}
}

/**
 * Starts an n8n process, `n8n start` unless `args` names another (`webhook`, `worker ...`);
 * resolves to { name, child, url, output() } once it is ready. Without `healthPort`, ready means
 * that its own log says it is ready on env.N8N_PORT and its REST API answers; with it, that
 * `/healthz/readiness` on that port answers (queue mode's webhook and worker processes have no
 * REST API). One that exits early or is not ready in `timeoutMs` is stopped, and the error holds
 * what it printed. `logFile` and `log` get its output as it comes; `stops` (a stopList) gets its
 * stop as soon as it is spawned.
 */
export async function startN8n(bins, env, { args = ['start'], name = `n8n ${args[0]}`, healthPort, logFile, log, stops, timeoutMs = 120_000 } = {}) {
	const n8n = startChild(name, bins.node, [bins.n8n, ...args], { env, logFile, log });
	stops?.add(name, () => stopProcess(n8n.child));
	const url = `http://127.0.0.1:${env.N8N_PORT}`;
	// n8n 2.x answers "n8n is starting up. Please wait" with HTTP 200 on its routes until it is
	// ready: only a JSON answer is the route itself.
	const answers = async (address) => {
		try {
			const response = await fetch(address);
			return response.ok && /json/.test(response.headers.get('content-type') ?? '');
		} catch {
			return false; // not listening yet
		}
	};
	try {
		await waitFor(`${name} to be ready`, async () => {
			if (n8n.child.exitCode !== null) throw new Error(`${name} exited early (exit ${n8n.child.exitCode})`);
			if (healthPort) return await answers(`http://127.0.0.1:${healthPort}/healthz/readiness`);
			// Not /healthz/readiness: n8n 1.x reports ready once its database is, before its REST
			// routes exist (owner setup then answers 404). Its own log line first, so that another
			// n8n on this port (it was free when chosen) is never taken for this one.
			return n8n.output().includes(`n8n ready on 127.0.0.1, port ${env.N8N_PORT}`) && (await answers(`${url}/rest/settings`));
		}, { timeoutMs, everyMs: 500 });
	} catch (error) {
		await stopProcess(n8n.child);
		throw new Error(`${error.message}:\n${n8n.output().slice(-4000)}`);
	}
	return { ...n8n, url };
}

export function credentialJson({ id = 'hypersenderFake', name = 'Hypersender (fake server)', apiToken, instanceId, baseUrl, rateLimitPlan = 'unlimited' }) {
	return { id, name, type: 'hypersenderApi', data: { apiToken, instanceId, baseUrl, rateLimitPlan } };
}

export function writeJson(file, value) {
	mkdirSync(path.dirname(file), { recursive: true });
	writeFileSync(file, JSON.stringify(value, null, 2));
	return file;
}
