import { SEND_AND_WAIT_OPERATION } from 'n8n-workflow';
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { downloadMediaOfItem } from '../actions/downloadMedia';
import { messagePreSend, sendAndReport } from '../actions/message';
import { MAX_WAIT_SECONDS } from '../actions/queuedRequest';
import { MAX_MEDIA_MB, MEDIA_TIMEOUT_SECONDS } from '../transport/media';
import { customOperation, operation, operationSelector, toolDescriptions } from './operation';
import { sendAndWaitFields, sendAndWaitOptions } from './SendAndWaitDescription';

const forMessage = (...operation: string[]) => ({ show: { resource: ['message'], operation } });
const forMessageOption = (...operation: string[]) => ({ show: { '/resource': ['message'], '/operation': operation } });

/** Message operations that take a recipient ('Chat ID or Phone', Country); React names its message by ID only. */
export const MESSAGE_RECIPIENT_OPERATIONS = ['sendText', 'sendMedia', 'sendLocation', 'sendPoll', 'sendContactCard', 'forward', 'markSeen', 'startTyping', 'stopTyping', 'delete', SEND_AND_WAIT_OPERATION] as const;
const WITH_REPLY_TO = ['sendText', 'sendMedia', 'sendLocation', 'sendPoll'];

/** A Message operation: its preSend hook (actions/message.ts) and the one Message runner. */
const messageOperation = (value: string, name: string, action: string, description: string, method: 'POST' | 'PUT' | 'DELETE' = 'POST') =>
	operation({ value, name, action, description, method, preSend: [messagePreSend[value]], runner: sendAndReport });

export const messageOperations: INodeProperties = operationSelector(
	'message',
	[
		messageOperation('delete', 'Delete', 'Delete a message', 'Delete a message for everyone', 'DELETE'),
		operation({
			value: 'downloadMedia',
			name: 'Download Media',
			action: 'Download the media of a message',
			description: 'Get the voice note, photo, video or document of a received message as a binary file',
			method: 'GET',
			preSend: [messagePreSend.downloadMedia],
			runner: downloadMediaOfItem,
		}),
		messageOperation('forward', 'Forward', 'Forward a message', 'Forward a message to another chat'),
		messageOperation('markSeen', 'Mark as Seen', 'Mark a message as seen', 'Send a read receipt for a message'),
		messageOperation('react', 'React', 'React to a message', 'React with an emoji, or remove the reaction', 'PUT'),
		customOperation({
			value: SEND_AND_WAIT_OPERATION,
			name: 'Send and Wait for Response',
			action: 'Send message and wait for response',
			description: 'Ask a person on WhatsApp (approve/decline links, or a link to a text box) and continue with their answer',
		}),
		messageOperation('sendContactCard', 'Send Contact Card', 'Send a contact card', 'Send a contact card from fields or a vCard'),
		messageOperation('sendLocation', 'Send Location', 'Send a location', 'Send a map location'),
		messageOperation('sendMedia', 'Send Media', 'Send an image, video, voice note or document', 'Send a file from a URL or from binary data'),
		messageOperation('sendPoll', 'Send Poll', 'Send a poll', 'Send a poll with answers to choose from'),
		messageOperation('sendText', 'Send Text', 'Send a text message', 'Send a WhatsApp text message to a phone number, chat or group'),
		messageOperation('startTyping', 'Start Typing', 'Show typing in a chat', 'Show "typing..." in a chat'),
		messageOperation('stopTyping', 'Stop Typing', 'Stop showing typing in a chat', 'Stop showing "typing..." in a chat'),
	],
	'sendText',
);

const messageIdDescription = 'A WhatsApp message ID such as true_12132132130@c.us_3EB08F6AD2A432386EFA0E: the message_id output of a send, or the ID from a webhook';

