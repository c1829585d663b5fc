import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
	INodePropertyOptions,
} from 'n8n-workflow';

import { PLAN_LIMITS } from '../nodes/Hypersender/transport/rateLimitPlans';
import type { NamedPlan } from '../nodes/Hypersender/transport/rateLimitPlans';

/** A named plan as the Rate Limit Plan list shows it: its numbers from the pacer's own table. */
function planOption(value: NamedPlan, label: string, description?: string): INodePropertyOptions {
	const { requestsPerMinute, messagesPerMinute } = PLAN_LIMITS[value];
	return { name: `${label} (${requestsPerMinute} Requests, ${messagesPerMinute} Messages per Minute)`, value, ...(description ? { description } : {}) };
}

const RATE_LIMIT_PLAN_OPTIONS: INodePropertyOptions[] = [
	planOption('freeTrial', 'Free Trial', 'Also 100 messages a day, which the node does not count'),
	planOption('starter', 'Starter'),
	planOption('pro', 'Pro'),
	planOption('business', 'Business'),
	planOption('enterprise', 'Enterprise'),
	{ name: 'Custom', value: 'custom', description: 'Enter your own requests and messages per minute' },
	{
		name: 'No Pacing',
		value: 'unlimited',
		description: 'Send as fast as the connection allows (for proxies that pace by themselves)',
	},
];

export class HypersenderApi implements ICredentialType {
	name = 'hypersenderApi';

	displayName = 'Hypersender API';

	icon: Icon = {
		light: 'file:../nodes/Hypersender/hypersender.svg',
		dark: 'file:../nodes/Hypersender/hypersender.dark.svg',
	};

	documentationUrl = 'https://docs.hypersender.com/whatsapp-api/authentication';

	properties: INodeProperties[] = [
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			placeholder: '234|3uB2pBST2H6If8tw...',
			description: 'The token from the Hypersender dashboard (Settings > API Tokens)',
		},
		{
			displayName: 'Instance ID',
			name: 'instanceId',
			type: 'string',
			required: true,
			default: '',
			placeholder: '9d1f6f5e-2a3b-4c5d-8e9f-0a1b2c3d4e5f',
			description:
				'The UUID of the WhatsApp instance (one instance is one WhatsApp number), copied from the Hypersender dashboard',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://app.hypersender.com',
			description:
				'Where the Hypersender API lives. Change it only for a proxy or a test server; http and https only.',
		},
		{
			displayName: 'Rate Limit Plan',
			name: 'rateLimitPlan',
			type: 'options',
			options: RATE_LIMIT_PLAN_OPTIONS,
			default: 'starter',
			description:
				"Your Hypersender plan. The node paces every request to the plan's requests per minute, and messages it sends also to its messages per minute, so bulk runs do not fail with 429 errors.",
		},
		{
			// The name predates the message cap; saved credentials keep it.
			displayName: 'Custom Requests per Minute',
			name: 'customRequestsPerMinute',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 60,
			displayOptions: { show: { rateLimitPlan: ['custom'] } },
			description: 'The requests per minute your account is allowed (every call: sends, checks of queued requests, contacts)',
		},
		{
			displayName: 'Custom Messages per Minute',
			name: 'customMessagesPerMinute',
			type: 'number',
			typeOptions: { minValue: 0 },
			// 0, not a number: n8n fills a field missing from a saved credential with its default, and
			// a Custom credential saved before this field existed must keep sending as it did.
			default: 0,
			displayOptions: { show: { rateLimitPlan: ['custom'] } },
			description: 'The messages per minute your account may send. 0 = the same as Custom Requests per Minute.',
		},
		{
			displayName: 'Webhook Authorization',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"Only for the Hypersender Trigger: a secret of at least 16 characters. Set the same value as the webhook's Authorization in the Hypersender dashboard; deliveries without it are refused (401).",
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiToken.trim()}}',
			},
		},
	};

	// Listing one contact is the cheapest call that needs both a valid token and a valid instance,
	// so the rules can tell the user which of the two is wrong.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{$credentials.baseUrl.trim().replace(/\\/+$/, "")}}/api/whatsapp/v2/{{$credentials.instanceId.trim()}}',
			url: '/contacts/get-all',
			method: 'GET',
			qs: { limit: 1 },
			headers: { Accept: 'application/json' },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'The API Token is wrong or has been revoked: create a new one in the Hypersender dashboard and paste it here',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'The token works but this Instance ID was not found: copy the instance UUID from the Hypersender dashboard',
				},
			},
		],
	};
}
