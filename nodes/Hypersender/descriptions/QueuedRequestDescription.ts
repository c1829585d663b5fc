import type { INodeProperties } from 'n8n-workflow';

import { getQueuedRequest, putQueuedRequestUuidIntoUrl } from '../actions/queuedRequest';
import { maxRetriesOption, requestsPerMinuteOption } from './ContactDescription';

export const queuedRequestOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['queuedRequest'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				action: 'Get the outcome of a send',
				description: 'Read whether a queued send went out, by its UUID',
				routing: {
					request: { method: 'GET' },
					send: { paginate: true, preSend: [putQueuedRequestUuidIntoUrl] },
					operations: { pagination: getQueuedRequest },
				},
			},
		],
		default: 'get',
	},
];

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
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: { show: { resource: ['queuedRequest'], operation: ['get'] } },
		options: [maxRetriesOption, requestsPerMinuteOption],
	},
];
