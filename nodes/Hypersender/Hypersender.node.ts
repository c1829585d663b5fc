import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeType, INodeTypeDescription } from 'n8n-workflow';

import { contactFields, contactOperations } from './descriptions/ContactDescription';

export class Hypersender implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Hypersender',
		name: 'hypersender',
		icon: { light: 'file:hypersender.svg', dark: 'file:hypersender.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Keep the contacts of a WhatsApp number in sync through the Hypersender API',
		defaults: { name: 'Hypersender' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'hypersenderApi', required: true }],
		requestDefaults: {
			// applyCredentialBaseUrl points each request at the credential's Base URL and instance;
			// reading the credential once per run is cheaper than an expression per item.
			baseURL: 'https://app.hypersender.com/api/whatsapp/v2',
			headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
			json: true,
			// Failures are turned into actionable errors by checkHypersenderResponse, which needs to see them.
			ignoreHttpStatusErrors: true,
		},
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [{ name: 'Contact', value: 'contact' }],
				default: 'contact',
			},
			...contactOperations,
			...contactFields,
		],
	};
}
