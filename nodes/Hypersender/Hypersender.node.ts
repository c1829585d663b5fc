import { NodeConnectionTypes, SEND_AND_WAIT_OPERATION } from 'n8n-workflow';
import type { INodeType, INodeTypeDescription, IWebhookDescription } from 'n8n-workflow';

import { answerSendAndWait, sendAndWaitForResponse } from './actions/sendAndWait';

import { CONTACT_RECIPIENT_OPERATIONS, contactFields, contactOperations, contactOptions, contactToolDescriptions } from './descriptions/ContactDescription';
import { MESSAGE_RECIPIENT_OPERATIONS, messageFields, messageOperations, messageOptions, messageToolDescriptions } from './descriptions/MessageDescription';
import { queuedRequestFields, queuedRequestOperations, queuedRequestToolDescriptions } from './descriptions/QueuedRequestDescription';
import { chatIdField, optionsCollection, requestOptionsSetting } from './descriptions/sharedOptions';
import type { RecipientOperations } from './descriptions/sharedOptions';

/** Where 'Chat ID or Phone' and Country show: each resource's operations with a recipient. */
const RECIPIENTS: RecipientOperations = { contact: CONTACT_RECIPIENT_OPERATIONS, message: MESSAGE_RECIPIENT_OPERATIONS };

/**
 * Send and Wait's resume links, as n8n's own Send and Wait nodes declare them: restart webhooks
 * (n8n serves them only for an execution waiting at this node, never on activation), at the
 * node's ID, which n8n's signed resume URL names.
 */
const sendAndWaitWebhook = (httpMethod: 'GET' | 'POST'): IWebhookDescription => ({
	name: 'default',
	httpMethod,
	responseMode: 'onReceived',
	path: '={{ $nodeId }}',
	restartWebhook: true,
	isFullPath: true,
});
// Nothing is registered at Hypersender for these, so the node has no webhookMethods (create,
// checkExists, delete): n8n's own Send and Wait nodes declare theirs the same way.
const SEND_AND_WAIT_WEBHOOKS = [sendAndWaitWebhook('GET'), sendAndWaitWebhook('POST')];

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
		webhooks: SEND_AND_WAIT_WEBHOOKS,
		waitingNodeTooltip: 'Waiting for the answer to the WhatsApp message',
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
			requestOptionsSetting,
		],
	};

	/** Operations n8n runs through these functions instead of RoutingNode (descriptions/operation.ts `customOperation`). */
	customOperations = { message: { [SEND_AND_WAIT_OPERATION]: sendAndWaitForResponse } };

	webhook = answerSendAndWait;
}
