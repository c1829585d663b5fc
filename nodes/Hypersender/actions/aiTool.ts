/**
 * The node as an AI agent's tool. n8n runs each tool call as one item, in one of two ways: inside
 * the agent's run, with the agent's execute data (AI Agent up to 2.2: LangChain's executor), or
 * as a node run of its own on the ai_tool input (AI Agent 3: n8n's engine). An item error thrown
 * there reaches the model as an empty tool result (the executor), as the bare message (the engine
 * on n8n 2.x), or fails the whole execution (the engine on n8n 1.x). So as a tool, an item the
 * node refuses, or whose request fails, is answered with a result that says what was wrong and
 * how to fix it, and the agent goes on.
 */
import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteSingleFunctions, INodeExecutionData, NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { PreSend, Runner } from '../descriptions/operation';
import { asNodeError } from '../shared/itemInput';
import { mayHaveBeenSent } from '../transport';

/**
 * Whether this item is an AI agent's tool call: it runs with the agent's execute data (the
 * executor), or n8n's engine runs the node for an agent's request and logs its output as ai_tool.
 */
export function runsAsAiTool(ctx: IExecuteSingleFunctions): boolean {
	const node = ctx.getNode();
	if (node.rewireOutputLogTo === NodeConnectionTypes.AiTool) return true;
	const executeData = ctx.getExecuteData?.();
	return executeData !== undefined && executeData.node?.name !== node.name;
}

/** The tool call's answer for an error: the model reads it to correct its call or tell the user. */
export function toolAnswerFor(error: NodeApiError | NodeOperationError): INodeExecutionData {
	const fix = error.description?.trim();
	return {
		json: {
			success: false,
			error_message: error.message,
			...(fix ? { how_to_fix: fix } : {}),
			// A send whose outcome is unknown: the model must not send it again as if nothing went out.
			...(mayHaveBeenSent(error) ? { may_have_been_sent: true } : {}),
		},
	};
}

// A tool call's input error, kept from its preSend hook for the runner, which answers with it:
// a preSend hook can only return request options or throw. Keyed by the request options RoutingNode
// hands from the hooks to the runner; the entry goes with them.
const refusedRequests = new WeakMap<object, NodeApiError | NodeOperationError>();

/** A preSend hook that, for a tool call, keeps its input error for the runner instead of throwing it. */
export function keepingToolCallRefusal(preSend: PreSend): PreSend {
	return async function (requestOptions) {
		if (refusedRequests.has(requestOptions)) return requestOptions;
		try {
			return await preSend.call(this, requestOptions);
		} catch (error) {
			const failure = asNodeError(this, error);
			if (!runsAsAiTool(this)) throw failure;
			refusedRequests.set(requestOptions, failure);
			return requestOptions;
		}
	};
}

/** A runner that, for a tool call, answers with the call's refusal or error instead of failing the agent. */
export function answeringToolCallErrors(runner: Runner): Runner {
	return async function (requestData) {
		const refused = refusedRequests.get(requestData.options);
		if (refused) return [toolAnswerFor(refused)];
		try {
			return await runner.call(this, requestData);
		} catch (error) {
			const failure = asNodeError(this, error);
			// A cancelled execution ends the agent too: nothing to answer.
			if (!runsAsAiTool(this) || this.getExecutionCancelSignal?.()?.aborted) throw failure;
			return [toolAnswerFor(failure)];
		}
	};
}
