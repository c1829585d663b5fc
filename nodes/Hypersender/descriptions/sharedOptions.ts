/**
 * What the resources share: the recipient field and the options every operation (or every
 * operation with a recipient) takes. Each resource lists its operations with a recipient; where
 * 'Chat ID or Phone' and the Country option show is derived from those lists.
 */
import type { INodeProperties } from 'n8n-workflow';

import { MAX_RETRIES, REQUESTS_PER_MINUTE } from '../transport';

/** Per resource, the operations that take a recipient ('Chat ID or Phone'). */
export type RecipientOperations = Record<string, readonly string[]>;

/** Where a recipient is asked for: every resource's recipient operations. */
function recipientScope(recipients: RecipientOperations): { resources: string[]; operations: string[] } {
	return { resources: Object.keys(recipients), operations: [...new Set(Object.values(recipients).flat())] };
}

/**
 * One 'Chat ID or Phone' for every resource. n8n's routing evaluates a parameter once per
 * definition that carries its name, for every item: a second definition would cost a bulk run an
 * expression evaluation per item for nothing.
 */
export function chatIdField(recipients: RecipientOperations): INodeProperties {
	const { resources, operations } = recipientScope(recipients);
	return {
		displayName: 'Chat ID or Phone',
		name: 'chatId',
		type: 'string',
		required: true,
		default: '',
		placeholder: '+1 213 213 2130',
		displayOptions: { show: { resource: resources, operation: operations } },
		description:
			'A phone number in international form (+1 (213) 213-2130, 0012132132130) or, with the Country option, in national form; a chat ID (12132132130@c.us, 1234567890@lid); messages can also go to a group (120363040000000000@g.us)',
	};
}

/**
 * The row's country, for phone numbers written in national form, wherever a recipient is asked
 * for. The parameter keeps its old name, defaultCountryCode, so saved workflows (which hold a
 * calling code such as 49) keep working.
 */
export function countryOption(recipients: RecipientOperations): INodeProperties {
	const { resources, operations } = recipientScope(recipients);
	return {
		displayName: 'Country',
		name: 'defaultCountryCode',
		type: 'string',
		default: '',
		placeholder: 'DE or {{ $json.country }}',
		displayOptions: { show: { '/resource': resources, '/operation': operations } },
		description:
			'The country of numbers written without + or 00, e.g. 0151 23456789 in Germany or (213) 213-2130 in the US: an ISO country code (DE, US), a calling code (49, +1) or an English country name (Germany). Use an expression for a country per row. Leave empty to reject numbers that are not in international form.',
	};
}

export const requestsPerMinuteOption: INodeProperties = {
	displayName: 'Requests per Minute',
	name: 'requestsPerMinute',
	type: 'number',
	typeOptions: { minValue: REQUESTS_PER_MINUTE.min, maxValue: REQUESTS_PER_MINUTE.max },
	default: 0, // REQUESTS_PER_MINUTE.fallback; n8n's lint wants the literal
	description:
		"Slows this node below the credential's Rate Limit Plan, e.g. to leave room for another workflow on the same account. It can only slow: every node on the account shares the plan's pace. 0 uses the plan.",
};

export const maxRetriesOption: INodeProperties = {
	displayName: 'Max Retries',
	name: 'maxRetries',
	type: 'number',
	typeOptions: { minValue: MAX_RETRIES.min, maxValue: MAX_RETRIES.max },
	default: 5, // MAX_RETRIES.fallback; n8n's lint wants the literal
	description:
		'How often one item is retried after a rate limit (429), a Hypersender server error (5xx) or a dropped connection before it fails. Messages are retried only after a rate limit, never after a server error or a dropped connection, so no message goes out twice.',
};

/**
 * The node's one Options collection: the shared options and each resource's own (each shown for
 * its operations through `/resource` and `/operation`), in alphabetical order. One definition, so
 * n8n's routing reads the collection once per item rather than once per resource and operation.
 */
export function optionsCollection(recipients: RecipientOperations, ...resourceOptions: INodeProperties[][]): INodeProperties {
	const options = [countryOption(recipients), maxRetriesOption, requestsPerMinuteOption, ...resourceOptions.flat()];
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: options.sort((a, b) => a.displayName.localeCompare(b.displayName)),
	};
}

/**
 * The node's Settings > Request Options, as n8n's loader adds them to a declarative node (n8n-core
 * nodes-loader, `commonDeclarativeNodeOptionParameters`): the loader skips every node that has a
 * `webhook()` method, and this node has one for Send and Wait's resume links. RoutingNode and the
 * transport read these names (batching, timeout, proxy, allowUnauthorizedCerts), so they are
 * declared here, the same names and shapes, in the order the loader sorts them.
 */
export const requestOptionsSetting: INodeProperties = {
	displayName: 'Request Options',
	name: 'requestOptions',
	type: 'collection',
	isNodeSetting: true,
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Batching',
			name: 'batching',
			placeholder: 'Add Batching',
			type: 'fixedCollection',
			typeOptions: { multipleValues: false },
			default: { batch: {} },
			options: [
				{
					displayName: 'Batching',
					name: 'batch',
					values: [
						{
							displayName: 'Items per Batch',
							name: 'batchSize',
							type: 'number',
							typeOptions: { minValue: -1 },
							default: 50,
							description: 'Input will be split in batches to throttle requests. -1 for disabled. 0 will be treated as 1.',
						},
						{
							displayName: 'Batch Interval (Ms)',
							name: 'batchInterval',
							type: 'number',
							typeOptions: { minValue: 0 },
							default: 1000,
							description: 'Time (in milliseconds) between each batch of requests. 0 for disabled.',
						},
					],
				},
			],
		},
		{
			displayName: 'Ignore SSL Issues (Insecure)',
			name: 'allowUnauthorizedCerts',
			type: 'boolean',
			noDataExpression: true,
			default: false,
			description: 'Whether to connect even if SSL certificate validation is not possible',
		},
		{
			displayName: 'Proxy',
			name: 'proxy',
			type: 'string',
			default: '',
			placeholder: 'e.g. http://myproxy:3128',
			description: 'HTTP proxy to use. If authentication is required it can be defined as follow: http://username:password@myproxy:3128.',
		},
		{
			displayName: 'Timeout',
			name: 'timeout',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 10000,
			description: 'Time in ms to wait for the server to send response headers (and start the response body) before aborting the request',
		},
	],
};
