/**
 * The Message part of `npm run bench`: sends with Wait for Result against a rate-limited fake
 * Hypersender, through n8n-core's WorkflowExecute. Every send is followed by polls of its queued
 * request, and both count against the limit, so the ideal is (sends + polls) / limit. Returns the
 * BENCHMARKS.md section; `node .bench-build/bench/messages.js` runs it alone.
 */
import path from 'node:path';

import { runHypersender } from '../test/helpers/runWorkflow';

const ROOT = path.resolve(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FakeHypersender } = require(path.join(ROOT, 'test/fake-hypersender/server.js')) as typeof import('../test/fake-hypersender/server');

const TOKEN = '501|benchTokenFor-n8n-nodes-hypersender-messages-0123456789';
const INSTANCE_ID = 'b3f1c2d4-0000-4000-8000-0000messages';

export async function benchMessages(): Promise<string> {
	const sends = Number(process.env.BENCH_MESSAGES ?? 300);
	const limit = Number(process.env.BENCH_LIMIT ?? 600);
	const windowMs = Number(process.env.BENCH_WINDOW_MS ?? 10_000);
	const fake = new FakeHypersender({ token: TOKEN, instanceId: INSTANCE_ID, rateLimit: Math.round((limit * windowMs) / 60_000), windowMs, logRequests: false });
	await fake.start();
	try {
		console.log(`3. Server limit ${limit}/min: ${sends} Send Text with Wait for Result`);
		const started = process.hrtime.bigint();
		const { output, error } = await runHypersender({
			items: Array.from({ length: sends }, (_, i) => ({ phone: String(14_155_550_000 + i) })),
			parameters: { resource: 'message', operation: 'sendText', chatId: '={{ $json.phone }}', text: 'Your order has shipped', options: { requestsPerMinute: limit } },
			credentials: { apiToken: TOKEN, instanceId: INSTANCE_ID, baseUrl: fake.url, rateLimitPlan: 'unlimited' },
			continueOnFail: true,
		});
		const seconds = Number(process.hrtime.bigint() - started) / 1e9;
		const items = output ?? [];
		const failed = error ? sends : items.filter((item) => item.error || item.json.status !== 'sent').length;
		const requests = fake.stats.total;
		const ideal = (requests / limit) * 60;
		const twice = fake.messages.length - new Set(fake.messages.map((message) => message.chatId)).size;
		console.log(`   ${seconds.toFixed(1)} s for ${requests} requests (ideal ${ideal.toFixed(1)} s), ${failed} failed`);
		return `
## 3. Server limit ${limit} per minute: ${sends} messages with Wait for Result

Send Text on ${sends} items with *Wait for Result* on (default Max Wait), *Requests per Minute* ${limit}, against the same
fixed ${windowMs / 1000}-second windows as section 2. The fake server finishes each queued request by its first poll, as a
message that goes out within a second does. Sends and polls share the limit, so the ideal is (sends + polls) / limit.

| wall time | requests (sends + polls) | ideal for those requests | / ideal | requests per message | failed items | messages sent twice | 429 answers |
|---|---|---|---|---|---|---|---|
| ${seconds.toFixed(1)} s | ${requests} | ${ideal.toFixed(1)} s | **${(seconds / ideal).toFixed(2)}x** | ${(requests / sends).toFixed(2)} | ${failed} of ${items.length} | ${twice} | ${fake.stats.rateLimited} |

Without waiting each message costs 1 request, so the same ${sends} messages would take ${((sends / limit) * 60).toFixed(0)} s at this limit.
`;
	} finally {
		await fake.stop();
	}
}

if (require.main === module) {
	benchMessages().then(
		(section) => console.log(section),
		(error) => {
			console.error(error);
			process.exit(1);
		},
	);
}
