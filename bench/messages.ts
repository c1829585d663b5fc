/**
 * The Message parts of `npm run bench`, through n8n-core's WorkflowExecute against a fake
 * Hypersender: sends with Wait for Result under a request limit, where every send is followed by
 * polls of its queued request and both count against the limit, so the ideal is (sends + polls)
 * / limit (section 3); and sends on a plan whose message cap is below its request cap, where the
 * ideal is sends / message cap (section 4). Each returns its BENCHMARKS.md section;
 * `node .bench-build/bench/messages.js [waiting|cap]` runs them (or one) alone and prints them.
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

interface CapRun {
	seconds: number;
	requests: number;
	failed: number;
	items: number;
	sentTwice: number;
	rateLimited: number;
	messagesCapped: number;
}

/** `sends` Send Text items with Wait for Result, on a Custom plan of `requestsPerMinute` and (if named) `messagesPerMinute`, against `fake`. */
async function sendOnCustomPlan(fake: InstanceType<typeof FakeHypersender>, sends: number, requestsPerMinute: number, messagesPerMinute: number | undefined): Promise<CapRun> {
	const started = process.hrtime.bigint();
	const { output, error } = await runHypersender({
		items: Array.from({ length: sends }, (_, i) => ({ phone: String(14_155_550_000 + i) })),
		parameters: { resource: 'message', operation: 'sendText', chatId: '={{ $json.phone }}', text: 'Your order has shipped', options: {} },
		credentials: {
			apiToken: TOKEN,
			instanceId: INSTANCE_ID,
			baseUrl: fake.url,
			rateLimitPlan: 'custom',
			customRequestsPerMinute: requestsPerMinute,
			...(messagesPerMinute === undefined ? {} : { customMessagesPerMinute: messagesPerMinute }),
		},
		continueOnFail: true,
	});
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	const items = output ?? [];
	return {
		seconds,
		requests: fake.stats.total,
		failed: error ? sends : items.filter((item) => item.error || item.json.status !== 'sent').length + Math.max(0, sends - items.length),
		items: items.length,
		sentTwice: fake.messages.length - new Set(fake.messages.map((message) => message.chatId)).size,
		rateLimited: fake.stats.rateLimited,
		messagesCapped: fake.stats.messagesCapped,
	};
}

export async function benchMessageCap(): Promise<string> {
	const sends = Number(process.env.BENCH_CAP_MESSAGES ?? 300);
	// Business's proportions (500 requests, 60 messages a minute) five times over, so the run takes a minute.
	const requestsPerMinute = Number(process.env.BENCH_CAP_REQUESTS_PER_MINUTE ?? 2500);
	const messagesPerMinute = Number(process.env.BENCH_CAP_MESSAGES_PER_MINUTE ?? 300);
	const windowMs = Number(process.env.BENCH_WINDOW_MS ?? 10_000);
	const perWindow = (perMinute: number) => Math.round((perMinute * windowMs) / 60_000);
	const ideal = (sends / messagesPerMinute) * 60;
	const measure = async (named: number | undefined) => {
		const fake = new FakeHypersender({ token: TOKEN, instanceId: INSTANCE_ID, rateLimit: perWindow(requestsPerMinute), messageRateLimit: perWindow(messagesPerMinute), windowMs, logRequests: false });
		await fake.start();
		try {
			const run = await sendOnCustomPlan(fake, sends, requestsPerMinute, named);
			console.log(`   messages per minute ${named ?? 'not named'}: ${run.seconds.toFixed(1)} s (ideal ${ideal.toFixed(1)} s), ${run.requests} requests, ${run.failed} failed, ${run.rateLimited} + ${run.messagesCapped} x 429`);
			return run;
		} finally {
			await fake.stop();
		}
	};
	console.log(`4. Plan of ${requestsPerMinute} requests and ${messagesPerMinute} messages per minute: ${sends} Send Text with Wait for Result`);
	const capped = await measure(messagesPerMinute);
	const requestsOnly = await measure(undefined);
	const row = (label: string, run: CapRun, ratio: string) =>
		`| ${label} | ${run.seconds.toFixed(1)} s | ${ratio} | ${run.requests} | ${run.failed} of ${run.items} | ${run.sentTwice} | ${run.messagesCapped} | ${run.rateLimited} |`;
	return `
## 4. Plan of ${requestsPerMinute} requests and ${messagesPerMinute} messages per minute: ${sends} messages (ideal ${ideal.toFixed(1)} s)

Send Text on ${sends} items with *Wait for Result* on, on a *Custom* plan of ${requestsPerMinute} requests and ${messagesPerMinute} messages per minute
(Business's 500 and 60, five times over). The fake server counts both in fixed ${windowMs / 1000}-second windows, requests
(${perWindow(requestsPerMinute)} per window) and sends apart (${perWindow(messagesPerMinute)} per window), and refuses a send over the message count with 429 and
\`Retry-After\` before queuing it. Each message is a send and one check of its queued request; the checks are requests,
not messages, so the ideal is sends / messages per minute. Lost: items that did not end \`sent\`.

| credential | wall time | / ideal | requests (sends + checks) | lost items | messages sent twice | sends refused (message cap) | 429 of the request limit |
|---|---|---|---|---|---|---|---|
${row(`Custom, both numbers named (${requestsPerMinute} / ${messagesPerMinute})`, capped, `**${(capped.seconds / ideal).toFixed(2)}x** (target 1.10x)`)}
${row(`Custom, messages per minute not named (= ${requestsPerMinute}: pacing by requests alone)`, requestsOnly, `${(requestsOnly.seconds / ideal).toFixed(2)}x`)}

The second row paces by requests alone, as this node did before it knew message caps: sends go out in bursts at the
request rate until the message cap refuses one with 429; its \`Retry-After\` pauses every request of the account until the
window ends, and the refused send is tried again. Against this fake that costs no time (its fixed windows let each window's
${perWindow(messagesPerMinute)} sends through in one burst), but every window runs into the cap, and Hypersender documents neither how it counts
messages nor how it refuses one over the cap (a 429 at once, or a queued request that fails later): in the latter case
those messages would be lost. Paced to the message cap, no send meets it.
`;
}

if (require.main === module) {
	const parts = { waiting: benchMessages, cap: benchMessageCap };
	const chosen = process.argv[2] === undefined ? Object.values(parts) : [parts[process.argv[2] as keyof typeof parts]];
	(async () => {
		if (chosen.some((part) => part === undefined)) throw new Error(`Unknown part ${process.argv[2]}: waiting or cap`);
		for (const part of chosen) console.log(await part());
	})().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
