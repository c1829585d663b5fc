/**
 * Message > Send and Wait for Response: its fields and its entries of the node's one Options
 * collection. Names and defaults follow n8n's own Send and Wait nodes (WhatsApp Business Cloud,
 * Telegram, Slack), so saved habits carry over: `message`, `responseType`, `approvalOptions`,
 * `options.limitWaitTime`, the response form's title, description and button labels.
 */
import { SEND_AND_WAIT_OPERATION } from 'n8n-workflow';
import type { INodeProperties } from 'n8n-workflow';

const forSendAndWait = (show: Record<string, string[]> = {}) => ({ show: { resource: ['message'], operation: [SEND_AND_WAIT_OPERATION], ...show } });
const forSendAndWaitOption = (responseTypes: string[]) => ({ show: { '/resource': ['message'], '/operation': [SEND_AND_WAIT_OPERATION], '/responseType': responseTypes } });

export const DEFAULT_APPROVE_LABEL = '✓ Approve';
export const DEFAULT_DECLINE_LABEL = '✗ Decline';
export const DEFAULT_RESPOND_LABEL = 'Respond';

export const sendAndWaitFields: INodeProperties[] = [
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		required: true,
		default: '',
		typeOptions: { rows: 4 },
		displayOptions: forSendAndWait(),
		description: 'What the person is asked. The links to answer follow it in the same WhatsApp message.',
	},
	{
		displayName: 'Response Type',
		name: 'responseType',
		type: 'options',
		default: 'approval',
		displayOptions: forSendAndWait(),
		options: [
			{ name: 'Approval', value: 'approval', description: 'The person approves (or declines) through a link in the message' },
			{ name: 'Free Text', value: 'freeText', description: 'The person writes an answer on a page the message links to' },
		],
	},
	{
		displayName: 'Approval Options',
		name: 'approvalOptions',
		type: 'fixedCollection',
		placeholder: 'Add option',
		default: {},
		displayOptions: forSendAndWait({ responseType: ['approval'] }),
		options: [
			{
				displayName: 'Values',
				name: 'values',
				values: [
					{
						displayName: 'Type of Approval',
						name: 'approvalType',
						type: 'options',
						default: 'single',
						options: [
							{ name: 'Approve Only', value: 'single' },
							{ name: 'Approve and Disapprove', value: 'double' },
						],
					},
					{ displayName: 'Approve Button Label', name: 'approveLabel', type: 'string', default: DEFAULT_APPROVE_LABEL },
					{
						displayName: 'Disapprove Button Label',
						name: 'disapproveLabel',
						type: 'string',
						default: DEFAULT_DECLINE_LABEL,
						displayOptions: { show: { approvalType: ['double'] } },
					},
				],
			},
		],
	},
];

const limitWaitTimeOption: INodeProperties = {
	displayName: 'Limit Wait Time',
	name: 'limitWaitTime',
	type: 'fixedCollection',
	default: { values: { limitType: 'afterTimeInterval', resumeAmount: 45, resumeUnit: 'minutes' } },
	description: 'Whether to stop waiting for an answer after a time; the node then outputs its input items, as n8n\'s own Send and Wait nodes do',
	displayOptions: forSendAndWaitOption(['approval', 'freeText']),
	options: [
		{
			displayName: 'Values',
			name: 'values',
			values: [
				{
					displayName: 'Limit Type',
					name: 'limitType',
					type: 'options',
					default: 'afterTimeInterval',
					options: [
						{ name: 'After Time Interval', value: 'afterTimeInterval', description: 'Waits for a certain amount of time' },
						{ name: 'At Specified Time', value: 'atSpecifiedTime', description: 'Waits until the set date and time' },
					],
				},
				{
					displayName: 'Amount',
					name: 'resumeAmount',
					type: 'number',
					typeOptions: { minValue: 0, numberPrecision: 2 },
					default: 1,
					displayOptions: { show: { limitType: ['afterTimeInterval'] } },
				},
				{
					displayName: 'Unit',
					name: 'resumeUnit',
					type: 'options',
					default: 'hours',
					displayOptions: { show: { limitType: ['afterTimeInterval'] } },
					options: [
						{ name: 'Seconds', value: 'seconds' },
						{ name: 'Minutes', value: 'minutes' },
						{ name: 'Hours', value: 'hours' },
						{ name: 'Days', value: 'days' },
					],
				},
				{
					displayName: 'Max Date and Time',
					name: 'maxDateAndTime',
					type: 'dateTime',
					default: '',
					displayOptions: { show: { limitType: ['atSpecifiedTime'] } },
				},
			],
		},
	],
};

/** Send and Wait's entries of the node's Options collection. */
export const sendAndWaitOptions: INodeProperties[] = [
	limitWaitTimeOption,
	{
		displayName: 'Message Button Label',
		name: 'messageButtonLabel',
		type: 'string',
		default: DEFAULT_RESPOND_LABEL,
		displayOptions: forSendAndWaitOption(['freeText']),
		description: 'The words before the link to the answer page in the message',
	},
	{
		displayName: 'Response Form Title',
		name: 'responseFormTitle',
		type: 'string',
		default: '',
		displayOptions: forSendAndWaitOption(['freeText']),
	},
	{
		displayName: 'Response Form Description',
		name: 'responseFormDescription',
		type: 'string',
		default: '',
		displayOptions: forSendAndWaitOption(['freeText']),
		description: 'Shown above the text box. Default: the message.',
	},
	{
		displayName: 'Response Form Button Label',
		name: 'responseFormButtonLabel',
		type: 'string',
		default: 'Submit',
		displayOptions: forSendAndWaitOption(['freeText']),
	},
	{
		displayName: 'Append N8n Attribution',
		name: 'appendAttribution',
		type: 'boolean',
		default: true,
		displayOptions: forSendAndWaitOption(['approval', 'freeText']),
		description: 'Whether to end the message with "This message was sent automatically with n8n"',
	},
];
