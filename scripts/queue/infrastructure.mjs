// What `npm run test:queue` runs on: Redis and PostgreSQL from Debian's packages (installed when
// missing; needs root for apt-get and to run Postgres as the `postgres` user), and n8n's queue
// mode: main (`n8n start`), one `n8n webhook` process and two `n8n worker --concurrency=1`, each
// with its own user folder holding the package, all on 127.0.0.1 and sharing Postgres, Redis and
// N8N_ENCRYPTION_KEY. Everything started is added to the run's stop list.
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { freePort, n8nEnv, startN8n } from '../lib/n8n-runtime.mjs';
import { runOrThrow, startChild, stopProcess } from '../lib/processes.mjs';
import { waitFor } from '../lib/wait.mjs';

const PG_BIN = '/usr/lib/postgresql/15/bin';
export const WORKERS = ['worker-1', 'worker-2'];
// n8n's own defaults for noticing a dead worker (the Bull job lock lapses after 60 s; workers look
// for stalled jobs every 30 s): shortened, they made a busy worker's healthy job look stalled here.
// Only shutting down is made quicker (n8n waits up to 30 s for running executions).
const QUICK_SHUTDOWN_ENV = { QUEUE_BULL_GRACEFUL_SHUTDOWN_TIMEOUT: '5' };

export function installDebianPackagesWhenMissing(log) {
	if (existsSync('/usr/bin/redis-server') && existsSync(path.join(PG_BIN, 'initdb'))) return;
	log('installing redis-server and postgresql from Debian (apt-get)');
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	runOrThrow('apt-get', ['update'], { env });
	runOrThrow('apt-get', ['install', '-y', 'redis-server', 'postgresql'], { env });
}

/** Redis on a free port, without persistence, its files in `work`; resolves to the port. */
async function startRedis(work, stops) {
	const port = await freePort();
	const dir = path.join(work, 'redis');
	mkdirSync(dir);
	const redis = startChild('redis', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'], {
		env: process.env,
		logFile: path.join(work, 'redis.log'),
	});
	stops.add('redis', () => stopProcess(redis.child));
	await waitFor('Redis to accept connections', () => {
		if (redis.child.exitCode !== null) throw new Error(`redis-server exited:\n${redis.output()}`);
		return /Ready to accept connections/.test(redis.output());
	}, { timeoutMs: 20_000, everyMs: 100 });
	return port;
}

/** Postgres in its own temporary folder, run as the `postgres` user when we are root (it refuses root); resolves to its port. */
async function startPostgres(stops) {
	const folder = mkdtempSync(path.join(tmpdir(), 'hypersender-queue-pg-'));
	const asRoot = process.getuid?.() === 0;
	if (asRoot) runOrThrow('chown', ['-R', 'postgres:postgres', folder]);
	const pg = (tool, args) => (asRoot ? runOrThrow('runuser', ['-u', 'postgres', '--', path.join(PG_BIN, tool), ...args]) : runOrThrow(path.join(PG_BIN, tool), args));
	const data = path.join(folder, 'data');
	const port = await freePort();
	pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
	stops.add('postgres', () => {
		if (existsSync(path.join(data, 'postmaster.pid'))) pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
		rmSync(folder, { recursive: true, force: true });
	});
	pg('pg_ctl', ['-D', data, '-l', path.join(folder, 'postgres.log'), '-w', '-o', `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1`, 'start']);
	return port;
}

/**
 * Starts Redis and Postgres and resolves to each n8n role's environment ('main', 'webhook' and
 * the WORKERS): its own user folder, a copy of `template` (a user folder with the package
 * installed), as on its own machine.
 */
export async function startQueueBackends({ work, template, stops, log }) {
	const redisPort = await startRedis(work, stops);
	const postgresPort = await startPostgres(stops);
	log(`Redis on 127.0.0.1:${redisPort}, PostgreSQL on 127.0.0.1:${postgresPort}`);
	const envFor = async (role) => {
		const userFolder = path.join(work, role);
		cpSync(template, userFolder, { recursive: true });
		const port = await freePort();
		return {
			...n8nEnv(userFolder, { port, brokerPort: await freePort() }),
			...QUICK_SHUTDOWN_ENV,
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redisPort),
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(port),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgresPort),
			DB_POSTGRESDB_DATABASE: 'postgres',
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
			// Production webhooks only on the webhook process, as in a real queue-mode setup.
			N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
		};
	};
	return Object.fromEntries(await Promise.all(['main', 'webhook', ...WORKERS].map(async (role) => [role, await envFor(role)])));
}

/** Starts main, then the webhook process and the workers; resolves to { main, webhook, workers }, each { name, child, url, output() }. */
export async function startQueueN8n({ bins, envs, work, stops, log }) {
	const start = async (role, args, healthPort) => {
		const n8n = await startN8n(bins, envs[role], { args, name: role, healthPort, logFile: path.join(work, `${role}.log`), stops, timeoutMs: 180_000 });
		log(`n8n ${role} ready (pid ${n8n.child.pid})`);
		return n8n;
	};
	const main = await start('main', ['start'], envs.main.N8N_PORT);
	const [webhook, ...workers] = await Promise.all([
		start('webhook', ['webhook'], envs.webhook.N8N_PORT),
		...WORKERS.map((role) => start(role, ['worker', '--concurrency=1'], envs[role].QUEUE_HEALTH_CHECK_PORT)),
	]);
	return { main, webhook, workers };
}
