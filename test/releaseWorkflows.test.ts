// The release pipeline n8n requires (published from a GitHub Action, with an npm provenance
// statement) only holds while the workflow files say the right things. These tests parse
// .github/workflows/ci.yml and publish.yml and check the steps that matter; the tag check in
// publish.yml is run for real.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.join(__dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

interface Step {
	name?: string;
	uses?: string;
	run?: string;
	with?: Record<string, unknown>;
	env?: Record<string, unknown>;
	if?: unknown;
	'continue-on-error'?: unknown;
}
interface Job {
	'runs-on'?: unknown;
	container?: unknown;
	permissions?: Record<string, string> | string;
	environment?: string | { name: string };
	env?: Record<string, unknown>;
	strategy?: { matrix?: Record<string, unknown> };
	steps: Step[];
}
interface Workflow {
	on: Record<string, unknown>;
	permissions?: Record<string, string> | string;
	env?: Record<string, unknown>;
	jobs: Record<string, Job>;
}

const CI_FILE = '.github/workflows/ci.yml';
const PUBLISH_FILE = '.github/workflows/publish.yml';
const ciText = read(CI_FILE);
const publishText = read(PUBLISH_FILE);
const ci = parse(ciText) as Workflow;
const publish = parse(publishText) as Workflow;
const pkg = JSON.parse(read('package.json')) as { version: string; repository: { url: string } };

/** The index of the first step whose `run` has a line that is exactly this command (flags allowed after it). */
function runIndex(job: Job, command: string): number {
	const line = new RegExp(`^\\s*${command.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\s.*)?$`, 'm');
	return job.steps.findIndex((step) => typeof step.run === 'string' && line.test(step.run));
}
function usesIndex(job: Job, action: string): number {
	return job.steps.findIndex((step) => step.uses?.split('@')[0] === action);
}
function allJobs(workflow: Workflow): Job[] {
	return Object.values(workflow.jobs);
}
/** The job that runs a command, failing the test if none or several do. */
function jobRunning(workflow: Workflow, command: string): Job {
	const jobs = allJobs(workflow).filter((job) => runIndex(job, command) >= 0);
	if (jobs.length !== 1) throw new Error(`expected exactly one job to run "${command}", found ${jobs.length}`);
	return jobs[0];
}
/** A step that really gates: it is not skipped by a condition and its failure fails the job. */
function expectGating(step: Step) {
	expect(step.if).toBeUndefined();
	expect(step['continue-on-error']).toBeUndefined();
}
function expectReadOnly(permissions: Job['permissions'], alsoAllowed: Record<string, string> = {}) {
	expect(typeof permissions).toBe('object');
	expect(permissions).toEqual({ contents: 'read', ...alsoAllowed });
}
function nodeMajorMinor(version: unknown): [number, number] {
	const match = /^(\d+)(?:\.(\d+))?/.exec(String(version));
	expect(match).not.toBeNull();
	return [Number(match![1]), Number(match![2] ?? 99)];
}

