/**
 * Serves the Hypersender Trigger the way n8n serves a production webhook, over real HTTP on
 * 127.0.0.1: the request is prepared as n8n prepares it (raw body kept, JSON parsed by
 * Content-Type, n8n's own 422 when that parse fails), the node's `webhook` method runs in n8n-core's
 * WebhookContext with the real request and response, n8n's answer rules apply
 * (`noWebhookResponse`, `webhookResponse`, the node's `responseMode`), and each execution the
 * node starts runs in n8n-core's WorkflowExecute from the trigger's items, through any nodes
 * after it. Activation runs the node's `webhookMethods` in n8n-core's HookContext.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQueryString } from 'node:querystring';

import { ExecutionLifecycleHooks, HookContext, WebhookContext, WorkflowExecute } from 'n8n-core';
import { createRunExecutionData, jsonParse, NodeConnectionTypes, NodeHelpers, Workflow } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IRun,
	IWebhookData,
	IWebhookDescription,
	IWebhookResponseData,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { HypersenderTrigger } from '../../nodes/HypersenderTrigger/HypersenderTrigger.node';
import { additionalDataFor, TestNodeTypes } from './runWorkflow';

export const TRIGGER_NODE_TYPE = 'n8n-nodes-hypersender.hypersenderTrigger';
const TRIGGER_NAME = 'Hypersender Trigger';
const WEBHOOK_ID = '5b0c2f43-3f0e-4d6e-9d8c-1a2b3c4d5e6f';
// n8n's default N8N_PAYLOAD_SIZE_MAX (16 MiB): larger bodies never reach a node.
const N8N_PAYLOAD_SIZE_MAX = 16 * 1024 * 1024;

export interface HarnessOptions {
	/** The trigger's parameters; defaults fill the rest, as in n8n. */
	parameters?: INodeParameters;
	credentials: ICredentialDataDecryptedObject;
	/** A node after the trigger (e.g. one that waits), to see what the caller gets while it runs. */
	next?: { type: INodeType; parameters?: INodeParameters };
	/** 'webhook' for the production URL, 'manual' for the test URL. */
	mode?: Extract<WorkflowExecuteMode, 'webhook' | 'manual'>;
	/** The trigger node's version in the workflow; defaults to the one n8n gives a new node. */
	typeVersion?: number;
}

export interface DeliveryOptions {
	authorization?: string;
	/** Defaults to application/json; null sends no Content-Type. */
	contentType?: string | null;
}

export interface HttpAnswer {
	status: number;
	/** The answer parsed as JSON, or its text when it is not JSON. */
	body: unknown;
}

export interface Execution {
	/** The trigger's output items, as the next node receives them. */
	items: INodeExecutionData[];
	run: IRun;
}

let workflowCounter = 0;
let executionCounter = 0;

export class WebhookHarness {
	/** Executions started so far, in start order; each settles into `executions`. */
	private readonly running: Array<Promise<Execution>> = [];

	/** Deliveries being served: a node that answered itself may start its execution later. */
	private readonly serving: Array<Promise<void>> = [];

	private constructor(
		private readonly server: Server,
		private readonly workflow: Workflow,
		private readonly trigger: INode,
		private readonly credentials: ICredentialDataDecryptedObject,
		private readonly mode: 'webhook' | 'manual',
		readonly url: string,
	) {}

	static async start({ parameters = {}, credentials, next, mode = 'webhook', typeVersion = newNodeVersion() }: HarnessOptions): Promise<WebhookHarness> {
		// Each harness is its own workflow, as two workflows with this trigger are in n8n.
		const workflowId = `trigger-test-${++workflowCounter}`;
		const trigger: INode = {
			id: `trigger-node-${workflowCounter}`,
			name: TRIGGER_NAME,
			type: TRIGGER_NODE_TYPE,
			typeVersion,
			position: [0, 0],
			webhookId: WEBHOOK_ID,
			parameters,
			// A credential of its own: the trigger remembers a credential for a few seconds by its ID.
			credentials: { hypersenderApi: { id: `credential-${workflowCounter}`, name: 'Hypersender account' } },
		};
		const nextNode: INode | undefined = next && {
			id: 'next',
			name: 'Next',
			type: 'test.next',
			typeVersion: 1,
			position: [200, 0],
			parameters: next.parameters ?? {},
		};
		const workflow = new Workflow({
			id: workflowId,
			nodes: nextNode ? [trigger, nextNode] : [trigger],
			connections: nextNode ? { [TRIGGER_NAME]: { main: [[{ node: nextNode.name, type: NodeConnectionTypes.Main, index: 0 }]] } } : {},
			nodeTypes: new TestNodeTypes({ [TRIGGER_NODE_TYPE]: new HypersenderTrigger(), ...(next ? { 'test.next': next.type } : {}) }),
			active: mode === 'webhook',
		});

		const server = createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const { port } = server.address() as AddressInfo;
		const base = `http://127.0.0.1:${port}/${mode === 'webhook' ? 'webhook' : 'webhook-test'}`;
		const description = harnessWebhookDescription();
		const harness = new WebhookHarness(server, workflow, workflow.nodes[TRIGGER_NAME], credentials, mode, NodeHelpers.getNodeWebhookUrl(base, workflowId, trigger, description.path));
		server.on('request', (req: IncomingMessage, res: ServerResponse) => {
			const served = harness.serve(req, res).catch((error: Error) => {
				if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
				res.end(`harness failure: ${error.stack ?? error.message}`);
			});
			harness.serving.push(served);
		});
		return harness;
	}

