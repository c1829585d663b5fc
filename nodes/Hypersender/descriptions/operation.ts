import type {
	DeclarativeRestApiSettings,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { answeringToolCallErrors, keepingToolCallRefusal } from '../actions/aiTool';

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
			// As an AI agent's tool, an item error is the tool call's answer (actions/aiTool.ts).
			send: { paginate: true, preSend: preSend.map(keepingToolCallRefusal) },
			operations: { pagination: answeringToolCallErrors(runner) },
		},
	};
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