export const messageFields: INodeProperties[] = [
	{
		displayName: 'Media URL',
		name: 'downloadUrl',
		type: 'string',
		required: true,
		default: '={{ $json.media_url }}',
		displayOptions: forMessage('downloadMedia'),
		description:
			"The media link of a received message: the Hypersender Trigger's media_url, or the whole incoming message item (also a raw delivery, with Simplify off). Links on the credential's Base URL get the API token; any other address is fetched without it.",
	},
	{
		displayName: 'Put Output File in Field',
		name: 'outputBinaryField',
		type: 'string',
		required: true,
		default: 'data',
		displayOptions: forMessage('downloadMedia'),
		hint: 'The name of the output binary field to put the file in',
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		required: true,
		default: '',
		typeOptions: { rows: 4 },
		displayOptions: forMessage('sendText'),
		description: 'The message text. WhatsApp formatting works: *bold*, _italic_, ~strikethrough~.',
	},
	{
		displayName: 'Human-Like Sending',
		name: 'humanLike',
		type: 'boolean',
		default: true,
		displayOptions: forMessage('sendText', SEND_AND_WAIT_OPERATION),
		description:
			'Whether Hypersender spaces messages out and shows typing first (send-text-safe), which it recommends against bans. Off sends at once (send-text).',
	},
	{
		displayName: 'Media Type',
		name: 'mediaType',
		type: 'options',
		default: 'image',
		displayOptions: forMessage('sendMedia'),
		options: [
			{ name: 'Image', value: 'image' },
			{ name: 'Video', value: 'video' },
			{ name: 'Voice Note', value: 'voice' },
			{ name: 'Document', value: 'document', description: 'Any file: PDF, office documents, audio, text, ZIP' },
		],
	},
	{
		displayName: 'Source',
		name: 'source',
		type: 'options',
		default: 'url',
		displayOptions: forMessage('sendMedia'),
		options: [
			{ name: 'URL', value: 'url', description: 'A public address Hypersender downloads the file from' },
			{ name: 'Binary File', value: 'binary', description: 'A file in the input item, uploaded with the request' },
		],
	},
	{
		displayName: 'Media URL',
		name: 'mediaUrl',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'https://example.com/photo.jpg',
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], source: ['url'] } },
		description: 'Public http(s) address of the file; Hypersender downloads it without any login',
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		required: true,
		default: 'data',
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], source: ['binary'] } },
		hint: 'The name of the input binary field containing the file to be sent',
	},
	{
		displayName: 'Caption',
		name: 'caption',
		type: 'string',
		default: '',
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], mediaType: ['image', 'video', 'document'] } },
	},
	{
		displayName: 'Send as Video Note',
		name: 'asNote',
		type: 'boolean',
		default: false,
		displayOptions: { show: { resource: ['message'], operation: ['sendMedia'], mediaType: ['video'] } },
		description: 'Whether to send the video as a round video note instead of a regular video',
	},
	{
		displayName: 'Latitude',
		name: 'latitude',
		type: 'number',
		required: true,
		default: 0,
		typeOptions: { minValue: -90, maxValue: 90, numberPrecision: 6 },
		displayOptions: forMessage('sendLocation'),
	},
	{
		displayName: 'Longitude',
		name: 'longitude',
		type: 'number',
		required: true,
		default: 0,
		typeOptions: { minValue: -180, maxValue: 180, numberPrecision: 6 },
		displayOptions: forMessage('sendLocation'),
	},
	{
		displayName: 'Title',
		name: 'title',
		type: 'string',
		required: true,
		default: '',
		displayOptions: forMessage('sendLocation'),
		description: 'The name shown with the location, e.g. the shop name',
	},
	{
		displayName: 'Question',
		name: 'pollQuestion',
		type: 'string',
		required: true,
		default: '',
		displayOptions: forMessage('sendPoll'),
	},
	{
		displayName: 'Options',
		name: 'pollOptions',
		type: 'string',
		typeOptions: { multipleValues: true, multipleValueButtonText: 'Add Answer' },
		default: [],
		displayOptions: forMessage('sendPoll'),
		description: 'The answers to choose from, at least 2',
	},
	{
		displayName: 'Allow Multiple Answers',
		name: 'multipleAnswers',
		type: 'boolean',
		default: false,
		displayOptions: forMessage('sendPoll'),
		description: 'Whether a voter may choose more than one answer',
	},
	{
		displayName: 'Card From',
		name: 'cardSource',
		type: 'options',
		default: 'fields',
		displayOptions: forMessage('sendContactCard'),
		options: [
			{ name: 'Fields', value: 'fields' },
			{ name: 'VCard', value: 'vcard' },
		],
	},
	{
		displayName: 'Full Name',
		name: 'cardFullName',
		type: 'string',
		required: true,
		default: '',
		displayOptions: { show: { resource: ['message'], operation: ['sendContactCard'], cardSource: ['fields'] } },
	},
	{
		displayName: 'Contact Phone',
		name: 'cardPhone',
		type: 'string',
		required: true,
		default: '',
		placeholder: '+1 213 213 2130',
		displayOptions: { show: { resource: ['message'], operation: ['sendContactCard'], cardSource: ['fields'] } },
		description: 'The phone number on the card, in international form (or national with the Country option)',
	},
	{
		displayName: 'Organization',
		name: 'cardOrganization',
		type: 'string',
		default: '',
		displayOptions: { show: { resource: ['message'], operation: ['sendContactCard'], cardSource: ['fields'] } },
	},
	{
		displayName: 'VCard',
		name: 'vcard',
		type: 'string',
		required: true,
		default: '',
		typeOptions: { rows: 6 },
		placeholder: 'BEGIN:VCARD\nVERSION:3.0\nFN:Maria Doe\nTEL;type=CELL;waid=12132132130:+1 213 213 2130\nEND:VCARD',
		displayOptions: { show: { resource: ['message'], operation: ['sendContactCard'], cardSource: ['vcard'] } },
	},
	{
		displayName: 'Message ID',
		name: 'messageId',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'true_12132132130@c.us_3EB08F6AD2A432386EFA0E',
		displayOptions: forMessage('react', 'markSeen', 'forward', 'delete'),
		description: messageIdDescription,
	},
	{
		displayName: 'Reaction',
		name: 'reaction',
		type: 'string',
		default: '',
		placeholder: '👍',
		displayOptions: forMessage('react'),
		description: 'One emoji. Leave empty to remove your reaction.',
	},
	...sendAndWaitFields,
];

