import type { INodeProperties } from 'n8n-workflow';

import { getContact, getManyContacts, putChatIdIntoRequest, putContactNamesIntoBody, upsertContact } from '../actions/contact';
import { MAX_RETRIES, REQUESTS_PER_MINUTE } from '../transport';
import { countryOption } from './countryOption';

const forContact = (...operation: string[]) => ({ show: { resource: ['contact'], operation } });

export const contactOperations: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['contact'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				action: 'Get a contact',
				description: "Read one contact from the WhatsApp number's address book",
				routing: {
					request: { method: 'GET', url: '/contacts/get' },
					send: { paginate: true, preSend: [putChatIdIntoRequest] },
					operations: { pagination: getContact },
				},
			},
			{
				name: 'Get Many',
				value: 'getAll',
				action: 'Get many contacts',
				description: "List the contacts in the WhatsApp number's address book",
				routing: {
					request: { method: 'GET', url: '/contacts/get-all' },
					send: { paginate: true },
					operations: { pagination: getManyContacts },
				},
			},
			{
				name: 'Create or Update',
				value: 'upsert',
				action: 'Create or update a contact',
				description:
					'Create a new record, or update the current one if it already exists (upsert)',
				routing: {
					request: { method: 'POST', url: '/contacts/upsert' },
					send: { paginate: true, preSend: [putChatIdIntoRequest, putContactNamesIntoBody] },
					operations: { pagination: upsertContact },
				},
			},
		],
		default: 'upsert',
	},
];

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
		'How often one item is retried after a rate limit (429), a Hypersender server error (5xx) or a dropped connection before it fails',
};

export const contactFields: INodeProperties[] = [
	{
		displayName: 'First Name',
		name: 'firstName',
		type: 'string',
		required: true,
		default: '',
		displayOptions: forContact('upsert'),
	},
	{
		displayName: 'Last Name',
		name: 'lastName',
		type: 'string',
		default: '',
		displayOptions: forContact('upsert'),
	},
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		displayOptions: forContact('getAll'),
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		displayOptions: { show: { resource: ['contact'], operation: ['getAll'], returnAll: [false] } },
		description: 'Max number of results to return',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: forContact('upsert'),
		options: [
			countryOption,
			maxRetriesOption,
			requestsPerMinuteOption,
			{
				displayName: 'Sync Attempts',
				name: 'syncAttempts',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 3 },
				default: 1,
				description:
					"How often to send the same upsert. Hypersender advises 2-3 when the phone's address book does not pick a contact up at once (several WhatsApp apps on one phone).",
			},
			{
				displayName: 'Delay Between Sync Attempts (Seconds)',
				name: 'syncDelaySeconds',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 60 },
				default: 3,
			},
			{
				displayName: 'Verify by Reading Back',
				name: 'verify',
				type: 'boolean',
				default: false,
				description:
					'Whether to read the contact back after the upsert and add the stored name, and whether it matches, to the output',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: forContact('get'),
		options: [
			countryOption,
			{
				displayName: 'If Not Found',
				name: 'ifNotFound',
				type: 'options',
				default: 'error',
				options: [
					{ name: 'Fail the Item', value: 'error', description: "Raise a 'Contact not found' error" },
					{
						name: 'Output an Item',
						value: 'outputItem',
						description: 'Output {found: false, chat_ID} and go on',
					},
				],
			},
			maxRetriesOption,
			requestsPerMinuteOption,
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		displayOptions: forContact('getAll'),
		options: [
			maxRetriesOption,
			requestsPerMinuteOption,
			{
				displayName: 'Sort By',
				name: 'sortBy',
				type: 'options',
				default: 'name',
				options: [
					{ name: 'Name', value: 'name' },
					{ name: 'ID', value: 'id' },
				],
				routing: { send: { type: 'query', property: 'sort_by' } },
			},
			{
				displayName: 'Sort Order',
				name: 'sortOrder',
				type: 'options',
				default: 'asc',
				options: [
					{ name: 'Ascending', value: 'asc' },
					{ name: 'Descending', value: 'desc' },
				],
				routing: { send: { type: 'query', property: 'sort_order' } },
			},
		],
	},
];
