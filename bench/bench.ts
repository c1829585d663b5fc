/**
 * `npm run bench`: throughput and pacing of the Hypersender node, side by side with what a user
 * would build without it (n8n's HTTP Request node) and with the ceiling (a plain keep-alive
 * HTTP loop), all against the fake server on 127.0.0.1 and through n8n-core's WorkflowExecute.
 * Each run is a child process, so its peak memory is its own; the fake server lives in this one.
 * Writes BENCHMARKS.md.
 */
import { fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { WorkflowExpression } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData, INodeType } from 'n8n-workflow';

import { runHypersender, runNode } from '../test/helpers/runWorkflow';
import { hypersenderNodeProperties, routingFloorNode, textbookUpsertNode } from './declarativeFloor';
import { benchMessageCap, benchMessages } from './messages';

const ROOT = path.resolve(__dirname, '..', '..');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { FakeHypersender } = require(path.join(ROOT, 'test/fake-hypersender/server.js')) as typeof import('../test/fake-hypersender/server');

const TOKEN = '500|benchTokenFor-n8n-nodes-hypersender-0123456789abcdef';
const INSTANCE_ID = 'b3f1c2d4-0000-4000-8000-00000000bench';
const CONCURRENCY = 32;

type Contender = 'hypersender' | 'textbookDeclarative' | 'routingFloor' | 'routingFloorOfNodeSize' | 'httpRequest' | 'plainLoop';

interface RunSpec {
	contender: Contender;
	url: string;
	items: number;
	requestsPerMinute?: number;
}

interface RunResult extends RunSpec {
	seconds: number;
	itemsPerSecond: number;
	failed: number;
	outputItems: number;
	peakRssMb: number;
	/** Expressions n8n evaluated per input item (strings starting with "="), counted in the child. */
	expressionsPerItem: number;
	/** CPU time of the child (user and system) per input item while it ran the items: unlike the rate, not lowered by what else runs on the machine. */
	cpuMsPerItem: number;
}

/** In BENCHMARKS.md, what follows this line belongs to other commands than `npm run bench`. */
export const OTHER_SECTIONS_MARKER = '<!-- Sections below are written by other commands (npm run bench:trigger, npm run test:queue); npm run bench keeps them. -->';

// The node's ratio to the HTTP Request node before the request path was rebuilt (BENCHMARKS.md
// of 2026-11-28), when Contact was its only resource; shown for comparison beside the floors.
const RATIO_BEFORE_REQUEST_PATH = 0.53;

/** Counts n8n's expression evaluations in this process: the CPU cost that dominates both nodes. */
function countExpressionEvaluations(): () => number {
	const prototype = WorkflowExpression.prototype as unknown as { resolveSimpleParameterValue: (value: unknown, ...rest: unknown[]) => unknown };
	const resolve = prototype.resolveSimpleParameterValue;
	let count = 0;
	prototype.resolveSimpleParameterValue = function (this: unknown, value: unknown, ...rest: unknown[]) {
		if (typeof value === 'string' && value.startsWith('=')) count++;
		return resolve.call(this, value, ...rest);
	};
	return () => count;
}

function rows(count: number): IDataObject[] {
	return Array.from({ length: count }, (_, i) => ({
		phone: String(14_155_550_000 + i),
		first: `Contact ${i}`,
		last: 'Bench',
	}));
}

/** The node type of a declarative contender other than the Hypersender node, or undefined for the others. */
function floorNodeTypeFor(contender: Contender, apiBase: string): INodeType | undefined {
	if (contender === 'textbookDeclarative') return textbookUpsertNode(apiBase);
	if (contender === 'routingFloor') return routingFloorNode(apiBase);
	if (contender === 'routingFloorOfNodeSize') return routingFloorNode(apiBase, hypersenderNodeProperties());
	return undefined;
}

