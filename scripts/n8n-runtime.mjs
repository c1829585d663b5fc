// Shared by the end-to-end run, `npm run dev` and `npm run screenshots`: a provisioned real
// n8n, run with a user folder of our choosing, its CLI and its REST API.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
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
	// n8n colours its log lines; the colour codes start with the ESC control character.
	// eslint-disable-next-line no-control-regex
	const strip = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');
	return { status, stdout: strip(stdout), stderr: strip(stderr) };
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

/** Starts `n8n start`; resolves once its REST API answers. */
export async function startN8n(bins, env, { log } = {}) {
	const child = spawn(bins.node, [bins.n8n, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	const collect = (chunk) => {
		output += chunk;
		log?.(chunk);
	};
	child.stdout.on('data', collect);
	child.stderr.on('data', collect);
	const url = `http://127.0.0.1:${env.N8N_PORT}`;
	const deadline = Date.now() + 120_000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`n8n exited early:\n${output.slice(-4000)}`);
		try {
			// Not /healthz/readiness: n8n 1.x reports ready once its database is, before its REST
			// routes exist (owner setup then answers 404). Its own log line first, so that another
			// n8n on this port (it was free when chosen) is never taken for this one.
			if (output.includes(`n8n ready on 127.0.0.1, port ${env.N8N_PORT}`)) {
				const response = await fetch(`${url}/rest/settings`);
				if (response.ok) return { child, url, output: () => output };
			}
		} catch {
			// not listening yet
		}
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
	child.kill('SIGTERM');
	throw new Error(`n8n did not become ready in 120 s:\n${output.slice(-4000)}`);
}

export async function stopProcess(child) {
	// A child killed by a signal has exitCode null but a signalCode: it has exited all the same.
	if (!child || child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
	await exited;
	clearTimeout(timer);
}

export function credentialJson({ id = 'hypersenderFake', name = 'Hypersender (fake server)', apiToken, instanceId, baseUrl, rateLimitPlan = 'unlimited' }) {
	return { id, name, type: 'hypersenderApi', data: { apiToken, instanceId, baseUrl, rateLimitPlan } };
}

export function writeJson(file, value) {
	mkdirSync(path.dirname(file), { recursive: true });
	writeFileSync(file, JSON.stringify(value, null, 2));
	return file;
}

/**
 * Creates the owner account of a freshly started n8n through its REST API (as the editor's
 * first screen does) and returns a client for the REST API, signed in as that owner.
 * `rest(method, path, body)` resolves to `{ status, body }`, the body parsed if JSON.
 */
export async function setUpOwner(n8n, owner) {
	const headers = { 'Content-Type': 'application/json', 'browser-id': 'hypersender-scripts' };
	const setup = await fetch(`${n8n.url}/rest/owner/setup`, { method: 'POST', headers, body: JSON.stringify(owner) });
	const cookie = (setup.headers.get('set-cookie') ?? '').split(';')[0];
	if (!setup.ok || !cookie) throw new Error(`Setting up n8n's owner failed: HTTP ${setup.status} ${await setup.text()}`);
	const rest = async (method, route, body) => {
		const response = await fetch(`${n8n.url}/rest${route}`, {
			method,
			headers: { ...headers, cookie },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		let parsed = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// not JSON: keep the text, the caller reports it
		}
		return { status: response.status, body: parsed };
	};
	return { cookie, rest };
}
