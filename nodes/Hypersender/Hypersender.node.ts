import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { CONTACT_RECIPIENT_OPERATIONS, contactFields, contactOperations, contactOptions, contactToolDescriptions } from './descriptions/ContactDescription';
import { MESSAGE_RECIPIENT_OPERATIONS, messageFields, messageOperations, messageOptions, messageToolDescriptions } from './descriptions/MessageDescription';
import { queuedRequestFields, queuedRequestOperations, queuedRequestToolDescriptions } from './descriptions/QueuedRequestDescription';
import { chatIdField, optionsCollection } from './descriptions/sharedOptions';
import type { RecipientOperations } from './descriptions/sharedOptions';

/** Where 'Chat ID or Phone' and Country show: each resource's operations with a recipient. */
const RECIPIENTS: RecipientOperations = { contact: CONTACT_RECIPIENT_OPERATIONS, message: MESSAGE_RECIPIENT_OPERATIONS };

export class Hypersender implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Hypersender',
		name: 'hypersender',
		icon: { light: 'file:hypersender.svg', dark: 'file:hypersender.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Send WhatsApp messages and keep the contacts of a WhatsApp number in sync through the Hypersender API',
		defaults: { name: 'Hypersender' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'hypersenderApi', required: true }],
		// n8n treats a node with requestDefaults as declarative and runs it through its routing;
		// the transport (transport/index.ts) sends these headers with every request.
		requestDefaults: { headers: { Accept: 'application/json' } },
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Contact', value: 'contact' },
					{ name: 'Message', value: 'message' },
					{ name: 'Queued Request', value: 'queuedRequest' },
				],
				default: 'contact',
			},
			contactOperations,
			messageOperations,
			queuedRequestOperations,
			...contactToolDescriptions,
			...messageToolDescriptions,
			...queuedRequestToolDescriptions,
			chatIdField(RECIPIENTS),
			...contactFields,
			...messageFields,
			...queuedRequestFields,
			optionsCollection(RECIPIENTS, contactOptions, messageOptions),
		],
	};
}