// Operations Hypersender does not queue (they read, rather than ask Hypersender to do something).
const NOT_QUEUED = new Set(['downloadMedia']);
// From the selector: an operation added there gets Wait for Result and Max Wait, which its runner reads,
// unless it is one of those above.
const QUEUED_MESSAGE_OPERATIONS = (messageOperations.options as INodePropertyOptions[]).map((operation) => String(operation.value)).filter((operation) => !NOT_QUEUED.has(operation));

/** The Message operations' own entries of the node's Options collection. */
export const messageOptions: INodeProperties[] = [
	{
		displayName: 'Download Timeout (Seconds)',
		name: 'downloadTimeoutSeconds',
		type: 'number',
		typeOptions: { minValue: MEDIA_TIMEOUT_SECONDS.min, maxValue: MEDIA_TIMEOUT_SECONDS.max },
		default: 60, // MEDIA_TIMEOUT_SECONDS.fallback; n8n's lint wants the literal
		displayOptions: forMessageOption('downloadMedia'),
		description: 'How long the whole download may take, redirects included; a server that sends slowly or never finishes fails the item then',
	},
	{
		displayName: 'Max File Size (MB)',
		name: 'maxFileSizeMb',
		type: 'number',
		typeOptions: { minValue: MAX_MEDIA_MB.min, maxValue: MAX_MEDIA_MB.max },
		default: 25, // MAX_MEDIA_MB.fallback; n8n's lint wants the literal
		displayOptions: forMessageOption('downloadMedia'),
		description: 'A larger file fails the item, and nothing of it is kept',
	},
	{
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		default: '',
		placeholder: 'invoice.pdf',
		displayOptions: { show: { '/resource': ['message'], '/operation': ['sendMedia'], '/mediaType': ['image', 'document'] } },
		description: "The file name the recipient sees. Default: the binary file's name.",
	},
	{
		displayName: 'Link Preview',
		name: 'linkPreview',
		type: 'boolean',
		default: true,
		displayOptions: forMessageOption('sendText'),
		description: 'Whether WhatsApp shows a preview of the first link in the text',
	},
	{
		displayName: 'Max Wait (Seconds)',
		name: 'maxWaitSeconds',
		type: 'number',
		typeOptions: { minValue: MAX_WAIT_SECONDS.min, maxValue: MAX_WAIT_SECONDS.max },
		default: 60,
		displayOptions: forMessageOption(...QUEUED_MESSAGE_OPERATIONS),
		description:
			'How long Wait for Result waits in all, checks and their time-outs included. A request still processing then, or whose result could not be read (poll_error says why), is output with status "pending" and its UUID, to be read later with Queued Request > Get.',
	},
	{
		displayName: 'MIME Type',
		name: 'mimeType',
		type: 'string',
		default: '',
		placeholder: 'application/pdf',
		displayOptions: { show: { '/resource': ['message'], '/operation': ['sendMedia'], '/mediaType': ['image', 'document'] } },
		description: "Default: the binary file's MIME type",
	},
	{
		displayName: 'Participant',
		name: 'participant',
		type: 'string',
		default: '',
		displayOptions: forMessageOption('markSeen'),
		description: 'In a group: the chat ID or phone of the member who sent the message',
	},
	{
		displayName: 'Reply To',
		name: 'replyTo',
		type: 'string',
		default: '',
		placeholder: 'true_12132132130@c.us_3EB08F6AD2A432386EFA0E',
		displayOptions: forMessageOption(...WITH_REPLY_TO),
		description: `The message to reply to (quoted above the new one). ${messageIdDescription}.`,
	},
	{
		displayName: 'Wait for Result',
		name: 'waitForResult',
		type: 'boolean',
		default: true,
		displayOptions: forMessageOption(...QUEUED_MESSAGE_OPERATIONS),
		description:
			'Whether to wait until Hypersender has processed the request and output whether it was sent (each check is one request against your plan). Off outputs status "queued" and the UUID at once.',
	},
	...sendAndWaitOptions,
];

