import { NodeOperationError } from 'n8n-workflow';
import type {
	DeclarativeRestApiSettings,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { answeringToolCallErrors } from '../actions/aiTool';

/** A preSend hook: reads and checks the item's input and builds its request, before anything is sent. */
export type PreSend = (this: IExecuteSingleFunctions, requestOptions: IHttpRequestOptions) => Promise<IHttpRequestOptions>;

/** Sends an item's request(s) through the transport (transport/index.ts) and makes its output items. */
export type Runner = (this: IExecutePaginationFunctions, requestData: DeclarativeRestApiSettings.ResultOptions) => Promise<INodeExecutionData[]>;

export interface OperationDefinition {
	value: string;
	name: string;
	action: string;
	description: string;
	method: 'GET' | 'POST' | 'PUT' | 'DELETE';
	/** Under the account's `<base>/api/whatsapp/v2/<instance>`; a preSend hook may set it instead. */
	url?: string;
	/** Each wrapped in keepingToolCallRefusal (actions/aiTool.ts), so that a tool call's input error is its answer. */
	preSend?: PreSend[];
	runner: Runner;
}

/**
 * One operation of a resource. n8n's RoutingNode sends a declarative node's request itself unless
 * `send.paginate` is set and `operations.pagination` is a function: then it calls that function,
 * which is our runner. Every operation is made here, so every request goes through the transport
 * (its pacer, retries, redaction and redirect guard) by construction.
 */
export function operation({ value, name, action, description, method, url, preSend = [], runner }: OperationDefinition): INodePropertyOptions {
	return {
		name,
		value,
		action,
		description,
		routing: {
			request: { method, ...(url === undefined ? {} : { url }) },
			send: { paginate: true, preSend },
			// As an AI agent's tool, an item error is the tool call's answer (actions/aiTool.ts); the
			// preSend hooks keep theirs for the runner (keepingToolCallRefusal).
			operations: { pagination: answeringToolCallErrors(runner) },
		},
	};
}

/** An operation that runs as the node's own code, not through RoutingNode: see `customOperation`. */
export interface CustomOperationDefinition {
	value: string;
	name: string;
	action: string;
	description: string;
}

/**
 * The runner of every custom operation, for when RoutingNode is handed one anyway: n8n runs a node
 * that serves as an AI agent's tool through RoutingNode, not through its custom operations. It
 * sends nothing and fails the call with what to do instead.
 */
export const refuseOutsideWorkflowStep: Runner = async function () {
	const operation = String(this.getNodeParameter('operation', ''));
	throw new NodeOperationError(this.getNode(), `The operation '${operation}' runs only as a step of a workflow, not as an AI agent's tool`, {
		itemIndex: this.getItemIndex(),
		description: 'n8n runs a tool call without letting it wait for a person. Put the node after the agent in the workflow instead.',
	});
};

/**
 * An operation n8n runs through the node's `customOperations[resource][value]` (Hypersender.node.ts)
 * instead of RoutingNode: for what a routed request cannot do, such as putting the execution to
 * wait (Send and Wait for Response). Its routing only reaches `refuseOutsideWorkflowStep`, so
 * nothing but its registered function (whose requests go through the transport as the runners'
 * do) ever sends it; test/description.test.ts fails for an operation that is neither routed to a
 * runner nor registered.
 */
export function customOperation({ value, name, action, description }: CustomOperationDefinition): INodePropertyOptions {
	return { name, value, action, description, routing: { request: { method: 'POST' }, send: { paginate: true }, operations: { pagination: refuseOutsideWorkflowStep } } };
}

/** A resource's Operation selector, its operations in the order the editor lists them (alphabetical, as n8n's lint asks). */
export function operationSelector(resource: string, operations: INodePropertyOptions[], defaultOperation: string): INodeProperties {
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource] } },
		options: operations,
		default: defaultOperation,
	};
}

// Said once for every tool: what a refused or failed call answers (actions/aiTool.ts).
const TOOL_ANSWER_ON_PROBLEMS =
	'When something is wrong the answer is success: false with error_message and how_to_fix: correct the parameter and call again, or tell the user. may_have_been_sent: true means the message may be out: do not send it again.';

/**
 * What the model reads about each operation when the node is an AI agent's tool: one 'Tool
 * Description' per operation, shown only in the tool variant (`@tool`). n8n adds its own
 * description field unless the node has one, and without ours it tells the model only the
 * operation's action ("Send a text message in Hypersender"). The user can edit it in the tool.
 */
export function toolDescriptions(resource: string, descriptions: Record<string, string>): INodeProperties[] {
	return Object.entries(descriptions).map(([operation, text]) => ({
		displayName: 'Tool Description',
		name: 'toolDescription',
		type: 'string',
		typeOptions: { rows: 4 },
		default: `${text} ${TOOL_ANSWER_ON_PROBLEMS}`,
		displayOptions: { show: { '@tool': [true], resource: [resource], operation: [operation] } },
		description: 'What the AI agent reads about this tool: what it does and what each parameter expects',
	}));
}
