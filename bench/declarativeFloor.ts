/**
 * Two declarative nodes that make the bench's upsert and nothing else, beside the Hypersender node
 * in `npm run bench`: they tell which part of the gap to n8n's HTTP Request node is RoutingNode's,
 * paid by every declarative node, and which part is this node's own.
 *
 * - `textbookUpsertNode`: the upsert as n8n's declarative-node docs and the starter build it: each
 *   field sends itself (`routing.send`), RoutingNode makes the request.
 * - `routingFloorNode`: the least RoutingNode lets a declarative node do: the fields carry no
 *   routing, one preSend hook reads them from the item the way the Hypersender node reads a
 *   `{{ $json.field }}` mapping (without another expression evaluation), RoutingNode makes the
 *   request. No pacer, no phone numbers, no checks: what is left is RoutingNode's own work.
 *
 * Both use the Hypersender credential (its `authenticate` header), as the node does.
 */
import type { IDataObject, IExecuteSingleFunctions, IHttpRequestOptions, INodeProperties, INodeType } from 'n8n-workflow';

import type { PreSend } from '../nodes/Hypersender/descriptions/operation';
import { Hypersender } from '../nodes/Hypersender/Hypersender.node';
import { parameterOfItem } from '../nodes/Hypersender/shared/itemParameters';
import { declarativeNodeType } from '../test/helpers/runWorkflow';

const FIELDS = [
	{ name: 'chatId', displayName: 'Chat ID', body: 'chat_id' },
	{ name: 'firstName', displayName: 'First Name', body: 'first_name' },
	{ name: 'lastName', displayName: 'Last Name', body: 'last_name' },
];

function upsertNode(name: string, apiBase: string, fields: INodeProperties[], preSend: PreSend[]): INodeType {
	return declarativeNodeType({
		description: {
			displayName: name,
			name,
			group: ['output'],
			version: 1,
			description: 'Bench contender',
			defaults: { name },
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: 'hypersenderApi', required: true }],
			requestDefaults: { baseURL: apiBase, headers: { Accept: 'application/json' }, json: true },
			properties: [
				{
					displayName: 'Operation',
					name: 'operation',
					type: 'options',
					noDataExpression: true,
					options: [{ name: 'Create or Update', value: 'upsert', routing: { request: { method: 'POST', url: '/contacts/upsert' }, send: { preSend } } }],
					default: 'upsert',
				},
				...fields,
			],
		},
	});
}

/** The upsert as n8n documents a declarative node: every field puts itself into the body. */
export function textbookUpsertNode(apiBase: string): INodeType {
	const fields: INodeProperties[] = FIELDS.map(({ name, displayName, body }) => ({
		displayName,
		name,
		type: 'string',
		default: '',
		routing: { send: { type: 'body', property: body } },
	}));
	return upsertNode('textbookUpsert', apiBase, fields, []);
}

/** preSend: the body from the item's fields, each read once and without evaluating `{{ $json.field }}` again. */
async function putFieldsIntoBody(this: IExecuteSingleFunctions, options: IHttpRequestOptions): Promise<IHttpRequestOptions> {
	const body: IDataObject = {};
	for (const { name, body: key } of FIELDS) body[key] = parameterOfItem(this, name, '') as string;
	options.body = body;
	return options;
}

/**
 * What RoutingNode costs any declarative node with these three fields: see the file's comment.
 * With `otherProperties`, the node also has those (never shown for its one operation): RoutingNode
 * walks every property of a node twice per item, shown or not, so this is what a node of that
 * size pays, before any code of its own.
 */
export function routingFloorNode(apiBase: string, otherProperties: INodeProperties[] = []): INodeType {
	const fields: INodeProperties[] = FIELDS.map(({ name, displayName }) => ({ displayName, name, type: 'string', default: '' }));
	const own = new Set(['operation', ...FIELDS.map(({ name }) => name)]);
	const others = otherProperties.filter(({ name }) => !own.has(name));
	return upsertNode(others.length > 0 ? 'routingFloorOfNodeSize' : 'routingFloor', apiBase, [...fields, ...others], [putFieldsIntoBody]);
}

/** The Hypersender node's properties as n8n's loader completes them (with Request Options): what the node-sized floor carries. */
export function hypersenderNodeProperties(): INodeProperties[] {
	return declarativeNodeType(new Hypersender()).description.properties;
}
