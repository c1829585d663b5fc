#!/usr/bin/env node
// Provisions every n8n line of the e2e matrix (.github/workflows/ci.yml), one after the other, in
// its order. .ci/run starts this in the background so that installing n8n (mostly waiting on the
// registry and the disk) overlaps the unit suite, the build and the scanner; the e2e's own
// provisioning of each line then waits for this one's lock on that line and finds it ready.
// A line that fails does not stop the others; the exit code says whether all are ready.
import { matrixVersions } from './lib/n8n-lines.mjs';
import { provisionN8n } from './lib/n8n-runtime.mjs';

const log = (message) => process.stderr.write(`[provision-lines] ${message}\n`);
let failures = 0;
for (const version of matrixVersions()) {
	const started = Date.now();
	try {
		provisionN8n(version);
		log(`n8n ${version} ready after ${Math.round((Date.now() - started) / 1000)} s`);
	} catch (error) {
		failures += 1;
		log(`n8n ${version} failed after ${Math.round((Date.now() - started) / 1000)} s: ${error.message}`);
	}
}
process.exit(failures ? 1 : 0);
