/**
 * An execution that waits at the Hypersender node's Send and Wait, and its resume links served
 * over real HTTP on 127.0.0.1 the way n8n serves them: the execution runs in n8n-core's
 * WorkflowExecute until the node puts it to wait; a request to a link then goes through what n8n's
 * WaitingWebhooks and executeWebhook do (n8n's cli, which is not a dependency here, reduced to
 * what a Send and Wait link meets): the signature is checked with n8n-core's own
 * `validateUrlSignature` and the instance's HMAC secret, a finished execution takes no answer,
 * the node's `webhook` runs in n8n-core's WebhookContext with the real request and response, and
 * an answer resumes the execution in WorkflowExecute with the node disabled and the answer as its
 * data, as n8n does.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// n8n-core's own copy of the DI container: the one that holds its instance settings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Container } = require(require.resolve('@n8n/di', { paths: [require.resolve('n8n-core')] })) as typeof import('@n8n/di');
import { ExecutionLifecycleHooks, InstanceSettings, validateUrlSignature, WebhookContext, WAITING_TOKEN_QUERY_PARAM, WorkflowExecute } from 'n8n-core';
import { createRunExecutionData, NodeConnectionTypes, Workflow } from 'n8n-workflow';
import type { ICredentialDataDecryptedObject, IDataObject, INode, IRun, IRunExecutionData, IWebhookData, IWorkflowExecuteAdditionalData } from 'n8n-workflow';

import { Hypersender } from '../../nodes/Hypersender/Hypersender.node';
import { prepareRequestAsN8nDoes } from './runWebhook';
import { additionalDataFor, HYPERSENDER_NODE_TYPE, TestNodeTypes } from './runWorkflow';

const NODE_ID = 'send-and-wait-node';
const NODE_NAME = 'Hypersender';

export interface Page {
	status: number;
	contentType: string;
	html: string;
}

let executionCounter = 0;

export class WaitingExecution {
	/** The last run of the execution: the wait, then the resumed run once an answer came. */
	run: IRun | undefined;

	private resumed: Promise<IRun> | undefined;

	private constructor(
		private readonly server: Server,
		private readonly workflow: Workflow,
		private readonly credentials: ICredentialDataDecryptedObject,
		readonly executionId: string,
		readonly baseUrl: string,
	) {}

	/** Runs an item source and the Hypersender node with these parameters until the execution waits (or ends). */
	static async start(parameters: IDataObject, credentials: ICredentialDataDecryptedObject, { items = [{}], continueOnFail = false, retryOnFail = false } = {}): Promise<WaitingExecution> {
		const server = createServer();
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
		const source: INode = { id: 'source', name: 'CRM Rows', type: 'test.itemSource', typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify(items) } };
		const node: INode = {
			id: NODE_ID,
			name: NODE_NAME,
			type: HYPERSENDER_NODE_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: { resource: 'message', operation: 'sendAndWait', ...parameters },
			credentials: { hypersenderApi: { id: '1', name: 'Hypersender account' } },
			...(continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
			...(retryOnFail ? { retryOnFail: true, maxTries: 2, waitBetweenTries: 0 } : {}),
		};
		const workflow = new Workflow({
			id: 'send-and-wait-test',
			nodes: [source, node],
			connections: { [source.name]: { main: [[{ node: NODE_NAME, type: NodeConnectionTypes.Main, index: 0 }]] } },
			nodeTypes: new TestNodeTypes(),
			active: false,
		});
		const execution = new WaitingExecution(server, workflow, credentials, `send-and-wait-${++executionCounter}`, baseUrl);
		server.on('request', (req: IncomingMessage, res: ServerResponse) => {
			execution.serve(req, res).catch((error: Error) => {
				if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
				res.end(`harness failure: ${error.stack ?? error.message}`);
			});
		});
		const runExecutionData = createRunExecutionData({ executionData: { nodeExecutionStack: [{ node: source, data: { main: [[{ json: {} }]] }, source: null }] } });
		execution.run = await execution.execute(runExecutionData);
		return execution;
	}

	/** Opens a link: GET, or POST with a form body (urlencoded, as a browser posts a form). */
	async open(url: string, form?: Record<string, string>): Promise<Page> {
		const response = await fetch(url, form ? { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() } : {});
		return { status: response.status, contentType: response.headers.get('content-type') ?? '', html: await response.text() };
	}

	/** The wait limit passed: n8n's wait tracker runs the waiting execution again, and WorkflowExecute resumes it with the node disabled. */
	async timeOut(): Promise<IRun> {
		if (!this.run?.waitTill) throw new Error('the execution does not wait');
		this.resumed = this.execute(this.run.data).then((run) => (this.run = run));
		return await this.resumed;
	}

	/** Whether a request to a link has resumed the execution (with an answer, or at the time-out). */
	get resumedYet(): boolean {
		return this.resumed !== undefined;
	}

	/** The resumed run, once an answer was taken. */
	async finished(): Promise<IRun> {
		if (!this.resumed) throw new Error('no answer was taken');
		return await this.resumed;
	}

	/** The node's output in the last run. */
	get output(): IDataObject[] | undefined {
		return this.run?.data.resultData.runData[NODE_NAME]?.at(-1)?.data?.main[0]?.map((item) => item.json);
	}

	async stop(): Promise<void> {
		await Promise.allSettled(this.resumed ? [this.resumed] : []);
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	private additionalData(hooks: ExecutionLifecycleHooks, extra: Partial<IWorkflowExecuteAdditionalData> = {}): IWorkflowExecuteAdditionalData {
		return { ...additionalDataFor(hooks, this.credentials, this.executionId, this.baseUrl), ...extra } as IWorkflowExecuteAdditionalData;
	}

	private hooks(): { hooks: ExecutionLifecycleHooks; finished: Promise<IRun> } {
		const hooks = new ExecutionLifecycleHooks('webhook', this.executionId, { id: this.workflow.id, name: 'send and wait test', active: false, nodes: Object.values(this.workflow.nodes), connections: this.workflow.connectionsBySourceNode, isArchived: false, createdAt: new Date(), updatedAt: new Date() } as never);
		const finished = new Promise<IRun>((resolve) => hooks.addHandler('workflowExecuteAfter', (run) => resolve(run)));
		return { hooks, finished };
	}

	private async execute(runExecutionData: IRunExecutionData): Promise<IRun> {
		const { hooks, finished } = this.hooks();
		void new WorkflowExecute(this.additionalData(hooks), 'webhook', runExecutionData).processRunExecutionData(this.workflow);
		return await finished;
	}

	private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', this.baseUrl);
		const [, prefix, executionId, nodeId] = url.pathname.split('/');
		if (prefix !== 'webhook-waiting' || executionId !== this.executionId || nodeId !== NODE_ID) {
			res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"message":"not found"}');
			return;
		}
		// As WaitingWebhooks: a Send and Wait link resumes nothing unless n8n signed it.
		const signature = url.searchParams.get(WAITING_TOKEN_QUERY_PARAM);
		if (!signature || !validateUrlSignature(signature, url, Container.get(InstanceSettings).hmacSignatureSecret)) {
			res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":"Invalid token"}');
			return;
		}
		// An execution that no longer waits takes no answer (n8n shows "no action required").
		if (this.resumed || !this.run?.waitTill) {
			res.writeHead(200, { 'Content-Type': 'text/plain' }).end('no action required');
			return;
		}
		await prepareRequestAsN8nDoes(req, 1);
		Object.assign(req, { query: Object.fromEntries(url.searchParams) });
		const runExecutionData = this.run.data;
		const { hooks, finished } = this.hooks();
		const additionalData = this.additionalData(hooks, { httpRequest: req, httpResponse: res } as Partial<IWorkflowExecuteAdditionalData>);
		const node = this.workflow.getNode(NODE_NAME) as INode;
		const description = new Hypersender().description.webhooks?.find((webhook) => webhook.httpMethod === req.method);
		if (!description) {
			res.writeHead(404).end();
			return;
		}
		const webhookData: IWebhookData = { httpMethod: req.method as 'GET', node: NODE_NAME, path: NODE_ID, webhookDescription: description, workflowId: this.workflow.id, workflowExecuteAdditionalData: additionalData };
		const context = new WebhookContext(this.workflow, node, additionalData, 'webhook', webhookData, [], runExecutionData);
		const result = await this.workflow.nodeTypes.getByNameAndVersion(HYPERSENDER_NODE_TYPE, 1).webhook!.call(context);
		if (!result.noWebhookResponse) throw new Error('the node left the answer to n8n');
		if (!res.writableEnded) throw new Error('the node said it answered, but the response is still open');
		if (!result.workflowData) return;
		// As WaitingWebhooks and executeWebhook: the node runs again disabled, with the answer as its data.
		const stack = runExecutionData.executionData!.nodeExecutionStack[0];
		stack.node.disabled = true;
		stack.data.main = result.workflowData;
		runExecutionData.waitTill = undefined;
		runExecutionData.resultData.runData[NODE_NAME].pop();
		void new WorkflowExecute(additionalData, 'webhook', runExecutionData).processRunExecutionData(this.workflow);
		this.resumed = finished.then((run) => (this.run = run));
	}
}
