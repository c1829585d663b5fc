// The processes the scripts start (n8n, Redis, PostgreSQL's tools) and how they are stopped.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/** n8n colours its log lines; the colour codes start with the ESC control character. */
// eslint-disable-next-line no-control-regex
export const stripColours = (text) => text.replace(/\x1b\[[0-9;]*m/g, '');

/** Runs a command to completion; returns its stdout, or throws with the end of what it printed. */
export function runOrThrow(command, args, options = {}) {
	const result = spawnSync(command, args, { encoding: 'utf8', ...options });
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}):\n${`${result.stderr ?? ''}${result.stdout ?? ''}`.slice(-3000)}`);
	return result.stdout;
}

/**
 * A long-running child whose output (stdout and stderr) is kept for searching, also written to
 * `logFile` and passed to `log` as it comes when given. `output()` is that text without colours.
 */
export function startChild(name, command, args, { env, logFile, log }) {
	const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
	const file = logFile && createWriteStream(logFile);
	let output = '';
	const collect = (chunk) => {
		output += chunk;
		file?.write(chunk);
		log?.(chunk);
	};
	child.stdout.on('data', collect);
	child.stderr.on('data', collect);
	if (file) child.once('close', () => file.end());
	return { name, child, output: () => stripColours(output) };
}

/** SIGTERM, then SIGKILL after 15 s; resolves once the child has exited (at once if it had). */
export async function stopProcess(child) {
	// A child killed by a signal has exitCode null but a signalCode: it has exited all the same.
	if (!child || child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.kill('SIGTERM');
	const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
	await exited;
	clearTimeout(timer);
}

/**
 * What a run started, to stop latest first: `add(name, stop)`, then `stopAll()` at the end. On
 * SIGINT or SIGTERM everything is stopped too, and the process exits with 130. Each entry runs
 * once; one that fails is logged and the others still run.
 */
export function stopList(log) {
	const entries = [];
	const stopAll = async () => {
		while (entries.length) {
			const { name, stop } = entries.pop();
			try {
				await stop();
			} catch (error) {
				log(`stopping ${name} failed: ${error.message ?? error}`);
			}
		}
	};
	for (const signal of ['SIGINT', 'SIGTERM']) {
		process.once(signal, () => {
			log(`${signal}: stopping everything this run started`);
			void stopAll().finally(() => process.exit(130));
		});
	}
	return { add: (name, stop) => entries.push({ name, stop }), stopAll };
}
