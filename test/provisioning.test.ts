// scripts/provision-n8n.sh on a scratch cache, with npm replaced by a recorder and n8n's two native
// modules by stand-ins that pass scripts/verify-n8n-native-modules.cjs: what the script decides to
// do with a cache in a given state, without installing anything.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');
const VERSION = '2.41.1';

let work: string;
beforeEach(() => {
	work = mkdtempSync(path.join(tmpdir(), 'hypersender-provisioning-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

const write = (file: string, text: string, mode?: number) => {
	mkdirSync(path.dirname(file), { recursive: true });
	writeFileSync(file, text);
	if (mode) chmodSync(file, mode);
};

/** A cache holding what an npm install killed part-way leaves: n8n's package.json at the version, and its native modules. */
function cacheWithN8nPackageOnly(cache: string) {
	// The Node 24 the script looks for, answering -v as one and running this Node otherwise.
	const nodePackage = `node-${process.platform}-${process.arch}`;
	write(path.join(cache, 'node24/node_modules', nodePackage, 'bin/node'), `#!/bin/sh\n[ "$1" = -v ] && { echo v24.0.0; exit 0; }\nexec "${process.execPath}" "$@"\n`, 0o755);
	const modules = path.join(cache, `n8n-${VERSION}/node_modules`);
	write(path.join(modules, 'n8n/package.json'), JSON.stringify({ name: 'n8n', version: VERSION }));
	write(path.join(modules, 'n8n/bin/n8n'), '');
	write(path.join(modules, 'sqlite3/package.json'), JSON.stringify({ name: 'sqlite3', version: '5.1.7' }));
	write(path.join(modules, 'sqlite3/index.js'), 'exports.Database = class { get(query, done) { done(null, { answer: 42 }); } close() {} };');
	write(path.join(modules, 'sqlite3/build/Release/node_sqlite3.node'), 'stand-in');
	write(path.join(modules, 'isolated-vm/package.json'), JSON.stringify({ name: 'isolated-vm', version: '6.0.0' }));
	write(path.join(modules, 'isolated-vm/index.js'), 'exports.Isolate = class { createContextSync() { return { evalSync: () => 42 }; } dispose() {} };');
}

/** Runs the script on `cache` with an npm that only records its arguments; returns them, one call a line. */
function provision(cache: string) {
	const npmLog = path.join(work, 'npm.log');
	write(path.join(work, 'bin/npm'), `#!/bin/sh\necho "$*" >> "${npmLog}"\n`, 0o755);
	const run = spawnSync('bash', [path.join(ROOT, 'scripts/provision-n8n.sh')], {
		encoding: 'utf8',
		env: { ...process.env, HYPERSENDER_CACHE_DIR: cache, N8N_VERSION: VERSION, PATH: `${path.join(work, 'bin')}:${process.env.PATH}` },
	});
	return { status: run.status, stderr: run.stderr, npmCalls: existsSync(npmLog) ? readFileSync(npmLog, 'utf8').trim().split('\n') : [] };
}

test("a cache that an npm install killed part-way left (n8n's package.json, no .ready) is installed again, not marked ready as it is", () => {
	const cache = path.join(work, 'cache');
	cacheWithN8nPackageOnly(cache);
	const { status, stderr, npmCalls } = provision(cache);
	expect({ status, stderr }).toEqual({ status: 0, stderr: expect.stringContaining(`n8n ${VERSION} ready`) });
	expect(npmCalls.filter((call) => call.startsWith('install '))).toEqual([expect.stringContaining(`n8n@${VERSION}`)]);
	expect(existsSync(path.join(cache, `n8n-${VERSION}/.ready`))).toBe(true);
});

test('a ready cache whose native modules stopped loading is repaired without installing n8n again', () => {
	const cache = path.join(work, 'cache');
	cacheWithN8nPackageOnly(cache);
	expect(provision(cache).status).toBe(0);
	rmSync(path.join(work, 'npm.log'));
	// sqlite3 no longer answers, as a binary built for another Node would not load.
	write(path.join(cache, `n8n-${VERSION}/node_modules/sqlite3/index.js`), "throw new Error('was compiled against a different Node.js version');");
	const { status, stderr, npmCalls } = provision(cache);
	expect(stderr).toContain('fails the native-module check: repairing it');
	// The stand-in npm rebuilds nothing, so the repair cannot succeed; what matters is that it did not reinstall.
	expect(status).not.toBe(0);
	expect(npmCalls.some((call) => call.startsWith('install '))).toBe(false);
	expect(npmCalls.some((call) => call.startsWith('rebuild sqlite3'))).toBe(true);
});