describe('ci.yml', () => {
	test('runs on every push and pull request, with read-only permissions', () => {
		expect(Object.keys(ci.on).sort()).toEqual(['pull_request', 'push']);
		// No branch or path filter: every push and every pull request is checked.
		expect(ci.on.push ?? {}).toEqual({});
		expect(ci.on.pull_request ?? {}).toEqual({});
		expectReadOnly(ci.permissions);
		for (const job of allJobs(ci)) if (job.permissions !== undefined) expectReadOnly(job.permissions);
	});

	test("runs the README's test command, then build, lint and n8n's scanner, each after npm ci", () => {
		expect(read('README.md')).toContain('npm ci && npm test');
		for (const command of ['npm test', 'npm run build', 'npm run lint', 'npm run scan']) {
			const job = jobRunning(ci, command);
			const step = job.steps[runIndex(job, command)];
			expectGating(step);
			const install = runIndex(job, 'npm ci');
			expect(install).toBeGreaterThanOrEqual(0);
			expect(install).toBeLessThan(runIndex(job, command));
			expect(usesIndex(job, 'actions/checkout')).toBeLessThan(install);
		}
	});

	test('every job installs Node 20 with the npm cache', () => {
		for (const job of allJobs(ci)) {
			const setup = job.steps[usesIndex(job, 'actions/setup-node')];
			expect(setup).toBeDefined();
			expect(nodeMajorMinor(setup.with?.['node-version'])[0]).toBe(20);
			expect(setup.with?.cache).toBe('npm');
		}
	});

	/**
	 * A job that runs `command` in provisioned real n8n restores the provisioning cache before it:
	 * the folder the provisioning script uses, keyed on the n8n version (`versionInKey`) and on
	 * the script, and never restored from another version's cache.
	 */
	function describeProvisioningCache(job: Job, command: string, versionInKey: RegExp) {
		const commandIndex = runIndex(job, command);
		const cacheIndex = usesIndex(job, 'actions/cache');
		const cache = job.steps[cacheIndex];

		test('restores the provisioned n8n before the run, keyed on the n8n version and the provisioning script', () => {
			expect(cacheIndex).toBeGreaterThanOrEqual(0);
			expect(cacheIndex).toBeLessThan(commandIndex);
			const key = String(cache.with?.key);
			expect(key).toMatch(versionInKey);
			expect(key).toMatch(/hashFiles\([^)]*'scripts\/provision-n8n\.sh'/);
			// A cache from another version must never be restored in place of this one.
			for (const restoreKey of String(cache.with?.['restore-keys'] ?? '')
				.split('\n')
				.filter(Boolean)) {
				expect(restoreKey).toMatch(versionInKey);
			}
		});

		test('caches the folder the provisioning script uses', () => {
			expect(cache.with?.path).toBe('~/.cache/n8n-nodes-hypersender');
			// The script reads HYPERSENDER_CACHE_DIR; it must name that same folder before the run.
			const setsDir = job.steps
				.slice(0, commandIndex)
				.some(
					(step) =>
						step.run?.includes('HYPERSENDER_CACHE_DIR=$HOME/.cache/n8n-nodes-hypersender') &&
						step.run.includes('$GITHUB_ENV'),
				);
			expect(setsDir).toBe(true);
			expect(read('scripts/provision-n8n.sh')).toContain('CACHE_DIR="${HYPERSENDER_CACHE_DIR:-');
		});
	}

	describe('e2e', () => {
		const job = jobRunning(ci, 'npm run test:e2e');
		const e2eIndex = runIndex(job, 'npm run test:e2e');
		const versions = (job.strategy?.matrix?.n8n ?? []) as unknown[];

		test('runs against every n8n version in its matrix, including the provisioning default', () => {
			expect(versions).toEqual(expect.arrayContaining(['1.123.81', '2.40.7']));
			const defaultVersion = /N8N_VERSION="\$\{N8N_VERSION:-([^}]+)\}"/.exec(read('scripts/provision-n8n.sh'));
			expect(defaultVersion).not.toBeNull();
			expect(versions).toContain(defaultVersion![1]);
			const e2eEnv = { ...ci.env, ...job.env, ...job.steps[e2eIndex].env };
			expect(e2eEnv.N8N_VERSION).toMatch(/^\$\{\{\s*matrix\.n8n\s*\}\}$/);
			expectGating(job.steps[e2eIndex]);
		});

		test("the newest line of the matrix also runs the typecheck and jest against its own n8n-workflow and n8n-core, as .ci/run does", () => {
			const newest = versions.map(String).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);
			const index = runIndex(job, 'npm run test:n8n-line');
			expect(index).toBeGreaterThan(runIndex(job, 'npm ci'));
			expect(job.steps[index].if).toBe('matrix.unit-suite-on-line');
			expect(job.steps[index]['continue-on-error']).toBeUndefined();
			const include = (job.strategy?.matrix?.include ?? []) as Record<string, unknown>[];
			expect(include.filter((entry) => entry['unit-suite-on-line'])).toEqual([{ n8n: newest, 'unit-suite-on-line': true }]);
			expect(read('.ci/run')).toMatch(/^(env -u N8N_VERSION )?npm run test:n8n-line$/m);
		});

		test('scripts/lib/n8n-lines.mjs, which reads the matrix without a YAML parser, reads these versions', () => {
			const script = "import('./scripts/lib/n8n-lines.mjs').then((lines) => console.log(JSON.stringify([lines.matrixVersions(), lines.newestMatrixVersion()])))";
			const read = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
			expect(read.stderr).toBe('');
			const newest = versions.map(String).sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);
			expect(JSON.parse(read.stdout)).toEqual([versions.map(String), newest]);
		});

		describe('scripts/lib/n8n-lines.mjs on a matrix written other ways: it reads what YAML reads, or stops with an error naming ci.yml', () => {
			const matrixLine = /^ +n8n: \[.*\]\n/m;
			// A copy of scripts/lib beside each edited ci.yml: the reader finds the file from its own folder.
			const readVersionsOf = (matrix: string) => {
				const root = mkdtempSync(path.join(tmpdir(), 'hypersender-n8n-lines-'));
				try {
					cpSync(path.join(ROOT, 'scripts/lib'), path.join(root, 'scripts/lib'), { recursive: true });
					mkdirSync(path.join(root, '.github/workflows'), { recursive: true });
					const edited = ciText.replace(matrixLine, matrix);
					writeFileSync(path.join(root, CI_FILE), edited);
					const script = "import('./scripts/lib/n8n-lines.mjs').then((lines) => console.log(JSON.stringify(lines.matrixVersions())))";
					const run = spawnSync(process.execPath, ['-e', script], { cwd: root, encoding: 'utf8' });
					const yamlReads = (parse(edited) as Workflow).jobs.e2e.strategy?.matrix?.n8n;
					return { status: run.status, read: run.status === 0 ? JSON.parse(run.stdout) : undefined, stderr: run.stderr, yamlReads };
				} finally {
					rmSync(root, { recursive: true, force: true });
				}
			};
			test('the edits apply to this ci.yml', () => expect(ciText).toMatch(matrixLine));
			test.each([
				['over several lines, with comments', "        n8n: [\n          '1.123.81', # the oldest [supported]\n          '2.40.7',\n          # '2.41.0',\n          '2.41.1',\n        ]\n"],
				['with a comment holding brackets after it', "        n8n: ['1.123.81', '2.41.1'] # was ['2.40.7']\n"],
				['with double quotes, bare versions and extra spaces', '        n8n:   [ "1.123.81" ,2.40.7,   \'2.41.1\' ]  \n'],
			])('%s', (_, matrix) => {
				const { status, read: versionsRead, stderr, yamlReads } = readVersionsOf(matrix);
				expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
				expect(versionsRead).toEqual(yamlReads);
			});
			test.each([
				['as a block list', "        n8n:\n          - '1.123.81'\n          - '2.41.1'\n", /ci\.yml should hold one list "n8n: \[\.\.\.\]"/],
				['with a bare 2.40 (a number to YAML)', "        n8n: ['1.123.81', 2.40]\n", /ci\.yml: the e2e matrix "n8n: \[\.\.\.\]" holds entries that are not n8n versions \(x\.y\.z\): "2\.40"/],
			])('%s', (_, matrix, error) => {
				const { status, stderr } = readVersionsOf(matrix);
				expect(status).not.toBe(0);
				expect(stderr).toMatch(error);
			});
		});

		describeProvisioningCache(job, 'npm run test:e2e', /\$\{\{\s*matrix\.n8n\s*\}\}/);
	});

	describe('queue', () => {
		const job = jobRunning(ci, 'npm run test:queue');
		const queueIndex = runIndex(job, 'npm run test:queue');
		// The version test:queue runs unless QUEUE_N8N_VERSION says otherwise.
		const queueVersion = /process\.env\.QUEUE_N8N_VERSION \?\? '([^']+)'/.exec(read('scripts/queue.mjs'))?.[1];

		test('runs test:queue after npm ci, as .ci/run does and as the README says, on the version the README names', () => {
			expect(queueIndex).toBeGreaterThanOrEqual(0);
			expectGating(job.steps[queueIndex]);
			expect(runIndex(job, 'npm ci')).toBeLessThan(queueIndex);
			expect(usesIndex(job, 'actions/checkout')).toBeLessThan(runIndex(job, 'npm ci'));
			expect(read('.ci/run')).toMatch(/^npm run test:queue$/m);
			expect(queueVersion).toBeDefined();
			expect(read('README.md')).toContain(`\`npm run test:queue\` tests it there on every CI run, on n8n ${queueVersion}`);
			// Neither the e2e matrix's N8N_VERSION nor an override changes the version the README names.
			const queueEnv = { ...ci.env, ...job.env, ...job.steps[queueIndex].env };
			expect(queueEnv).not.toHaveProperty('QUEUE_N8N_VERSION');
		});

		test('runs in the Debian whose PostgreSQL the queue test uses, as root (it installs Redis and PostgreSQL with apt-get)', () => {
			const helpers = path.join(ROOT, 'scripts/queue');
			const queueSources = ['scripts/queue.mjs', ...(existsSync(helpers) ? readdirSync(helpers).map((file) => `scripts/queue/${file}`) : [])].map(read).join('\n');
			// Debian 12 (bookworm) ships PostgreSQL 15.
			expect(queueSources).toContain("'/usr/lib/postgresql/15/bin'");
			// An image named alone runs as its default user, root.
			expect(job.container).toBe('debian:bookworm');
		});

		describeProvisioningCache(job, 'npm run test:queue', new RegExp(`-${String(queueVersion).replace(/\./g, '\\.')}-`));
	});
});

