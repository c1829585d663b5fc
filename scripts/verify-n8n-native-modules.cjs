// Proves that a provisioned n8n can use its two native modules, with the Node that will run it:
// sqlite3 opens a database and answers a query, isolated-vm runs a line of code in an isolate.
// `npm rebuild` prints "rebuilt dependencies successfully" even when it built nothing (under
// `npm run`, the project's ignore-scripts=true reaches it), so only loading them proves it.
// It also proves that n8n itself is there at the expected version: the modules would otherwise
// resolve from the folders above a missing n8n and pass.
// Usage: <node> verify-n8n-native-modules.cjs <folder of the n8n package> <expected n8n version>
'use strict';
const path = require('node:path');
const { createRequire } = require('node:module');

const n8nDir = process.argv[2];
const expectedVersion = process.argv[3];
const fs = require('node:fs');
// Resolve the modules as n8n itself does, from its own package folder.
const requireFromN8n = createRequire(path.join(n8nDir, 'package.json'));

function checkSqlite() {
	return new Promise((resolve, reject) => {
		const sqlite3 = requireFromN8n('sqlite3');
		const db = new sqlite3.Database(':memory:');
		db.get('SELECT 6 * 7 AS answer', (error, row) => {
			db.close();
			if (error) reject(error);
			else if (row?.answer !== 42) reject(new Error(`sqlite3 answered ${JSON.stringify(row)}`));
			else resolve();
		});
	});
}

function checkIsolatedVm() {
	const ivm = requireFromN8n('isolated-vm');
	const isolate = new ivm.Isolate({ memoryLimit: 16 });
	try {
		const answer = isolate.createContextSync().evalSync('6 * 7');
		if (answer !== 42) throw new Error(`isolated-vm answered ${JSON.stringify(answer)}`);
	} finally {
		isolate.dispose();
	}
}

(async () => {
	const failures = [];
	for (const [name, check] of [
		[
			'n8n',
			() => {
				const { version } = JSON.parse(fs.readFileSync(path.join(n8nDir, 'package.json'), 'utf8'));
				if (version !== expectedVersion) throw new Error(`is ${version}, not ${expectedVersion}`);
				if (!fs.existsSync(path.join(n8nDir, 'bin', 'n8n'))) throw new Error('bin/n8n is missing');
			},
		],
		['sqlite3', checkSqlite],
		['isolated-vm', checkIsolatedVm],
	]) {
		try {
			await check();
		} catch (error) {
			failures.push(`${name}: ${String(error?.message ?? error).split('\n')[0]}`);
		}
	}
	if (failures.length) {
		process.stderr.write(`${failures.join('\n')}\n`);
		process.exit(1);
	}
	process.stdout.write(`n8n ${expectedVersion}: sqlite3 and isolated-vm work with Node ${process.version}\n`);
})();
