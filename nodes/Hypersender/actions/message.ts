/**
 * The Message resource. One preSend hook per operation reads and checks the item's input and
 * builds the request, so bad input fails the item before anything is sent; one runner sends it
 * through the transport (sends are never sent twice, see `notIdempotent`) and reports the outcome,
 * waiting for it when Wait for Result is on (queuedRequest.ts).
 */
import { randomBytes } from 'node:crypto';
import { SEND_AND_WAIT_OPERATION } from 'n8n-workflow';
import type {
	DeclarativeRestApiSettings,
	IDataObject,
	IExecutePaginationFunctions,
	IExecuteSingleFunctions,
	IHttpRequestOptions,
	INodeExecutionData,
} from 'n8n-workflow';

import { chatIdOfItem, chatIdOfValue, invalidItemValue, showsNothing } from '../shared/itemInput';
import { chatIdOfMessageId, MESSAGE_ID, MESSAGE_ID_EXAMPLE } from '../shared/messageId';
import { readBooleanOption } from '../shared/options';
import { quoteValue } from '../shared/quoteValue';
import { hypersenderRequest, markedMayHaveBeenSent, unexpectedAnswerError } from '../transport';
import type { PreSend } from '../descriptions/operation';
import type { HypersenderRequest, SendGate } from '../transport';
import { maxWaitMsOf, reportOutcome, waitForOutcome } from './queuedRequest';
import { keepingToolCallRefusal } from './aiTool';
import { putDownloadMedia } from './downloadMedia';
import { countedInNodeRun, sendItemInNodeRun } from './sendsOfNodeRun';
import { parameterOfItem } from '../shared/itemParameters';
import { isPrivateHost } from '../shared/networkAddress';

