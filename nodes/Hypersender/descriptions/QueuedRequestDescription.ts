import type { INodeProperties } from 'n8n-workflow';

import { keepingToolCallRefusal } from '../actions/aiTool';
import { getQueuedRequest, putQueuedRequestUuidIntoUrl } from '../actions/queuedRequest';
import { operation, operationSelector, toolDescriptions } from './operation';

export const queuedRequestOperations: INodeProperties = operationSelector(
	'queuedRequest',
	[
		operation({
			value: 'get',
			name: 'Get',
			action: 'Get the outcome of a send',
			description: 'Read whether a queued send went out, by its UUID',
			method: 'GET',
			preSend: [putQueuedRequestUuidIntoUrl].map(keepingToolCallRefusal),
			runner: getQueuedRequest,
		}),
	],
	'get',
);

export const queuedRequestFields: INodeProperties[] = [
	{
		displayName: 'Queued Request UUID',
		name: 'queuedRequestUuid',
		type: 'string',
		required: true,
		default: '',
		placeholder: '={{ $json.queued_request_uuid }}',
		displayOptions: { show: { resource: ['queuedRequest'], operation: ['get'] } },
		description: 'The queued_request_uuid that a Message operation output',
	},
];

/** What an AI agent reads about Queued Request operations (see toolDescriptions). */
export const queuedRequestToolDescriptions: INodeProperties[] = toolDescriptions('queuedRequest', {
	get: "Not needed as an AI agent's tool: the sending tools already wait for the result. Reads whether an earlier send went out. 'Queued Request UUID': the queued_request_uuid a send answered with status \"queued\" or \"pending\", e.g. 9d1f6f5e-2a3b-4c5d-8e9f-0a1b2c3d4e5f.",
});