	/** n8n's activation (or 'Listen for test event'): checkExists, then create when it answers false. */
	async activate(): Promise<void> {
		const webhookData = this.webhookData(this.additionalData('activation'));
		const methods = new HypersenderTrigger().webhookMethods.default;
		const context = new HookContext(this.workflow, this.trigger, webhookData.workflowExecuteAdditionalData, this.mode, 'activate', webhookData);
		if (!(await methods.checkExists.call(context))) await methods.create.call(context);
	}

	/** POSTs a body (an object is sent as JSON, a string as it is) to the trigger's URL. */
	async deliver(body: unknown, { authorization, contentType = 'application/json' }: DeliveryOptions = {}): Promise<HttpAnswer> {
		const headers: Record<string, string> = {};
		if (contentType !== null) headers['Content-Type'] = contentType;
		if (authorization !== undefined) headers.Authorization = authorization;
		// Bytes, not a string: fetch would add 'text/plain' to a string body sent without a Content-Type.
		const bytes = new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body));
		const response = await fetch(this.url, { method: 'POST', headers, body: bytes });
		const text = await response.text();
		let parsed: unknown = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// not JSON: the text is the answer
		}
		return { status: response.status, body: parsed };
	}

	/** How many executions have started so far (finished or not). */
	executionsStarted(): number {
		return this.running.length;
	}

	/** Every execution started so far, once all have finished. */
	async executions(): Promise<Execution[]> {
		await Promise.all(this.serving);
		return await Promise.all(this.running);
	}

	async stop(): Promise<void> {
		await Promise.allSettled(this.serving);
		await Promise.allSettled(this.running);
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	private additionalData(executionId: string, extra: Partial<IWorkflowExecuteAdditionalData> = {}): IWorkflowExecuteAdditionalData {
		const base = this.url.slice(0, this.url.indexOf('/webhook'));
		return { ...additionalDataFor(undefined, this.credentials, executionId, base), ...extra } as IWorkflowExecuteAdditionalData;
	}

	private webhookData(additionalData: IWorkflowExecuteAdditionalData): IWebhookData {
		const description = harnessWebhookDescription();
		return {
			httpMethod: 'POST',
			node: TRIGGER_NAME,
			path: NodeHelpers.getNodeWebhookPath(this.workflow.id, this.trigger, description.path),
			webhookDescription: description,
			workflowId: this.workflow.id,
			workflowExecuteAdditionalData: additionalData,
			webhookId: WEBHOOK_ID,
			isTest: this.mode === 'manual',
		};
	}

	private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
		if (req.method !== 'POST' || `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${req.url}` !== this.url) {
			res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'The requested webhook is not registered.' }));
			return;
		}
		const refused = await prepareRequestAsN8nDoes(req, this.trigger.typeVersion);
		if (refused) {
			res.writeHead(refused.status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: refused.message }));
			return;
		}

		// As n8n's WebhookService.runWebhook: the node's webhook method in a WebhookContext.
		const executionId = `trigger-execution-${++executionCounter}`;
		const additionalData = this.additionalData(executionId, { httpRequest: req, httpResponse: res } as Partial<IWorkflowExecuteAdditionalData>);
		const webhookData = this.webhookData(additionalData);
		const context = new WebhookContext(this.workflow, this.trigger, additionalData, this.mode, webhookData, [], null);
		const nodeType = this.workflow.nodeTypes.getByNameAndVersion(TRIGGER_NODE_TYPE, this.trigger.typeVersion);
		let result: IWebhookResponseData;
		try {
			result = await nodeType.webhook!.call(context);
		} catch (error) {
			// n8n answers 500 with this text and records the error, whatever the node threw.
			res.writeHead(500, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'Workflow Webhook Error: Workflow could not be started!', error: (error as Error).message }));
			return;
		}

		// As n8n's handleImmediateWebhookResponse.
		if (result.noWebhookResponse) {
			if (!res.writableEnded) throw new Error('the node said it answered, but the response is still open');
			// As n8n: a node that answered the request itself may still start the workflow.
			if (result.workflowData !== undefined) this.running.push(this.execute(executionId, result.workflowData));
			return;
		}
		if (result.workflowData === undefined) {
			sendJson(res, 200, result.webhookResponse !== undefined ? result.webhookResponse : { message: 'Webhook call received' });
			return;
		}

		const execution = this.execute(executionId, result.workflowData);
		this.running.push(execution);
		// 'onReceived': n8n answers once the execution is created; any other mode waits for its end.
		const { responseMode, responseData = 'firstEntryJson' } = webhookData.webhookDescription;
		if (responseMode !== 'onReceived') await execution;
		// As n8n's extractWebhookOnReceivedResponse: 'noData' is an empty answer, another responseData the answer itself.
		if (responseData === 'noData') res.writeHead(200).end();
		else if (responseData) res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(String(responseData));
		else sendJson(res, 200, result.webhookResponse ?? { message: 'Workflow was started' });
	}

	private async execute(executionId: string, workflowData: INodeExecutionData[][]): Promise<Execution> {
		const hooks = new ExecutionLifecycleHooks(this.mode, executionId, {
			id: this.workflow.id,
			name: 'trigger test',
			active: this.mode === 'webhook',
			nodes: Object.values(this.workflow.nodes),
			connections: this.workflow.connectionsBySourceNode,
			isArchived: false,
			createdAt: new Date(),
			updatedAt: new Date(),
		} as never);
		const finished = new Promise<IRun>((resolve) => hooks.addHandler('workflowExecuteAfter', (run) => resolve(run)));
		const runExecutionData = createRunExecutionData({
			executionData: { nodeExecutionStack: [{ node: this.trigger, data: { main: workflowData }, source: null }] },
		});
		void new WorkflowExecute(this.additionalData(executionId, { hooks } as Partial<IWorkflowExecuteAdditionalData>), this.mode, runExecutionData).processRunExecutionData(this.workflow);
		const run = await finished;
		return { run, items: run.data.resultData.runData[TRIGGER_NAME]?.[0]?.data?.main[0] ?? [] };
	}
}