// How the tools below name a chat, and a message.
const TO_CHAT =
	"'Chat ID or Phone': a phone number in international form with its country code (+49 151 23456789, +1 (213) 213-2130), a chat ID (4915123456789@c.us), a hidden user ID (1234567890@lid) or a group ID (120363040000000000@g.us); when answering a message, use the chat_id it came from.";
const MESSAGE_ID = "'Message ID': a WhatsApp message ID such as false_12132132130@c.us_3EB08F6AD2A432386EFA0E (the message_id of an incoming message, or of a send).";
// A send not processed within Max Wait (Human-like Sending spaces messages out) answers "pending" without a
// message_id, one without Wait for Result "queued": a model that reads either as "not sent" would send it twice.
const SEND_ANSWER = 'Answers status "sent" with its message_id; "queued" or "pending" means Hypersender has the message and sends it: do not send it again.';
const ACTION_ANSWER = 'Answers status "done"; "queued" or "pending" means Hypersender has the request and carries it out: do not repeat it.';

/** What an AI agent reads about each Message operation (see toolDescriptions). */
export const messageToolDescriptions: INodeProperties[] = toolDescriptions('message', {
	sendText: `Sends a WhatsApp text message. ${TO_CHAT} 'Text': the message as plain text; WhatsApp formatting *bold*, _italic_ and ~strikethrough~ works. ${SEND_ANSWER}`,
	sendMedia: `Sends an image, video, voice note or document from a public address. ${TO_CHAT} 'Media URL': a public http(s) address of the file, e.g. https://example.com/menu.pdf. 'Caption' (images, videos, documents): optional text shown with it. ${SEND_ANSWER}`,
	sendLocation: `Sends a map location. ${TO_CHAT} 'Latitude' (-90 to 90) and 'Longitude' (-180 to 180) in decimal degrees, e.g. 52.520008 and 13.404954. 'Title': the place's name, e.g. Bella Vista Pizzeria. ${SEND_ANSWER}`,
	sendPoll: `Sends a poll to choose from. ${TO_CHAT} 'Question', e.g. Which day suits you? 'Options': the answers, at least 2, e.g. Monday, Tuesday. 'Allow Multiple Answers': true or false. ${SEND_ANSWER}`,
	sendContactCard: `Sends a contact card the recipient can save. ${TO_CHAT} 'Full Name' on the card, e.g. Maria Doe. 'Contact Phone': the card's number in international form, e.g. +1 213 213 2130. 'Organization': optional. ${SEND_ANSWER}`,
	forward: `Forwards an existing message to a chat. ${MESSAGE_ID} ${TO_CHAT.replace("'Chat ID or Phone':", "'Chat ID or Phone' (where it goes):")} ${SEND_ANSWER}`,
	react: `Reacts to a message with one emoji, or removes this number's reaction. ${MESSAGE_ID} 'Reaction': one emoji such as 👍, or empty to remove it. ${ACTION_ANSWER}`,
	markSeen: `Marks a message as read (blue ticks) in its chat. ${TO_CHAT} ${MESSAGE_ID} ${ACTION_ANSWER}`,
	delete: `Deletes a message this number sent, for everyone in the chat; it cannot be undone. ${TO_CHAT} ${MESSAGE_ID.replace('false_', 'true_')} ${ACTION_ANSWER}`,
	startTyping: `Not useful as an AI agent's tool: shows "typing..." in a chat until a message is sent or Stop Typing; Send Text (Human-Like Sending on) already shows typing before it sends. ${TO_CHAT} ${ACTION_ANSWER}`,
	stopTyping: `Not useful as an AI agent's tool: stops showing "typing..." in a chat (see Start Typing). ${TO_CHAT} ${ACTION_ANSWER}`,
	downloadMedia: `Not useful as an AI agent's tool: downloads the media of a received message as a binary file, which the model cannot read; download before the agent, e.g. to transcribe a voice note. 'Media URL': the message's media_url, e.g. https://app.hypersender.com/media/voice.ogg. 'Put Output File in Field': the binary field, e.g. data.`,
	[SEND_AND_WAIT_OPERATION]: `Not usable as an AI agent's tool: it sends a question and waits for a person's answer, which a tool call cannot do; the call fails and sends nothing. ${TO_CHAT} 'Message': the question, e.g. Refund 40 € to Ana?`,
});