// One grapheme is an emoji when it holds a pictograph, is a flag (two regional indicators) or a keycap.
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}{2}|[#*0-9]\uFE0F?\u20E3/u;

// WhatsApp's longest text message and most answers of a poll.
const MAX_TEXT_CHARACTERS = 65_536;
const MAX_POLL_OPTIONS = 12;

// A surrogate not in a pair (\p{Cs} matches only such in a `u` regex): not text, and JSON cannot carry it faithfully.
const LONE_SURROGATE = /\p{Cs}/u;
// A line break in a vCard field would start a property of the user's choosing in the card.
const LINE_BREAK = /[\r\n\u0085\u2028\u2029]/;
// A decimal number as people write coordinates: no hex, no exponent, no Infinity.
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
// A mark that changes how an emoji looks is no reaction; the emoji variation selector and the keycap are part of emoji.
const FOREIGN_MARK = /(?![\uFE0F\u20E3])\p{M}/u;

const MEDIA_ENDPOINTS: Record<string, string> = { image: '/send-image', video: '/send-video', voice: '/send-voice', document: '/send-file' };

/** A text field as typed (never trimmed: it is what the recipient reads); empty is undefined unless required. */
export function textOf(ctx: IExecuteSingleFunctions, name: string, label: string, required: boolean): string | undefined {
	return checkedText(ctx, parameterOfItem(ctx, name, '') as unknown, name, label, required);
}

/** As `textOf`, for the value of parameter `name` that the caller has read already. */
function checkedText(ctx: IExecuteSingleFunctions, raw: unknown, name: string, label: string, required: boolean): string | undefined {
	if (raw !== null && raw !== undefined && typeof raw !== 'string' && typeof raw !== 'number') {
		throw invalidItemValue(ctx, label, raw, 'is not text', `Map a field that holds text, e.g. {{ $json.${name} }}, not a list, an object or true/false.`);
	}
	const text = String(raw ?? '');
	if (LONE_SURROGATE.test(text)) {
		throw invalidItemValue(ctx, label, raw, 'holds a broken character (half of a surrogate pair)', `Check the node that produced '${label}': the text was cut in the middle of an emoji or another character.`);
	}
	const characters = [...text].length;
	if (characters > MAX_TEXT_CHARACTERS) {
		throw invalidItemValue(ctx, label, raw, `has ${characters} characters; WhatsApp takes at most ${MAX_TEXT_CHARACTERS}`, `Shorten '${label}', or split it into several messages.`);
	}
	if (!showsNothing(text)) return text;
	if (!required) return undefined;
	throw invalidItemValue(ctx, label, raw ?? '', text === '' ? 'is empty' : 'shows nothing (only spaces or invisible characters)', `Set '${label}', or filter out items without one before this node.`);
}

function coordinateOf(ctx: IExecuteSingleFunctions, name: string, label: string, limit: number): number {
	const raw = parameterOfItem(ctx, name, '') as unknown;
	const value = typeof raw === 'string' && DECIMAL.test(raw.trim()) ? Number(raw.trim()) : raw;
	if (typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= limit) return value;
	throw invalidItemValue(ctx, label, raw, `is not a number from -${limit} to ${limit}`, `Set '${label}' in decimal degrees, e.g. ${name === 'latitude' ? '52.5200' : '13.4050'}.`);
}

/** The message ID in parameter `name`, checked for its form. */
function messageIdOfItem(ctx: IExecuteSingleFunctions, name: string, label: string): string {
	const raw = parameterOfItem(ctx, name, '') as unknown;
	const id = typeof raw === 'string' ? raw.trim() : raw;
	if (typeof id === 'string' && MESSAGE_ID.test(id)) return id;
	throw invalidItemValue(
		ctx,
		label,
		raw,
		'is not a WhatsApp message ID',
		`Use the ID as WhatsApp gives it, e.g. ${MESSAGE_ID_EXAMPLE}: the message_id of a message this node sent, or the id of a received message from a webhook.`,
	);
}

/** The body fields every send may carry: the recipient and, where set, the message it replies to. */
function sendBase(ctx: IExecuteSingleFunctions): IDataObject {
	const chatId = chatIdOfItem(ctx, 'chatId', 'Chat ID or Phone', { allowGroups: true });
	const replyTo = textOf(ctx, 'options.replyTo', 'Reply To', false) === undefined ? undefined : messageIdOfItem(ctx, 'options.replyTo', 'Reply To');
	return { chatId, ...(replyTo ? { reply_to: replyTo } : {}) };
}

/** The fields that are set: a JSON body leaves out what the user left empty. */
function withoutUnset(fields: IDataObject): IDataObject {
	return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

function withJsonBody(requestOptions: IHttpRequestOptions, url: string, body: IDataObject): IHttpRequestOptions {
	requestOptions.url = url;
	requestOptions.body = body;
	return requestOptions;
}

const putSendText: PreSend = async function (requestOptions) {
	const base = sendBase(this);
	const text = textOf(this, 'text', 'Text', true);
	const linkPreview = readBooleanOption(this, { name: 'options.linkPreview', label: 'Link Preview', fallback: true });
	const humanLike = readBooleanOption(this, { name: 'humanLike', label: 'Human-like Sending', fallback: true });
	return withJsonBody(requestOptions, humanLike ? '/send-text-safe' : '/send-text', { ...base, text, link_preview: linkPreview });
};

function mediaUrlOf(ctx: IExecuteSingleFunctions): string {
	const raw = parameterOfItem(ctx, 'mediaUrl', '') as unknown;
	const text = typeof raw === 'string' ? raw.trim() : '';
	let url: URL | undefined;
	try {
		url = new URL(text);
	} catch {
		// not a URL: reported below
	}
	if (url && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && !/\s/.test(text)) {
		if (!isPrivateHost(url.hostname)) return url.href;
		throw invalidItemValue(
			ctx,
			'Media URL',
			raw,
			'points at a local or private address',
			"Hypersender downloads the file from its own servers, which cannot reach this machine or your private network. Give a public address, or set 'Source' to 'Binary File' to upload the file from this item.",
		);
	}
	throw invalidItemValue(
		ctx,
		'Media URL',
		raw,
		raw === '' ? 'is empty' : 'is not an http(s) URL',
		"Give the public http:// or https:// address of the file (Hypersender downloads it without any login), or set 'Source' to 'Binary File' to upload a file from this item.",
	);
}

interface UploadedFile {
	fileName: string;
	mimeType: string;
	bytes: Buffer;
}

/** The item's binary property, or an error that names the properties the item has. */
async function binaryFileOf(ctx: IExecuteSingleFunctions, fileName: string | undefined, mimeType: string | undefined): Promise<UploadedFile> {
	const property = textOf(ctx, 'binaryPropertyName', 'Input Binary Field', true) as string;
	let binary;
	try {
		binary = ctx.helpers.assertBinaryData(property.trim());
	} catch {
		const names = Object.keys(ctx.getInputData().binary ?? {});
		throw invalidItemValue(
			ctx,
			'Input Binary Field',
			property,
			names.length > 0 ? `is not a binary property of this item; it has ${names.map((name) => quoteValue(name)).join(', ')}` : 'is not there: this item has no binary data',
			names.length > 0
				? `Set 'Input Binary Field' to one of them.`
				: "Read the file into the item first (e.g. with 'Read/Write Files from Disk' or an HTTP Request that returns a file), or set 'Source' to 'URL'.",
		);
	}
	const bytes = await ctx.helpers.getBinaryDataBuffer(property.trim());
	if (bytes.length === 0) throw invalidItemValue(ctx, 'Input Binary Field', property, 'holds an empty file (0 bytes)', 'Check the node that produced the file.');
	const extension = binary.fileExtension ? `.${binary.fileExtension}` : '';
	return {
		fileName: fileName ?? binary.fileName ?? `file${extension}`,
		mimeType: mimeType ?? binary.mimeType ?? 'application/octet-stream',
		bytes,
	};
}

/** A `multipart/form-data` body, built here because the package has no runtime dependencies. */
function multipart(fields: IDataObject, file: UploadedFile): { body: Buffer; contentType: string } {
	const boundary = `----n8nHypersender${randomBytes(12).toString('hex')}`;
	// A quote or line break in a name would end the header; percent-encoding keeps the rest readable.
	const headerSafe = (text: string) => text.replace(/["\r\n\\]/g, (char) => encodeURIComponent(char));
	const parts: Buffer[] = [];
	for (const [name, value] of Object.entries(withoutUnset(fields))) {
		// Laravel's boolean rule accepts 1 and 0 from a form, not "true" and "false".
		const text = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
		parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${headerSafe(name)}"\r\n\r\n${text}\r\n`));
	}
	parts.push(
		Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${headerSafe(file.fileName)}"\r\nContent-Type: ${headerSafe(file.mimeType)}\r\n\r\n`),
		file.bytes,
		Buffer.from(`\r\n--${boundary}--\r\n`),
	);
	return { body: Buffer.concat(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

const putSendMedia: PreSend = async function (requestOptions) {
	const base = sendBase(this);
	const mediaType = parameterOfItem(this, 'mediaType', 'image') as string;
	const url = MEDIA_ENDPOINTS[mediaType];
	if (!url) throw invalidItemValue(this, 'Media Type', mediaType, 'is not a media type', 'Choose Image, Video, Voice Note or Document.');
	const fromBinary = parameterOfItem(this, 'source', 'url') === 'binary';
	const caption = mediaType === 'voice' ? undefined : textOf(this, 'caption', 'Caption', false);
	const fileName = textOf(this, 'options.fileName', 'File Name', false)?.trim();
	const mimeType = textOf(this, 'options.mimeType', 'MIME Type', false)?.trim();
	const fields: IDataObject = { ...base, caption };
	if (mediaType === 'video') fields.asNote = readBooleanOption(this, { name: 'asNote', label: 'Send as Video Note', fallback: false });
	if (!fromBinary) {
		if (mediaType === 'image' || mediaType === 'document') Object.assign(fields, { filename: fileName, mimetype: mimeType });
		return withJsonBody(requestOptions, url, withoutUnset({ ...fields, url: mediaUrlOf(this) }));
	}
	const file = await binaryFileOf(this, fileName, mimeType);
	if (mediaType === 'image' || mediaType === 'document') Object.assign(fields, { filename: file.fileName, mimetype: file.mimeType });
	const { body, contentType } = multipart(fields, file);
	requestOptions.url = url;
	requestOptions.body = body;
	requestOptions.headers = { ...requestOptions.headers, 'Content-Type': contentType };
	return requestOptions;
};

const putSendLocation: PreSend = async function (requestOptions) {
	const base = sendBase(this);
	return withJsonBody(requestOptions, '/send-location', {
		...base,
		latitude: coordinateOf(this, 'latitude', 'Latitude', 90),
		longitude: coordinateOf(this, 'longitude', 'Longitude', 180),
		title: textOf(this, 'title', 'Title', true),
	});
};

function pollOptionsOf(ctx: IExecuteSingleFunctions): string[] {
	const raw = parameterOfItem(ctx, 'pollOptions', []) as unknown;
	const values = (Array.isArray(raw) ? raw.flat() : [raw]).filter((value) => value !== '' && value !== null && value !== undefined);
	const fix = "Give at least 2 different answers in 'Options', one per row, or map a list, e.g. {{ $json.answers }}.";
	if (values.some((value) => typeof value !== 'string' && typeof value !== 'number')) throw invalidItemValue(ctx, 'Options', raw, 'holds something that is not text', fix);
	const options = values.map((value) => String(value).trim()).filter((value) => !showsNothing(value));
	if (options.length < 2) throw invalidItemValue(ctx, 'Options', raw, `has ${options.length} answer${options.length === 1 ? '' : 's'}; a poll needs at least 2`, fix);
	if (options.length > MAX_POLL_OPTIONS) {
		throw invalidItemValue(ctx, 'Options', raw, `has ${options.length} answers; WhatsApp takes at most ${MAX_POLL_OPTIONS}`, `Give 2 to ${MAX_POLL_OPTIONS} different answers in 'Options'.`);
	}
	// WhatsApp tells answers apart by their text; "Yes" and "yes" would look like one answer twice.
	if (new Set(options.map((option) => option.toLowerCase())).size !== options.length) throw invalidItemValue(ctx, 'Options', raw, 'has the same answer twice', fix);
	return options;
}

const putSendPoll: PreSend = async function (requestOptions) {
	const base = sendBase(this);
	const poll = {
		name: textOf(this, 'pollQuestion', 'Question', true),
		options: pollOptionsOf(this),
		multipleAnswers: readBooleanOption(this, { name: 'multipleAnswers', label: 'Allow Multiple Answers', fallback: false }),
	};
	return withJsonBody(requestOptions, '/send-poll', { ...base, poll });
};

/** A contact card field as one line: a line break would add properties to the card. */
function cardLineOf(ctx: IExecuteSingleFunctions, name: string, label: string, required: boolean, raw: unknown = parameterOfItem(ctx, name, '')): string | undefined {
	const text = checkedText(ctx, raw, name, label, required);
	if (text !== undefined && LINE_BREAK.test(text)) {
		throw invalidItemValue(ctx, label, text, 'holds a line break', `A contact card takes '${label}' on one line: remove the line breaks, e.g. {{ $json.${name.replace(/^card/, '').toLowerCase()}.replace(/\\s+/g, ' ') }}.`);
	}
	return text?.trim();
}

function contactCardOf(ctx: IExecuteSingleFunctions): IDataObject {
	if (parameterOfItem(ctx, 'cardSource', 'fields') === 'vcard') {
		const vcard = textOf(ctx, 'vcard', 'vCard', true) as string;
		if (!/^\s*BEGIN:VCARD\r?\n[\s\S]*\nEND:VCARD\s*$/i.test(vcard)) {
			throw invalidItemValue(ctx, 'vCard', vcard, 'is not a vCard', 'Give the whole card, from BEGIN:VCARD to END:VCARD, one property per line.');
		}
		return { vcard: vcard.trim() };
	}
	const phoneAsSet = parameterOfItem(ctx, 'cardPhone', '') as unknown;
	cardLineOf(ctx, 'cardPhone', 'Contact Phone', false, phoneAsSet);
	const phone = chatIdOfValue(ctx, phoneAsSet, 'Contact Phone', { allowGroups: false });
	if (!phone.endsWith('@c.us')) {
		throw invalidItemValue(ctx, 'Contact Phone', phoneAsSet, 'is a hidden user ID (@lid), not a phone number', 'A contact card carries a phone number: give it in international form, e.g. +1 213 213 2130.');
	}
	const digits = phone.slice(0, -'@c.us'.length);
	const organization = cardLineOf(ctx, 'cardOrganization', 'Organization', false);
	return {
		fullName: cardLineOf(ctx, 'cardFullName', 'Full Name', true) as string,
		...(organization ? { organization } : {}),
		phoneNumber: `+${digits}`,
		whatsappId: digits,
	};
}

const putSendContactCard: PreSend = async function (requestOptions) {
	const chatId = chatIdOfItem(this, 'chatId', 'Chat ID or Phone', { allowGroups: true });
	return withJsonBody(requestOptions, '/send-contact-card', { chatId, contacts: [contactCardOf(this)] });
};

function reactionOf(ctx: IExecuteSingleFunctions): string {
	const raw = parameterOfItem(ctx, 'reaction', '') as unknown;
	if (raw === '' || raw === null || raw === undefined) return '';
	if (typeof raw !== 'string') throw invalidItemValue(ctx, 'Reaction', raw, 'is not an emoji', 'Give one emoji, e.g. 👍, or leave it empty to remove the reaction.');
	const emoji = raw.trim();
	if (emoji === '') return '';
	const graphemes = Array.from(new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(emoji)).length;
	if (graphemes === 1 && EMOJI.test(emoji) && !FOREIGN_MARK.test(emoji)) {
		// A pictograph shown as text by default (©, ❤, ☺) gets the emoji variation selector, as WhatsApp's emoji keyboard sends it.
		return /^\p{Extended_Pictographic}$/u.test(emoji) && !/\p{Emoji_Presentation}/u.test(emoji) ? `${emoji}\uFE0F` : emoji;
	}
	throw invalidItemValue(
		ctx,
		'Reaction',
		raw,
		graphemes === 1 ? (FOREIGN_MARK.test(emoji) ? 'is an emoji with an added mark, not an emoji' : 'is not an emoji') : `is ${graphemes} characters, not one emoji`,
		'Give exactly one emoji, e.g. 👍 or ❤️, or leave it empty to remove the reaction.',
	);
}

const putReact: PreSend = async function (requestOptions) {
	return withJsonBody(requestOptions, '/react-to-message', { messageId: messageIdOfItem(this, 'messageId', 'Message ID'), reaction: reactionOf(this) });
};

const putMarkSeen: PreSend = async function (requestOptions) {
	const chatId = chatIdOfItem(this, 'chatId', 'Chat ID or Phone', { allowGroups: true });
	const messageId = messageIdOfItem(this, 'messageId', 'Message ID');
	const participant = textOf(this, 'options.participant', 'Participant', false) === undefined ? undefined : chatIdOfItem(this, 'options.participant', 'Participant', { allowGroups: false });
	return withJsonBody(requestOptions, '/send-seen', { chatId, messageId, ...(participant ? { participant } : {}) });
};

const putTyping = (url: string): PreSend =>
	async function (requestOptions) {
		return withJsonBody(requestOptions, url, { chatId: chatIdOfItem(this, 'chatId', 'Chat ID or Phone', { allowGroups: true }) });
	};

const putForward: PreSend = async function (requestOptions) {
	const chatId = chatIdOfItem(this, 'chatId', 'Chat ID or Phone', { allowGroups: true });
	return withJsonBody(requestOptions, '/forward-message', { chatId, messageId: messageIdOfItem(this, 'messageId', 'Message ID') });
};

const putDelete: PreSend = async function (requestOptions) {
	const chatId = chatIdOfItem(this, 'chatId', 'Chat ID or Phone', { allowGroups: true });
	requestOptions.url = '/delete-message';
	requestOptions.qs = { chatId, messageId: messageIdOfItem(this, 'messageId', 'Message ID') };
	requestOptions.body = undefined;
	return requestOptions;
};

/**
 * Each routed Message operation's preSend hook, and whether it sends a message: a request that,
 * sent twice, reaches the recipient twice. A send is never retried where Hypersender may have taken
 * it in, and is paced to the plan's messages per minute. Reactions, read receipts, typing and
 * deletes end the same however often they are sent, so they are retried as usual. Every entry
 * must say which it is; test/everyOperation.test.ts checks the answer against the fake's sends.
 */
const MESSAGE_ACTIONS: Record<string, { preSend: PreSend; sendsMessage: boolean }> = {
	sendText: { preSend: putSendText, sendsMessage: true },
	sendMedia: { preSend: putSendMedia, sendsMessage: true },
	sendLocation: { preSend: putSendLocation, sendsMessage: true },
	sendPoll: { preSend: putSendPoll, sendsMessage: true },
	sendContactCard: { preSend: putSendContactCard, sendsMessage: true },
	forward: { preSend: putForward, sendsMessage: true },
	react: { preSend: putReact, sendsMessage: false },
	markSeen: { preSend: putMarkSeen, sendsMessage: false },
	startTyping: { preSend: putTyping('/start-typing'), sendsMessage: false },
	stopTyping: { preSend: putTyping('/stop-typing'), sendsMessage: false },
	delete: { preSend: putDelete, sendsMessage: false },
	downloadMedia: { preSend: putDownloadMedia, sendsMessage: false },
};

/**
 * The preSend hook of each operation, each counted in its node run: a node that stops on errors
 * sends nothing before every item's input is checked (sendsOfNodeRun.ts); as an AI agent's tool,
 * an input error is the call's answer (aiTool.ts).
 */
export const messagePreSend: Record<string, PreSend> = Object.fromEntries(
	Object.entries(MESSAGE_ACTIONS).map(([operation, { preSend }]) => [operation, keepingToolCallRefusal(countedInNodeRun(preSend))]),
);

// Send and Wait for Response sends its message through sendAndReportItem too.
const SENDS = new Set([...Object.keys(MESSAGE_ACTIONS).filter((operation) => MESSAGE_ACTIONS[operation].sendsMessage), SEND_AND_WAIT_OPERATION]);

/** A text field of a body that `multipart` built (its fields come before the file, so the first match is the field). */
function multipartFieldOf(body: Buffer, name: string): string | undefined {
	const header = Buffer.from(`name="${name}"\r\n\r\n`);
	const start = body.indexOf(header);
	if (start < 0) return undefined;
	const from = start + header.length;
	return body.subarray(from, body.indexOf('\r\n', from)).toString('utf8');
}

/** The chat the request is about, for the output: from the body (an upload's fields too), the query, or the message ID of a reaction. */
function chatIdSentIn(request: HypersenderRequest): string | null {
	const sent = (Buffer.isBuffer(request.body) ? { chatId: multipartFieldOf(request.body, 'chatId') } : (request.body ?? {})) as IDataObject;
	const chatId = sent.chatId ?? request.qs?.chatId;
	if (typeof chatId === 'string') return chatId;
	const messageId = typeof sent.messageId === 'string' ? sent.messageId : '';
	return chatIdOfMessageId(messageId);
}

/**
 * Runner for every Message operation: sends once (a send is retried only where Hypersender surely
 * did not take it), then outputs `queued`, or with Wait for Result the outcome: `sent` or `done`,
 * `pending` at Max Wait, or an item error for a failed send. In a node that stops on errors, the
 * send waits for every item's checks and is not made once another item failed (sendsOfNodeRun.ts).
 */
export async function sendAndReport(this: IExecutePaginationFunctions, requestData: DeclarativeRestApiSettings.ResultOptions): Promise<INodeExecutionData[]> {
	const { options } = requestData;
	return await sendItemInNodeRun(this, options, chatIdSentIn(options), async (gate) => await sendAndReportItem(this, options, gate));
}

/** One item's send and its report (see `sendAndReport`); Send and Wait sends its message through it too. */
export async function sendAndReportItem(ctx: IExecuteSingleFunctions, options: HypersenderRequest, gate: SendGate | undefined): Promise<INodeExecutionData[]> {
	const operation = parameterOfItem(ctx, 'operation', '') as string;
	const isSend = SENDS.has(operation);
	// Options are read before the send, so that a bad one fails the item with nothing sent.
	const waitForResult = readBooleanOption(ctx, { name: 'options.waitForResult', label: 'Wait for Result', fallback: true });
	const maxWaitMs = maxWaitMsOf(ctx);
	const chatId = chatIdSentIn(options);
	const answer = await hypersenderRequest(ctx, options, { data: 'none', notIdempotent: isSend, countsAsMessage: isSend, gate });
	const pairedItem = { item: ctx.getItemIndex() };
	const uuid = answer.body.queued_request_uuid;
	if (typeof uuid !== 'string' || uuid.trim() === '') {
		if (!isSend) return [{ json: { status: 'done', chat_id: chatId, message: answer.body.message ?? null }, pairedItem }];
		throw markedMayHaveBeenSent(unexpectedAnswerError(
			ctx,
			"Hypersender's answer is not what the API documents: no queued_request_uuid",
			`It answered ${quoteValue(JSON.stringify(answer.body))}. The message may have been sent: look in the chat before you send it again.`,
		));
	}
	const facts = { uuid, link: typeof answer.body.queued_request_link === 'string' ? answer.body.queued_request_link : null, chatId, kind: isSend ? ('message' as const) : ('action' as const) };
	if (!waitForResult) return [{ json: { status: 'queued', chat_id: chatId, queued_request_uuid: uuid, queued_request_link: facts.link }, pairedItem }];
	const state = await waitForOutcome(ctx, options, uuid, maxWaitMs);
	return [{ json: reportOutcome(ctx, state, facts), pairedItem }];
}