describe('publish.yml', () => {
	const [jobName, ...otherJobs] = Object.keys(publish.jobs);
	const job = publish.jobs[jobName];
	const publishIndex = runIndex(job, 'npm publish');
	const publishStep = job.steps[publishIndex];

	test('runs only when a version tag is pushed, and that tag pattern matches a version', () => {
		expect(Object.keys(publish.on)).toEqual(['push']);
		const push = publish.on.push as Record<string, unknown>;
		expect(Object.keys(push)).toEqual(['tags']);
		expect(push.tags).toEqual(['v*.*.*']);
		const glob = new RegExp(`^${(push.tags as string[])[0].replace(/\./g, '\\.').replace(/\*/g, '[^/]*')}$`);
		expect(glob.test(`v${pkg.version}`)).toBe(true);
		expect(glob.test('main')).toBe(false);
	});

	test('one job, in the npm environment, with id-token: write and otherwise read-only', () => {
		expect(otherJobs).toEqual([]);
		expectReadOnly(publish.permissions, {});
		expectReadOnly(job.permissions, { 'id-token': 'write' });
		const environment = typeof job.environment === 'object' ? job.environment.name : job.environment;
		expect(environment).toBe('npm');
		expect(job['runs-on']).toBe('ubuntu-latest'); // trusted publishing needs a GitHub-hosted runner
	});

	test('publishes with --provenance and public access', () => {
		expect(publishIndex).toBeGreaterThanOrEqual(0);
		expect(publishStep.run).toMatch(/^\s*npm publish .*--provenance(\s|$)/m);
		expect(publishStep.run).toMatch(/--access public/);
		expect(publishStep.run).not.toMatch(/--provenance=false|--dry-run/);
		expect(publishText).not.toMatch(/provenance\s*[:=]\s*false/i);
		expectGating(publishStep);
	});

	test('installs, builds, lints, tests and scans before publishing', () => {
		const install = runIndex(job, 'npm ci');
		expect(install).toBeGreaterThanOrEqual(0);
		let previous = install;
		for (const command of ['npm run build', 'npm run lint', 'npm test', 'npm run scan']) {
			const index = runIndex(job, command);
			expect([command, index > previous]).toEqual([command, true]);
			expect(index).toBeLessThan(publishIndex);
			expectGating(job.steps[index]);
			previous = index;
		}
	});

	test('uses no long-lived npm token: trusted publishing through OIDC', () => {
		for (const text of [publishText, ciText]) {
			expect(text).not.toMatch(/NPM_TOKEN|NODE_AUTH_TOKEN|_authToken/);
		}
		expect(publishText).not.toMatch(/secrets\./);
	});

	test('publishes with a Node and npm that can do trusted publishing (Node >= 22.14, npm >= 11.5.1)', () => {
		const setups = job.steps
			.map((step, index) => ({ step, index }))
			.filter(({ step, index }) => step.uses?.startsWith('actions/setup-node@') && index < publishIndex);
		const last = setups[setups.length - 1].step;
		const [major, minor] = nodeMajorMinor(last.with?.['node-version']);
		expect(major > 22 || (major === 22 && minor >= 14)).toBe(true);
		expect(last.with?.['registry-url']).toBe('https://registry.npmjs.org');
		const npmUpgrade = job.steps
			.slice(setups[setups.length - 1].index + 1, publishIndex)
			.some((step) => /npm install -g npm@\^11\.5\.1/.test(step.run ?? ''));
		expect(npmUpgrade).toBe(true);
	});

	test('package.json names the GitHub repository the provenance statement will point to', () => {
		expect(pkg.repository.url).toMatch(/^git\+https:\/\/github\.com\/[^/]+\/n8n-nodes-hypersender\.git$/);
	});

	describe("the tag check, run for real against package.json's version", () => {
		const checkIndex = job.steps.findIndex(
			(step) =>
				/ref_name|GITHUB_REF/.test(JSON.stringify([step.run, step.env])) && /package\.json/.test(step.run ?? ''),
		);
		const check = job.steps[checkIndex];

		function runCheck(tag: string) {
			const expand = (text: string) => text.replace(/\$\{\{\s*github\.ref_name\s*\}\}/g, tag);
			const stepEnv = Object.fromEntries(Object.entries(check.env ?? {}).map(([k, v]) => [k, expand(String(v))]));
			const script = expand(check.run ?? '');
			expect(script).not.toMatch(/\$\{\{/); // nothing else left for GitHub to fill in
			return spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
				cwd: ROOT,
				env: { ...process.env, GITHUB_REF_NAME: tag, GITHUB_REF: `refs/tags/${tag}`, ...stepEnv },
				encoding: 'utf8',
			});
		}

		test('comes before npm ci and the publish, and gates them', () => {
			expect(checkIndex).toBeGreaterThanOrEqual(0);
			expect(checkIndex).toBeLessThan(runIndex(job, 'npm ci'));
			expect(checkIndex).toBeLessThan(publishIndex);
			expectGating(check);
		});

		test(`passes for v${pkg.version}`, () => {
			const result = runCheck(`v${pkg.version}`);
			expect([result.status, result.stderr]).toEqual([0, '']);
		});

		test.each([`v${pkg.version}.1`, `v${pkg.version}-rc.1`, pkg.version, 'v99.0.0', `x${pkg.version}`])(
			'fails for %s',
			(tag) => {
				const result = runCheck(tag);
				expect(result.status).not.toBe(0);
				expect(result.stdout + result.stderr).toContain(pkg.version);
			},
		);
	});
});

test('every action is pinned to a major version of an actions/* action', () => {
	const uses = [...allJobs(ci), ...allJobs(publish)]
		.flatMap((job) => job.steps.map((step) => step.uses))
		.filter(Boolean);
	expect(uses.length).toBeGreaterThan(0);
	for (const action of uses) expect(action).toMatch(/^actions\/(checkout|setup-node|cache)@v4$/);
});
