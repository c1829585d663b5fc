import type { INodeProperties } from 'n8n-workflow';

import { WITH_RECIPIENT } from './MessageDescription';

/**
 * One 'Chat ID or Phone' for the contact and message operations. n8n's routing evaluates the
 * parameter once per definition that carries its name, for every item: a second definition
 * would cost a bulk run an expression evaluation per item for nothing.
 */
export const chatIdField: INodeProperties = {
	displayName: 'Chat ID or Phone',
	name: 'chatId',
	type: 'string',
	required: true,
	default: '',
	placeholder: '+1 213 213 2130',
	displayOptions: { show: { resource: ['contact', 'message'], operation: ['upsert', 'get', ...WITH_RECIPIENT] } },
	description:
		'A phone number in international form (+1 (213) 213-2130, 0012132132130) or, with the Country option, in national form; a chat ID (12132132130@c.us, 1234567890@lid); messages can also go to a group (120363040000000000@g.us)',
};