/** The version n8n's editor gives a Hypersender Trigger added now. */
function newNodeVersion(): number {
	const { version, defaultVersion } = new HypersenderTrigger().description;
	return defaultVersion ?? (Array.isArray(version) ? Math.max(...version) : version);
}

function harnessWebhookDescription(): IWebhookDescription {
	const description = new HypersenderTrigger().description.webhooks?.[0];
	if (!description) throw new Error('the trigger declares no webhook');
	return description;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
	res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

/**
 * As n8n's raw body reader and body parser (packages/cli/src/middlewares/body-parser.ts) and its
 * parseRequestBody (packages/cli/src/webhooks/webhook-helpers.ts): every request gets
 * `readRawBody`, which keeps the bytes as `rawBody`. For a version-1 node n8n reads and parses
 * every body; for later versions only JSON, form, text and XML bodies, and leaves any other
 * unread. A JSON, form or text body is parsed by its Content-Type, and a JSON body that does not
 * parse is refused with 422 before any node runs.
 */
export async function prepareRequestAsN8nDoes(req: IncomingMessage, typeVersion: number): Promise<{ status: number; message: string } | undefined> {
	const [mediaType, ...parameters] = (req.headers['content-type'] ?? '').split(';');
	const contentType = mediaType.trim().toLowerCase() || undefined;
	const charset = parameters.map((p) => /^\s*charset=(.+)$/i.exec(p)?.[1]).find((c) => c !== undefined);
	const encoding = (charset?.trim().toLowerCase().replace('-', '') ?? 'utf8') as BufferEncoding;
	const request = req as IncomingMessage & { body?: unknown; readRawBody: () => Promise<void> };
	request.contentType = contentType;
	request.encoding = encoding;
	request.readRawBody = async () => {
		if (request.rawBody) return;
		const chunks: Buffer[] = [];
		let size = 0;
		for await (const chunk of req) {
			size += (chunk as Buffer).length;
			if (size > N8N_PAYLOAD_SIZE_MAX) throw Object.assign(new Error('request entity too large'), { status: 413 });
			chunks.push(chunk as Buffer);
		}
		request.rawBody = Buffer.concat(chunks);
		request._body = true;
	};
	const parsedByN8n = typeVersion === 1 || /^(application\/json|text\/plain|application\/x-www-form-urlencoded)/.test(contentType ?? '') || /[/+]xml$/.test(contentType ?? '');
	if (!parsedByN8n) return undefined;
	try {
		await request.readRawBody();
	} catch (error) {
		return { status: 413, message: (error as Error).message };
	}
	const rawBody = request.rawBody;
	if (rawBody.length === 0) return undefined;
	try {
		if (contentType === 'application/json') request.body = jsonParse(rawBody.toString(encoding));
		else if (contentType === 'application/x-www-form-urlencoded') request.body = parseQueryString(rawBody.toString(encoding));
		else if (contentType === 'text/plain') request.body = rawBody.toString(encoding);
	} catch {
		return { status: 422, message: 'Failed to parse request body' };
	}
	return undefined;
}
