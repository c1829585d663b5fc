// Proves that a provisioned n8n can use its two native modules, with the Node that will run it:
// sqlite3 opens a database and answers a query, isolated-vm runs a line of code in an isolate.
// `npm rebuild` prints "rebuilt dependencies successfully" even when it built nothing (under
// `npm run`, the project's ignore-scripts=true reaches it), so only loading them proves it.
// Usage: <node> verify-n8n-native-modules.cjs <folder of the n8n package>
'use strict';
const path = require('node:path');
const { createRequire } = require('node:module');

const n8nDir = process.argv[2];
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
	process.stdout.write(`sqlite3 and isolated-vm work with Node ${process.version}\n`);
})();
