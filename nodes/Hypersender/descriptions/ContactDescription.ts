import type { INodeProperties } from 'n8n-workflow';

import { keepingToolCallRefusal } from '../actions/aiTool';
import { getContact, getManyContacts, putChatIdIntoRequest, putContactNamesIntoBody, upsertContact } from '../actions/contact';
import { operation, operationSelector, toolDescriptions } from './operation';

const forContact = (...operation: string[]) => ({ show: { resource: ['contact'], operation } });

/** Contact operations that take a recipient ('Chat ID or Phone', Country). */
export const CONTACT_RECIPIENT_OPERATIONS = ['get', 'upsert'] as const;

export const contactOperations: INodeProperties = operationSelector(
	'contact',
	[
		operation({
			value: 'get',
			name: 'Get',
			action: 'Get a contact',
			description: "Read one contact from the WhatsApp number's address book",
			method: 'GET',
			url: '/contacts/get',
			preSend: [putChatIdIntoRequest].map(keepingToolCallRefusal),
			runner: getContact,
		}),
		operation({
			value: 'getAll',
			name: 'Get Many',
			action: 'Get many contacts',
			description: "List the contacts in the WhatsApp number's address book",
			method: 'GET',
			url: '/contacts/get-all',
			runner: getManyContacts,
		}),
		operation({
			value: 'upsert',
			name: 'Create or Update',
			action: 'Create or update a contact',
			description: 'Create a new record, or update the current one if it already exists (upsert)',
			method: 'POST',
			url: '/contacts/upsert',
			preSend: [putChatIdIntoRequest, putContactNamesIntoBody].map(keepingToolCallRefusal),
			runner: upsertContact,
		}),
	],
	'upsert',
);

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
];

const forContactOption = (...operation: string[]) => ({ show: { '/resource': ['contact'], '/operation': operation } });

/** The Contact operations' own entries of the node's Options collection. */
export const contactOptions: INodeProperties[] = [
	{
		displayName: 'Sync Attempts',
		name: 'syncAttempts',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 3 },
		default: 1,
		displayOptions: forContactOption('upsert'),
		description:
			"How often to send the same upsert. Hypersender advises 2-3 when the phone's address book does not pick a contact up at once (several WhatsApp apps on one phone).",
	},
	{
		displayName: 'Delay Between Sync Attempts (Seconds)',
		name: 'syncDelaySeconds',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 60 },
		default: 3,
		displayOptions: forContactOption('upsert'),
	},
	{
		displayName: 'Verify by Reading Back',
		name: 'verify',
		type: 'boolean',
		default: false,
		displayOptions: forContactOption('upsert'),
		description: 'Whether to read the contact back after the upsert and add the stored name, and whether it matches, to the output',
	},
	{
		displayName: 'If Not Found',
		name: 'ifNotFound',
		type: 'options',
		default: 'error',
		displayOptions: forContactOption('get'),
		options: [
			{ name: 'Fail the Item', value: 'error', description: "Raise a 'Contact not found' error" },
			{ name: 'Output an Item', value: 'outputItem', description: 'Output {found: false, chat_ID} and go on' },
		],
	},
	{
		displayName: 'Sort By',
		name: 'sortBy',
		type: 'options',
		default: 'name',
		displayOptions: forContactOption('getAll'),
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
		displayOptions: forContactOption('getAll'),
		options: [
			{ name: 'Ascending', value: 'asc' },
			{ name: 'Descending', value: 'desc' },
		],
		routing: { send: { type: 'query', property: 'sort_order' } },
	},
];

const CONTACT = "'Chat ID or Phone': the person's phone number in international form with its country code (+49 151 23456789, 0044 7911 123456) or chat ID (4915123456789@c.us, or a hidden user ID 1234567890@lid).";

/** What an AI agent reads about each Contact operation (see toolDescriptions). */
export const contactToolDescriptions: INodeProperties[] = toolDescriptions('contact', {
	get: `Looks up one contact in the address book of this WhatsApp number. ${CONTACT} Answers found, chat_id, name (as saved) and pushname (the name the person set in WhatsApp).`,
	getAll: "Lists the contacts in the address book of this WhatsApp number (chat ID, name, pushname), sorted by name. 'Limit': how many, e.g. 50. To find one person, use the tool that gets one contact.",
	upsert: `Saves a contact in the address book of this WhatsApp number: creates it, or updates the name of an existing one. ${CONTACT} 'First Name' (required) and 'Last Name' (optional): as the person should appear, e.g. Maria and Doe. Answers success and the chat_id.`,
});