async function runContender(spec: RunSpec): Promise<Omit<RunResult, keyof RunSpec | 'peakRssMb' | 'expressionsPerItem'>> {
	const items = rows(spec.items);
	const apiBase = `${spec.url}/api/whatsapp/v2/${INSTANCE_ID}`;
	// Each contender's node type is loaded and built before the clocks start, as the Hypersender
	// node's is (imported with this file): loading n8n-nodes-base's HTTP Request node alone takes
	// about half a second of CPU, which would otherwise count as its items' time.
	const floorNodeType = floorNodeTypeFor(spec.contender, apiBase);
	const httpRequestNodeType =
		spec.contender === 'httpRequest'
			? // eslint-disable-next-line @typescript-eslint/no-require-imports
				new (require('n8n-nodes-base/dist/nodes/HttpRequest/HttpRequest.node.js').HttpRequest)()
			: undefined;
	const cpuAtStart = process.cpuUsage();
	const started = process.hrtime.bigint();
	let output: INodeExecutionData[] = [];
	const credentials = {
		apiToken: TOKEN,
		instanceId: INSTANCE_ID,
		baseUrl: spec.url,
		rateLimitPlan: spec.requestsPerMinute ? 'custom' : 'unlimited',
		customRequestsPerMinute: spec.requestsPerMinute ?? 0,
	};
	const mappedFields = { chatId: '={{ $json.phone }}', firstName: '={{ $json.first }}', lastName: '={{ $json.last }}' };
	if (spec.contender === 'hypersender') {
		const result = await runHypersender({ items, parameters: { operation: 'upsert', ...mappedFields, options: {} }, credentials, continueOnFail: true });
		output = result.output ?? [];
	} else if (floorNodeType) {
		const type = `bench.${spec.contender}`;
		const result = await runNode({
			items,
			credentials,
			continueOnFail: true,
			extraNodeTypes: { [type]: floorNodeType },
			node: {
				name: 'Upsert',
				type,
				typeVersion: 1,
				parameters: { operation: 'upsert', ...mappedFields },
				credentials: { hypersenderApi: { id: '1', name: 'Hypersender account' } },
			},
		});
		output = result.output ?? [];
	} else if (httpRequestNodeType) {
		const result = await runNode({
			items,
			continueOnFail: true,
			extraNodeTypes: { 'n8n-nodes-base.httpRequest': httpRequestNodeType },
			node: {
				name: 'HTTP Request',
				type: 'n8n-nodes-base.httpRequest',
				typeVersion: 4.2,
				parameters: {
					method: 'POST',
					url: `${apiBase}/contacts/upsert`,
					sendHeaders: true,
					headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${TOKEN}` }] },
					sendBody: true,
					contentType: 'json',
					specifyBody: 'keypair',
					bodyParameters: {
						parameters: [
							{ name: 'chat_id', value: '={{ $json.phone }}' },
							{ name: 'first_name', value: '={{ $json.first }}' },
							{ name: 'last_name', value: '={{ $json.last }}' },
						],
					},
					options: {},
				},
			},
		});
		output = result.output ?? [];
	} else {
		output = await plainKeepAliveLoop(`${apiBase}/contacts/upsert`, items);
	}
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	const cpu = process.cpuUsage(cpuAtStart);
	const failed = output.filter((item) => item.error || item.json.error).length + Math.max(0, spec.items - output.length);
	return { seconds, itemsPerSecond: spec.items / seconds, cpuMsPerItem: (cpu.user + cpu.system) / 1000 / spec.items, failed, outputItems: output.length };
}

/** The ceiling: the same POSTs with Node's http and a keep-alive agent, CONCURRENCY at a time. */
async function plainKeepAliveLoop(url: string, items: IDataObject[]): Promise<INodeExecutionData[]> {
	const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
	const output: INodeExecutionData[] = [];
	let next = 0;
	const post = (item: IDataObject) =>
		new Promise<INodeExecutionData>((resolve) => {
			const body = JSON.stringify({ chat_id: item.phone, first_name: item.first, last_name: item.last });
			const request = http.request(
				url,
				{ method: 'POST', agent, headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', Accept: 'application/json', 'Content-Length': Buffer.byteLength(body) } },
				(response) => {
					let text = '';
					response.on('data', (chunk) => (text += chunk));
					response.on('end', () => resolve(response.statusCode === 200 ? { json: JSON.parse(text) } : { json: { error: response.statusCode } }));
				},
			);
			request.on('error', (error) => resolve({ json: { error: error.message } }));
			request.end(body);
		});
	await Promise.all(
		Array.from({ length: CONCURRENCY }, async () => {
			while (next < items.length) output.push(await post(items[next++]));
		}),
	);
	agent.destroy();
	return output;
}

async function runInChild(spec: RunSpec): Promise<RunResult> {
	return await new Promise((resolve, reject) => {
		// BENCH_CPU_PROF=<folder>: each child writes a CPU profile there (node --cpu-prof), the one cited in BENCHMARKS.md.
		const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`, `--cpu-prof-name=${spec.contender}-${spec.items}.cpuprofile`] : [];
		const child = fork(__filename, ['--run', JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...profile] });
		child.on('message', (message) => resolve(message as RunResult));
		child.on('exit', (code) => code === 0 || reject(new Error(`${spec.contender} run exited with ${code}`)));
	});
}

interface FakeOptions {
	rateLimit?: number;
	windowMs?: number;
	rateLimitHeaders?: boolean;
}

async function measure(spec: Omit<RunSpec, 'url'>, fakeOptions: FakeOptions = {}) {
	const fake = new FakeHypersender({ token: TOKEN, instanceId: INSTANCE_ID, logRequests: false, ...fakeOptions });
	await fake.start();
	try {
		const headers = fakeOptions.rateLimitHeaders === false ? ', server sends no X-RateLimit headers' : '';
		process.stdout.write(`  ${spec.contender} x ${spec.items}${spec.requestsPerMinute ? ` at ${spec.requestsPerMinute}/min` : ''}${headers} ... `);
		const result = await runInChild({ ...spec, url: fake.url });
		const stats = { ...fake.stats, contacts: fake.contacts.size };
		process.stdout.write(`${result.seconds.toFixed(1)} s, ${result.itemsPerSecond.toFixed(0)} items/s, ${result.cpuMsPerItem.toFixed(2)} ms CPU per item, ${result.failed} failed, ${stats.rateLimited} x 429, peak ${result.peakRssMb} MB\n`);
		return { ...result, server: stats };
	} finally {
		await fake.stop();
	}
}

const fmt = (value: number, digits = 2) => value.toFixed(digits);

function row(name: string, result: RunResult): string {
	return `| ${name} | ${fmt(result.seconds)} s | ${fmt(result.itemsPerSecond, 0)} | ${fmt(result.cpuMsPerItem, 2)} ms | ${result.failed} | ${result.peakRssMb} MB | ${fmt(result.expressionsPerItem, 1)} |`;
}

interface FloorFigures {
	ours: RunResult;
	sizedFloor: RunResult;
	floor: RunResult;
	textbook: RunResult;
	httpNode: RunResult;
	propertyCount: number;
	floorProperties: number;
	sizedFloorProperties: number;
}

/**
 * Why the figures above are what they are. The shares of time come from CPU profiles of 5000
 * upserts per contender (BENCH_CPU_PROF=<folder> npm run bench, on 2026-12-02); the rest is this run's.
 */
function declarativeFloorExplained({ ours, sizedFloor, floor, textbook, httpNode, propertyCount, floorProperties, sizedFloorProperties }: FloorFigures): string {
	const extraProperties = sizedFloorProperties - floorProperties;
	const perPropertyUs = ((sizedFloor.cpuMsPerItem - floor.cpuMsPerItem) * 1000) / extraProperties;
	return `What a declarative node cannot go below, and why. Every declarative node runs through n8n's RoutingNode, and
RoutingNode's cost is the floor: the two "declarative floor" contenders make the same upsert with nothing of their own
(no checks, no pacer, the fields read from the item without another evaluation, RoutingNode's own request), one with
only the three fields, one carrying the Hypersender node's properties too (${sizedFloorProperties} in all, against the node's ${propertyCount}). The gap to the HTTP Request node
splits into three parts (the percentages are from CPU profiles of 5000 upserts per contender, \`BENCH_CPU_PROF\`, on
2026-12-02, not from this run; the other figures are this run's):
- **RoutingNode, for any node** (three-field floor / HTTP Request node: ${fmt(floor.itemsPerSecond / httpNode.itemsPerSecond)}x). Expression evaluation is
  about 31% of the node's CPU time in that profile: RoutingNode evaluates every top-level parameter twice per item (its
  parameter loop, and on n8n 2.x its base-URL check \`resolveBaseUrl\`, 16% of the time on its own), 2 x 3 mapped
  fields, and the credential's \`authenticate\` header once per request (8%). Each evaluation builds a data proxy and a
  luxon DateTime in the workflow's time zone (luxon's \`partsOffset\` alone is 8.5%). The HTTP Request node
  evaluates each field once (${fmt(httpNode.expressionsPerItem, 0)}). A textbook declarative node, whose fields send
  themselves (\`routing.send\`), evaluates each twice more (its \`routing.send\` reads it in both walks): ${fmt(textbook.expressionsPerItem, 0)} per item, ${fmt(textbook.itemsPerSecond / httpNode.itemsPerSecond)}x. The Hypersender node
  evaluates ${fmt(ours.expressionsPerItem, 0)} (the floor: ${fmt(floor.expressionsPerItem, 0)}): it reads \`{{ $json.field }}\` from the item and the Options
  collection once per item (\`shared/itemParameters.ts\`).
- **RoutingNode, for a node of this size** (floor of this node's size / HTTP Request node: ${fmt(sizedFloor.itemsPerSecond / httpNode.itemsPerSecond)}x). RoutingNode walks
  every top-level property twice per item, shown or not: here about ${fmt(perPropertyUs, 0)} µs of CPU per property per item, so the
  ${extraProperties} properties beyond the three-field floor's ${floorProperties} cost ${fmt(100 * (1 - sizedFloor.itemsPerSecond / floor.itemsPerSecond), 0)}% of the rate. 17 of them are the per-operation Tool
  Descriptions an AI agent reads (issue 21); the rest are the operations' fields. A node of every resource pays this
  whatever its code does; the Hypersender node cannot be faster than this floor while it is one declarative node.
- **The node's own work** (Hypersender node / floor of its size: ${fmt(ours.itemsPerSecond / sizedFloor.itemsPerSecond)}x): ${fmt((ours.cpuMsPerItem - sizedFloor.cpuMsPerItem) * 1000, 0)} µs of CPU per item in this run.
  In the profile the node's own functions are about 8% of its time: the request path (pacer, whole-answer deadline,
  cancel, answer checks and redaction) about 5%, reading the phone number 2.6% (digits without + and without Country are checked against every country's mobile
  numbers, since a valid-looking wrong number is the worst outcome; one pattern for all of them, since bfd956f,
  took that from about 68 to 24 µs per number, measured apart from this bench). Two trials of 2026-12-02, not rerun here, changed nothing measurable and were not kept: the
  pacer's in-flight cap raised from 32 to 100,000, and the cancel passed on by a listener instead of AbortSignal.any.
  The rest of the difference is spread thin: more garbage collection and more of n8n's HTTP client per request.

Below the floor of this node's size only other shapes go: a programmatic \`execute()\` node (no RoutingNode walk,
but not the declarative node this package is), fewer properties per node (one node per resource, or no Tool
Descriptions), or a token sent by the node itself instead of the credential's \`authenticate\` (n8n's community-node
rules forbid it: \`no-http-request-with-manual-auth\`). The 0.6x target is therefore read against this floor: a
declarative node of the Hypersender node's size reaches ${fmt(sizedFloor.itemsPerSecond / httpNode.itemsPerSecond)}x in this run, the Hypersender node ${fmt(ours.itemsPerSecond / httpNode.itemsPerSecond)}x, ${fmt(ours.itemsPerSecond / sizedFloor.itemsPerSecond)} of the floor.`;
}

async function main() {
	const unlimitedItems = Number(process.env.BENCH_ITEMS ?? 10_000);
	const limit = Number(process.env.BENCH_LIMIT ?? 600);
	const limitedItems = Number(process.env.BENCH_LIMITED_ITEMS ?? limit);
	// A fixed one-minute window would let all of `limit` items through in one burst; ten-second
	// windows of a sixth of the limit enforce the same rate without that loophole.
	const windowMs = Number(process.env.BENCH_WINDOW_MS ?? 10_000);
	const serverLimit = { rateLimit: Math.round((limit * windowMs) / 60_000), windowMs };
	console.log(`1. No rate limit: ${unlimitedItems} upserts`);
	const ours = await measure({ contender: 'hypersender', items: unlimitedItems });
	const sizedFloor = await measure({ contender: 'routingFloorOfNodeSize', items: unlimitedItems });
	const floor = await measure({ contender: 'routingFloor', items: unlimitedItems });
	const textbook = await measure({ contender: 'textbookDeclarative', items: unlimitedItems });
	const httpNode = await measure({ contender: 'httpRequest', items: unlimitedItems });
	const ceiling = await measure({ contender: 'plainLoop', items: unlimitedItems });
	const nodeProperties = hypersenderNodeProperties();
	const propertyCount = nodeProperties.length;
	// The floors' own counts (with n8n's Request Options, without the names they share with the node).
	const floorProperties = routingFloorNode('').description.properties.length;
	const sizedFloorProperties = routingFloorNode('', nodeProperties).description.properties.length;

	console.log(`2. Server limit ${limit}/min (${serverLimit.rateLimit} per fixed ${windowMs / 1000} s window, 429 with Retry-After): ${limitedItems} upserts`);
	const ideal = (limitedItems / limit) * 60;
	const named = await measure({ contender: 'hypersender', items: limitedItems, requestsPerMinute: limit }, serverLimit);
	const tooHigh = await measure({ contender: 'hypersender', items: limitedItems, requestsPerMinute: limit * 2 }, serverLimit);
	const tooHighNoHeaders = await measure({ contender: 'hypersender', items: limitedItems, requestsPerMinute: limit * 2 }, { ...serverLimit, rateLimitHeaders: false });
	const httpLimited = await measure({ contender: 'httpRequest', items: limitedItems }, serverLimit);

	const version = (name: string) => (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
	const cpu = os.cpus()[0]?.model ?? 'unknown';
	const report = `# Benchmarks

Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, all figures from one run.
Everything runs on this machine: the fake Hypersender server (\`test/fake-hypersender/server.js\`) on 127.0.0.1,
and each contender in its own child process through n8n-core's \`WorkflowExecute\` (the plain loop uses Node's http directly).

- Machine: ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}
- Node ${process.version}; n8n-core ${version('n8n-core')}, n8n-workflow ${version('n8n-workflow')}, n8n-nodes-base ${version('n8n-nodes-base')} (HTTP Request node v4.2)
- Command: \`npm run bench\` (defaults: \`BENCH_ITEMS=${unlimitedItems}\`, \`BENCH_LIMIT=${limit}\`, \`BENCH_LIMITED_ITEMS=${limitedItems}\`, \`BENCH_WINDOW_MS=${windowMs}\`)

## 1. No rate limit: ${unlimitedItems} upserts

| contender | wall time | items/s | CPU per item (the run's process) | failed | peak RSS | expression evaluations per item |
|---|---|---|---|---|---|---|
${row('Hypersender node (plan: No Pacing)', ours)}
${row(`declarative floor of this node's size: RoutingNode, ${sizedFloorProperties} properties (the node's), the three fields read as the node reads them, nothing else`, sizedFloor)}
${row(`declarative floor: the same with only the three fields (${floorProperties} properties)`, floor)}
${row('textbook declarative node: each field sends itself (`routing.send`)', textbook)}
${row('n8n HTTP Request node, same call', httpNode)}
| plain Node keep-alive loop (ceiling) | ${fmt(ceiling.seconds)} s | ${fmt(ceiling.itemsPerSecond, 0)} | ${fmt(ceiling.cpuMsPerItem, 2)} ms | ${ceiling.failed} | ${ceiling.peakRssMb} MB | - |

- Hypersender node / HTTP Request node: **${fmt(ours.itemsPerSecond / httpNode.itemsPerSecond)}x** items per second, ${fmt(httpNode.cpuMsPerItem / ours.cpuMsPerItem)}x by CPU per item (target: at least 0.6x, or the declarative floor of this node's size, below; ${fmt(RATIO_BEFORE_REQUEST_PATH)}x before the request path was rebuilt, when Contact was the node's only resource).
- Declarative floor of this node's size / HTTP Request node: **${fmt(sizedFloor.itemsPerSecond / httpNode.itemsPerSecond)}x** items per second (${fmt(httpNode.cpuMsPerItem / sizedFloor.cpuMsPerItem)}x by CPU). Hypersender node / that floor: **${fmt(ours.itemsPerSecond / sizedFloor.itemsPerSecond)}x** (${fmt(sizedFloor.cpuMsPerItem / ours.cpuMsPerItem)}x by CPU): what the node's own code costs (phone numbers, checks, pacer, answer handling).
- Declarative floor with three fields / HTTP Request node: ${fmt(floor.itemsPerSecond / httpNode.itemsPerSecond)}x; the ${sizedFloorProperties - floorProperties} more properties cost a declarative node ${fmt(100 * (1 - sizedFloor.itemsPerSecond / floor.itemsPerSecond), 0)}% of its rate. Textbook declarative node / HTTP Request node: ${fmt(textbook.itemsPerSecond / httpNode.itemsPerSecond)}x, with ${fmt(textbook.expressionsPerItem, 1)} evaluations per item.
- Hypersender node / ceiling: **${fmt(ours.itemsPerSecond / ceiling.itemsPerSecond)}x**; HTTP Request node / ceiling: ${fmt(httpNode.itemsPerSecond / ceiling.itemsPerSecond)}x.
- Peak memory, Hypersender node / HTTP Request node: ${fmt(ours.peakRssMb / httpNode.peakRssMb)}x.

${declarativeFloorExplained({ ours, sizedFloor, floor, textbook, httpNode, propertyCount, floorProperties, sizedFloorProperties })}
At ${fmt(ours.itemsPerSecond, 0)} items/s the node is still about ${fmt(ours.itemsPerSecond / (1000 / 60), 0)} times faster than the
largest Hypersender plan (1000 requests per minute), so a real import is bound by the plan, as section 2 shows.

## 2. Server limit ${limit} per minute: ${limitedItems} upserts (ideal ${fmt(ideal, 1)} s)

The fake server enforces ${limit} per minute as ${serverLimit.rateLimit} requests per fixed ${windowMs / 1000}-second window (a
one-minute window would let ${limit} items through in one burst), answering 429 with \`Retry-After\` (seconds to the
window's end) and, unless noted, \`X-RateLimit-Limit\` (per minute) and \`X-RateLimit-Remaining\`.

| contender | wall time | / ideal | failed items | 429 answers |
|---|---|---|---|---|
| Hypersender node, plan named (${limit}/min) | ${fmt(named.seconds, 1)} s | **${fmt(named.seconds / ideal)}x** (target 1.10x) | ${named.failed} | ${named.server.rateLimited} |
| Hypersender node, plan set twice too high (${limit * 2}/min) | ${fmt(tooHigh.seconds, 1)} s | **${fmt(tooHigh.seconds / ideal)}x** (target 1.25x) | ${tooHigh.failed} | ${tooHigh.server.rateLimited} |
| same, server sends no X-RateLimit headers | ${fmt(tooHighNoHeaders.seconds, 1)} s | ${fmt(tooHighNoHeaders.seconds / ideal)}x | ${tooHighNoHeaders.failed} | ${tooHighNoHeaders.server.rateLimited} |
| n8n HTTP Request node, default settings | ${fmt(httpLimited.seconds, 1)} s | - | **${httpLimited.failed}** of ${limitedItems} | ${httpLimited.server.rateLimited} |

The twice-too-high run learns the real limit from \`X-RateLimit-Limit\` (Laravel sends it; Hypersender's docs do not promise it).
Without the headers it runs at the configured rate until the first 429, waits out \`Retry-After\` with every request of the
account paused, and finishes in the next window.
`;
	// Sections below this line are written by other commands (the trigger and queue-mode runs,
	// which need a real n8n): they are kept as they are.
	const file = path.join(ROOT, 'BENCHMARKS.md');
	const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
	const othersStart = previous.indexOf(OTHER_SECTIONS_MARKER);
	const others = othersStart === -1 ? `\n${OTHER_SECTIONS_MARKER}\n` : `\n${previous.slice(othersStart)}`;
	writeFileSync(file, report + (await benchMessages()) + (await benchMessageCap()) + others);
	console.log(`\nWrote BENCHMARKS.md`);
	console.log(`expression evaluations per item: ours ${fmt(ours.expressionsPerItem, 1)}, HTTP Request node ${fmt(httpNode.expressionsPerItem, 1)}`);
	console.log(`declarative floor of this node's size / HTTP Request node ${fmt(sizedFloor.itemsPerSecond / httpNode.itemsPerSecond)}x; Hypersender node / that floor ${fmt(ours.itemsPerSecond / sizedFloor.itemsPerSecond)}x`);
	console.log(`ratio to HTTP Request node ${fmt(ours.itemsPerSecond / httpNode.itemsPerSecond)}x (before: ${RATIO_BEFORE_REQUEST_PATH}x), to ceiling ${fmt(ours.itemsPerSecond / ceiling.itemsPerSecond)}x; limited: ${fmt(named.seconds / ideal)}x and ${fmt(tooHigh.seconds / ideal)}x of ideal`);
}

if (process.argv[2] === '--run') {
	const spec = JSON.parse(process.argv[3]) as RunSpec;
	const evaluations = countExpressionEvaluations();
	runContender(spec)
		.then((result) => {
			const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
			process.send!({ ...spec, ...result, peakRssMb, expressionsPerItem: evaluations() / spec.items });
			process.disconnect();
		})
		.catch((error) => {
			console.error(error);
			process.exit(1);
		});
} else {
	main().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
