/**
 * The Hypersender node as an AI agent's tool, through n8n-core's WorkflowExecute, in both ways
 * n8n runs a tool call (actions/aiTool.ts): `executor`, as AI Agent up to 2.2 does (the tool from
 * getInputConnectionData, invoked inside the agent's run), and `engine`, as AI Agent 3 does (the
 * agent asks the engine to run the tool node, and reads its run when it is resumed). The agent
 * stands in for an LLM: it makes the tool calls it is given and outputs, per call, the text the
 * model would have been handed (`answer`), built as n8n's agents build it.
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import { createRunExecutionData, NodeConnectionTypes, Workflow } from 'n8n-workflow';
import type { EngineRequest, EngineResponse, IConnections, IDataObject, IExecuteFunctions, INode, INodeExecutionData, INodeType, IRun, ITaskData } from 'n8n-workflow';

import type { FakeHypersender } from '../fake-hypersender/server';
import { credentialsFor } from '../fixtures';
import { additionalDataFor, HYPERSENDER_NODE_TYPE, TestNodeTypes } from './runWorkflow';

export type ToolCallWay = 'executor' | 'engine';

export const TOOL_NODE_NAME = 'Send WhatsApp';

/** The Hypersender node as n8n offers it to an AI Agent (usableAsTool): outputs ai_tool. */
function hypersenderToolType(): INodeType {
	const nodeType = new TestNodeTypes().getByName(HYPERSENDER_NODE_TYPE) as INodeType;
	return { ...nodeType, description: { ...nodeType.description, name: 'hypersenderTool', inputs: [], outputs: [NodeConnectionTypes.AiTool] }, execute: nodeType.execute } as INodeType;
}

const agentDescription: INodeType['description'] = {
	displayName: 'Agent',
	name: 'agent',
	group: ['transform'],
	version: 1,
	description: 'Calls its tool',
	defaults: { name: 'Agent' },
	inputs: [NodeConnectionTypes.Main, { type: NodeConnectionTypes.AiTool, required: true }],
	outputs: [NodeConnectionTypes.Main],
	properties: [],
};

/** For each input item, invokes its one tool with each of `calls`, as LangChain's executor does. */
function executorAgentType(calls: IDataObject[]): INodeType {
	return {
		description: agentDescription,
		async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
			const out: INodeExecutionData[] = [];
			for (let item = 0; item < this.getInputData().length; item++) {
				const supplied = (await this.getInputConnectionData(NodeConnectionTypes.AiTool, item)) as unknown;
				const tool = (Array.isArray(supplied) ? supplied[0] : supplied) as { invoke(args: IDataObject): Promise<unknown> };
				for (const args of calls) out.push({ json: { answer: String(await tool.invoke(args)) } });
			}
			return [out];
		},
	};
}

/** What AI Agent 3 hands the model for a tool's run: its ai_tool items, else its error's message. */
function observationOf(run: ITaskData): string {
	const items = run.data?.[NodeConnectionTypes.AiTool]?.[0]?.map((item) => item.json);
	if (items?.length) return JSON.stringify(items);
	if (run.error) return JSON.stringify({ error: run.error.message });
	return JSON.stringify('');
}

/** Asks the engine to run the tool with each of `calls` (for its first input item), then outputs what each run answered. */
function engineAgentType(calls: IDataObject[]): INodeType {
	return {
		description: agentDescription,
		async execute(this: IExecuteFunctions, response?: EngineResponse): Promise<INodeExecutionData[][] | EngineRequest> {
			if (response?.actionResponses.length) return [response.actionResponses.map(({ data }) => ({ json: { answer: observationOf(data) } }))];
			return {
				actions: calls.map((input, index) => ({ actionType: 'ExecutionNodeAction', nodeName: TOOL_NODE_NAME, input, type: NodeConnectionTypes.AiTool, id: `call_${index}`, metadata: { itemIndex: 0 } })),
				metadata: {},
			};
		},
	};
}

export interface AgentRunOptions {
	way?: ToolCallWay;
	/** The agent's input items (default: one). */
	items?: IDataObject[];
	/** The tool calls' arguments, as the model would give them. */
	calls: IDataObject[];
	/** The tool node's parameters. */
	parameters: IDataObject;
	/** Overrides of the tool node (Retry On Fail, On Error, ...). */
	tool?: Partial<INode>;
}

/** Runs Chat -> Agent with the Hypersender tool against `fake`; resolves to the run and the answers the model got, in order. */
export async function runAgent(fake: FakeHypersender, { way = 'executor', items = [{ chatInput: 'hi' }], calls, parameters, tool = {} }: AgentRunOptions): Promise<{ run: IRun; answers: string[] }> {
	const nodes: INode[] = [
		{ id: 'source', name: 'Chat', type: 'test.itemSource', typeVersion: 1, position: [0, 0], parameters: { items: JSON.stringify(items), binary: '[]' } },
		{ id: 'agent', name: 'Agent', type: 'test.agent', typeVersion: 1, position: [200, 0], parameters: {} },
		{
			id: 'tool',
			name: TOOL_NODE_NAME,
			type: 'test.hypersenderTool',
			typeVersion: 1,
			position: [200, 200],
			parameters: parameters as INode['parameters'],
			credentials: { hypersenderApi: { id: '1', name: 'Hypersender account' } },
			...tool,
		},
	];
	const connections: IConnections = {
		Chat: { main: [[{ node: 'Agent', type: NodeConnectionTypes.Main, index: 0 }]] },
		[TOOL_NODE_NAME]: { ai_tool: [[{ node: 'Agent', type: NodeConnectionTypes.AiTool, index: 0 }]] },
	};
	const agent = way === 'engine' ? engineAgentType(calls) : executorAgentType(calls);
	const workflow = new Workflow({ id: 'agent', nodes, connections, nodeTypes: new TestNodeTypes({ 'test.agent': agent, 'test.hypersenderTool': hypersenderToolType() }), active: false, settings: { executionOrder: 'v1' } });
	const executionId = `agent-${Math.random()}`;
	const hooks = new ExecutionLifecycleHooks('manual', executionId, { id: 'agent', name: 'agent', active: false, nodes, connections, isArchived: false, createdAt: new Date(), updatedAt: new Date() } as never);
	const finished = new Promise<IRun>((resolve) => hooks.addHandler('workflowExecuteAfter', (run) => resolve(run)));
	const additionalData = additionalDataFor(hooks, credentialsFor(fake), executionId);
	const runExecutionData = createRunExecutionData({ executionData: { nodeExecutionStack: [{ node: nodes[0], data: { main: [[{ json: {} }]] }, source: null }] } });
	void new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
	const run = await finished;
	const output = run.data.resultData.runData.Agent?.at(-1)?.data?.main?.[0] ?? [];
	return { run, answers: output.map((item) => String(item.json.answer)) };
}
