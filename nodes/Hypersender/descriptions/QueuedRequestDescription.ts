import type { INodeProperties } from 'n8n-workflow';

import { getQueuedRequest, putQueuedRequestUuidIntoUrl } from '../actions/queuedRequest';
import { operation, operationSelector } from './operation';

export const queuedRequestOperations: INodeProperties = operationSelector(
	'queuedRequest',
	[
		operation({
			value: 'get',
			name: 'Get',
			action: 'Get the outcome of a send',
			description: 'Read whether a queued send went out, by its UUID',
			method: 'GET',
			preSend: [putQueuedRequestUuidIntoUrl],
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
