#!/usr/bin/env node
// `npm run scan` (also `npm run verify:n8n`): every rule of n8n's community-node verification that
// can be checked from this repository and the packed tarball, offline, each printed with ok/FAIL.
// n8n's scanner CLI only fetches packages from the registry, so this runs its analyser
// (@n8n/scan-community-package's analyzePackage, which lints with inline ESLint config off) on the
// unpacked `npm pack` tarball and, as its provenance leg does, on the source files. What only n8n
// can judge (the provenance statement of a published version, a human review) is not here.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';
import { parse as parseYaml } from 'yaml';

import { ROOT } from './lib/n8n-runtime.mjs';

// A guard against shipping what users do not need (tests, fixtures, source maps, a stray build),
// not a product limit: the phone-number metadata alone is ~35 kB packed. Raised from 100 kB when
// media download and Send and Wait were added; a jump past it means something unplanned was packed.
const MAX_TARBALL_KB = 160;
const MAX_TARBALL_BYTES = MAX_TARBALL_KB * 1024;
const ALLOWED_FILES = [/^dist\//, /^README\.md$/, /^LICENSE$/, /^CHANGELOG\.md$/, /^package\.json$/];
// Country names in German, French and Spanish, which users may type into a phone number field:
// data the node matches against, not text it shows.
const NON_ENGLISH_DATA = [/^dist\/nodes\/Hypersender\/shared\/phoneMetadata\.generated\.js$/];
// Comments that switch ESLint rules off or on: n8n's scanner ignores them, so a rule they silence
// here still fails verification.
const ESLINT_DIRECTIVE = /\/[/*]\s*eslint(-disable|-enable|-env|\s)|\/\*\s*(globals?|exported)\s/;
// Reading the environment or the file system, in the forms TypeScript compiles to.
const ENV_OR_FS = /process\.env|require\(["'](node:)?(fs|fs\/promises|child_process)["']\)|from ["'](node:)?(fs|fs\/promises)["']/;

// A letter outside ASCII, as written or as an escape in a string literal ('Env\u00eda' shows as
// 'Envía' in n8n just the same). Escapes in regular expressions are not text and are not read.
const NON_ASCII_LETTER = /[^\p{ASCII}\P{L}]/u;
const STRING_LITERAL = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g;
const ESCAPE = /\\u\{([0-9a-fA-F]+)\}|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})/g;
const unescaped = (literal) => literal.replace(ESCAPE, (_, braced, four, two) => String.fromCodePoint(parseInt(braced ?? four ?? two, 16)));
const NOT_ENGLISH = { test: (line) => NON_ASCII_LETTER.test(line) || (line.match(STRING_LITERAL) ?? []).some((literal) => NON_ASCII_LETTER.test(unescaped(literal))) };

let failed = false;
const report = (ok, message, details) => {
	console.log(`${ok ? 'ok  ' : 'FAIL'}  ${message}`);
	if (!ok) {
		failed = true;
		if (details) console.log(details);
	}
};
const section = (title) => console.log(`\n${title}`);

/** Files under `dir` (relative to it, with forward slashes), recursively. */
function filesUnder(dir, prefix = '') {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
		entry.isDirectory() ? filesUnder(path.join(dir, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
	);
}

/** `file:line: text` for every line of `files` (relative to `dir`) that matches `pattern`. */
function linesMatching(dir, files, pattern) {
	return files.flatMap((file) =>
		readFileSync(path.join(dir, file), 'utf8')
			.split('\n')
			.flatMap((line, index) => (pattern.test(line) ? [`${file}:${index + 1}: ${line.trim().slice(0, 160)}`] : [])),
	);
}

function checkPublishWorkflow() {
	const publish = parseYaml(readFileSync(path.join(ROOT, '.github/workflows/publish.yml'), 'utf8'));
	const jobs = Object.values(publish.jobs ?? {});
	const steps = jobs.flatMap((job) => job.steps ?? []);
	const publishes = steps.some((step) => /^\s*npm publish .*--provenance(\s|$)/m.test(step.run ?? '') && !/^\s*npm publish .*--dry-run/m.test(step.run ?? ''));
	const signs = jobs.some((job) => job.permissions?.['id-token'] === 'write');
	report(publishes && signs, 'published from a GitHub Action with an npm provenance statement (.github/workflows/publish.yml: npm publish --provenance, id-token: write)');
}

function checkManifest(manifest) {
	report(/^(@[^/]+\/)?n8n-nodes-/.test(manifest.name), `package name starts with n8n-nodes- (${manifest.name})`);
	report(manifest.keywords?.includes('n8n-community-node-package'), 'keywords include n8n-community-node-package');
	const runtime = ['dependencies', 'optionalDependencies', 'bundleDependencies', 'bundledDependencies'].filter((field) => Object.keys(manifest[field] ?? {}).length > 0);
	report(runtime.length === 0, 'no runtime dependencies', `package.json has ${runtime.join(', ')}`);
	const peers = Object.entries(manifest.peerDependencies ?? {});
	report(peers.every(([name, range]) => name === 'n8n-workflow' && range === '*'), 'peerDependencies name only n8n-workflow, as *', JSON.stringify(manifest.peerDependencies));
	const license = readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');
	// The heading alone is not the licence: a LICENSE that says "MIT License" above another text is not MIT.
	const mitText = license.startsWith('MIT License') && license.includes('Permission is hereby granted, free of charge, to any person obtaining a copy') && license.includes('THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND');
	report(manifest.license === 'MIT' && mitText, `MIT license (package.json "license": ${manifest.license}; LICENSE is the MIT text)`);
	report(manifest.n8n?.strict === true, 'n8n.strict is true');
	report(manifest.n8n?.n8nNodesApiVersion === 1, 'n8n.n8nNodesApiVersion is 1');
	for (const field of ['engines', 'author']) report(Boolean(manifest[field]), `package.json has ${field}`);

	const repository = /^git\+https:\/\/github\.com\/([^/]+)\/([^/]+)\.git$/.exec(manifest.repository?.url ?? '');
	const [, owner, repo] = repository ?? [];
	const repoUrl = `https://github.com/${owner}/${repo}`;
	const emailDomain = /@([^.]+)\./.exec(manifest.author?.email ?? '')?.[1];
	// Exactly that repository: a prefix let https://github.com/o/n8n-nodes-x pass beside a repository URL of o/n8n-nodes.
	const homepageOfRepo = manifest.homepage === repoUrl || manifest.homepage?.startsWith(`${repoUrl}#`);
	report(
		Boolean(repository) && homepageOfRepo && manifest.bugs?.url === `${repoUrl}/issues` && Boolean(manifest.author?.name) && emailDomain?.toLowerCase() === owner?.toLowerCase(),
		`repository, homepage, bugs and npm author agree (${repoUrl}; author ${manifest.author?.name} <${manifest.author?.email}>)`,
		JSON.stringify({ repository: manifest.repository, homepage: manifest.homepage, bugs: manifest.bugs, author: manifest.author }, null, 2),
	);
}

/** One service: every node and credential of the package is Hypersender's and uses only its credentials. */
function checkOneService(manifest) {
	const requireFromRoot = createRequire(path.join(ROOT, 'package.json'));
	// As n8n's loader does: the class named as the file (a node file may export other things too).
	const load = (file) => {
		const className = path.basename(file).split('.')[0];
		const Type = requireFromRoot(path.join(ROOT, file))[className];
		if (typeof Type !== 'function') throw new Error(`${file} does not export a class ${className}, which n8n loads from it`);
		return [new Type()];
	};
	const credentials = manifest.n8n.credentials.flatMap(load);
	const nodes = manifest.n8n.nodes.flatMap(load).map((node) => node.description);
	const credentialNames = new Set(credentials.map((credential) => credential.name));
	const strays = [
		...credentials.filter((credential) => !/^hypersender/i.test(credential.name) || !/^Hypersender/.test(credential.displayName)).map((credential) => `credential ${credential.name}`),
		...nodes.filter((node) => !/^hypersender/i.test(node.name) || !/^Hypersender/.test(node.displayName)).map((node) => `node ${node.name}`),
		...nodes.flatMap((node) => (node.credentials ?? []).filter((credential) => !credentialNames.has(credential.name)).map((credential) => `node ${node.name} uses credential ${credential.name}`)),
	];
	report(
		strays.length === 0 && nodes.length > 0,
		`one service per package: ${nodes.map((node) => node.displayName).join(', ')} and ${credentials.map((credential) => credential.displayName).join(', ')}, all Hypersender`,
		strays.join('\n'),
	);
}

function checkReadme(readme) {
	const sections = ['Install', 'Credentials', 'Operations', 'Examples'].filter((heading) => !new RegExp(`^## ${heading}\\b`, 'm').test(readme));
	report(sections.length === 0, 'README has usage (Install, Credentials, Operations) and Examples sections', `missing: ${sections.join(', ')}`);
	const unnamed = readdirSync(path.join(ROOT, 'examples')).filter((file) => file.endsWith('.json') && !readme.includes(`\`${file}\``));
	report(unnamed.length === 0, 'README names every example workflow in examples/', unnamed.join('\n'));
}

const work = mkdtempSync(path.join(tmpdir(), 'hypersender-scan-'));
try {
	const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
	const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' }));
	const tarball = path.join(work, packed.filename);
	const unpacked = path.join(work, 'package');
	mkdirSync(unpacked);
	execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
	const shipped = filesUnder(unpacked);
	const shippedCode = shipped.filter((file) => /\.(js|json)$/.test(file) && file !== 'package.json');
	const sources = ['nodes', 'credentials'].flatMap((dir) => filesUnder(path.join(ROOT, dir), `${dir}/`)).filter((file) => /\.(ts|js)$/.test(file));

	section('The packed tarball');
	const size = statSync(tarball).size;
	report(size < MAX_TARBALL_BYTES, `tarball is ${(size / 1024).toFixed(1)} kB (limit ${MAX_TARBALL_KB} kB)`);
	const stray = shipped.filter((file) => !ALLOWED_FILES.some((pattern) => pattern.test(file)));
	report(stray.length === 0, 'tarball holds only dist/, README.md, LICENSE, CHANGELOG.md, package.json', stray.join('\n'));
	for (const required of ['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json']) report(shipped.includes(required), `tarball includes ${required}`);
	const listed = [...manifest.n8n.nodes, ...manifest.n8n.credentials];
	const missing = listed.filter((file) => !shipped.includes(file));
	report(missing.length === 0, 'every file in the "n8n" section is in the tarball', missing.join('\n'));

	section("n8n's verification rules");
	checkPublishWorkflow();
	const tarballScan = await analyzePackage(unpacked);
	report(tarballScan.passed, "n8n's scanner passes the packed tarball (ESLint with inline config off)", `${tarballScan.message ?? ''}\n${tarballScan.details ?? ''}`);
	const sourceScan = await analyzePackage(ROOT, SOURCE_FILE_PATTERNS);
	report(sourceScan.passed, "n8n's scanner passes the source files (as its provenance leg lints them)", `${sourceScan.message ?? ''}\n${sourceScan.details ?? ''}`);
	const directives = [...linesMatching(ROOT, sources, ESLINT_DIRECTIVE), ...linesMatching(unpacked, shippedCode, ESLINT_DIRECTIVE)];
	report(directives.length === 0, 'no eslint-disable or other ESLint directive comments in shipped code or its source (the scanner ignores them)', directives.join('\n'));
	checkManifest(manifest);
	checkOneService(manifest);
	const envOrFs = linesMatching(unpacked, shippedCode, ENV_OR_FS);
	report(envOrFs.length === 0, 'no environment variables (process.env) and no file-system or child-process access in dist/', envOrFs.join('\n'));
	const textFiles = shipped.filter((file) => /\.(js|json|md)$/.test(file) && !NON_ENGLISH_DATA.some((pattern) => pattern.test(file)));
	const nonEnglish = linesMatching(unpacked, textFiles, NOT_ENGLISH);
	report(nonEnglish.length === 0, 'English: no letters outside ASCII in shipped text (the phone metadata\'s country names excepted)', nonEnglish.join('\n'));
	checkReadme(readFileSync(path.join(unpacked, 'README.md'), 'utf8'));
} finally {
	rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
