#!/usr/bin/env node
// `npm run scan`: what n8n checks before it verifies a community package, run offline.
// n8n's scanner CLI only fetches packages from the registry, so this runs its analyser
// (@n8n/scan-community-package's analyzePackage) on the unpacked `npm pack` tarball and, as its
// provenance leg does, on the source files; then checks the tarball's contents and size.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

import { ROOT } from './lib/n8n-runtime.mjs';

// A guard against shipping what users do not need (tests, fixtures, source maps, a stray build),
// not a product limit: the phone-number metadata alone is ~35 kB packed. Raised from 100 kB when
// media download and Send and Wait were added; a jump past it means something unplanned was packed.
const MAX_TARBALL_KB = 160;
const MAX_TARBALL_BYTES = MAX_TARBALL_KB * 1024;
const ALLOWED_FILES = [/^dist\//, /^README\.md$/, /^LICENSE$/, /^CHANGELOG\.md$/, /^package\.json$/];

let failed = false;
const report = (ok, message, details) => {
	console.log(`${ok ? 'ok  ' : 'FAIL'}  ${message}`);
	if (!ok) {
		failed = true;
		if (details) console.log(details);
	}
};

const work = mkdtempSync(path.join(tmpdir(), 'hypersender-scan-'));
try {
	const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' }));
	const tarball = path.join(work, packed.filename);
	const size = statSync(tarball).size;
	report(size < MAX_TARBALL_BYTES, `tarball is ${(size / 1024).toFixed(1)} kB (limit ${MAX_TARBALL_KB} kB)`);
	const stray = packed.files.map((file) => file.path).filter((file) => !ALLOWED_FILES.some((pattern) => pattern.test(file)));
	report(stray.length === 0, 'tarball holds only dist/, README.md, LICENSE, CHANGELOG.md, package.json', stray.join('\n'));
	for (const required of ['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json']) {
		report(packed.files.some((file) => file.path === required), `tarball includes ${required}`);
	}

	const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
	report(!manifest.dependencies || Object.keys(manifest.dependencies).length === 0, 'no runtime dependencies');
	for (const field of ['repository', 'homepage', 'author', 'engines']) report(Boolean(manifest[field]), `package.json has ${field}`);
	const listed = [...manifest.n8n.nodes, ...manifest.n8n.credentials];
	const missing = listed.filter((file) => !packed.files.some((entry) => entry.path === file));
	report(missing.length === 0, 'every file in the "n8n" section is in the tarball', missing.join('\n'));

	const unpacked = path.join(work, 'package');
	mkdirSync(unpacked);
	execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
	const tarballScan = await analyzePackage(unpacked);
	report(tarballScan.passed, "n8n's scanner passes the packed tarball", `${tarballScan.message ?? ''}\n${tarballScan.details ?? ''}`);
	const sourceScan = await analyzePackage(ROOT, SOURCE_FILE_PATTERNS);
	report(sourceScan.passed, "n8n's scanner passes the source files", `${sourceScan.message ?? ''}\n${sourceScan.details ?? ''}`);
} finally {
	rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
