/**
 * One flat item per delivery, the same fields for every event, so a workflow can map
 * `{{ $json.phone }}` or reply to `{{ $json.chat_id }}` without knowing each payload's shape.
 * Hypersender's payloads follow WhatsApp's: a field may be missing, and a sender may appear only
 * as a hidden `@lid` ID, with the phone form (if at all) in `_data.key.remoteJidAlt`.
 */
import type { IDataObject } from 'n8n-workflow';

import { messageIdFromParts } from '../Hypersender/shared/messageId';
import { isObject } from '../Hypersender/shared/values';
import type { Delivery } from './delivery';

export interface SimpleDelivery extends IDataObject {
	event: string;
	/** Where a reply goes: the person's chat, or the group. */
	chat_id: string | null;
	/** The person (in a group, the sender) as an international number with +. */
	phone: string | null;
	/** The person's hidden user ID, `<digits>@lid`. */
	lid: string | null;
	from_me: boolean;
	is_group: boolean;
	text: string | null;
	message_id: string | null;
	timestamp: string | null;
	has_media: boolean;
	media_url: string | null;
	media_mimetype: string | null;
	/** The file name the sender's WhatsApp gave the attachment (documents carry one). */
	media_filename: string | null;
	ack: string | null;
	reply_to: string | null;
	instance_id: string | null;
}

// WhatsApp's delivery states by number, for payloads that carry `ack` without `ackName`.
const ACK_NAMES: Record<string, string> = { '-1': 'ERROR', '0': 'PENDING', '1': 'SERVER', '2': 'DEVICE', '3': 'READ', '4': 'PLAYED' };

function text(value: unknown): string | null {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** `true`, or the text "true" some payloads carry. */
function isTrue(value: unknown): boolean {
	return value === true || (typeof value === 'string' && value.trim().toLowerCase() === 'true');
}

function object(value: unknown): IDataObject {
	return isObject(value) ? value : {};
}

type IdKind = 'phone' | 'lid' | 'group' | 'other';

/** A WhatsApp ID's user part (without a `:device` suffix) and what kind of ID it is. */
function parseId(id: string): { user: string; kind: IdKind } {
	const at = id.lastIndexOf('@');
	const user = (at === -1 ? id : id.slice(0, at)).split(':')[0].trim();
	const server = at === -1 ? '' : id.slice(at + 1).trim().toLowerCase();
	if (!/^\d+(?:-\d+)?$/.test(user)) return { user, kind: 'other' };
	if (server === 'lid') return { user, kind: 'lid' };
	if (server === 'g.us') return { user, kind: 'group' };
	if ((server === 'c.us' || server === 's.whatsapp.net') && /^\d+$/.test(user)) return { user, kind: 'phone' };
	return { user, kind: 'other' };
}

/** The ID as Hypersender's send endpoints take it: `<digits>@c.us`, `<digits>@lid` or a group ID. */
function chatIdOf(id: string): string {
	const { user, kind } = parseId(id);
	if (kind === 'phone') return `${user}@c.us`;
	if (kind === 'lid') return `${user}@lid`;
	if (kind === 'group') return `${user}@g.us`;
	return id;
}

/** Message IDs read `<fromMe>_<chat ID>_<key>`: the chat, for payloads that name no other. */
function chatOfMessageId(messageId: string | null): string | null {
	return messageId ? (/^(?:true|false)_([^_]+@[^_]+)_/.exec(messageId)?.[1] ?? null) : null;
}

function firstOfKind(ids: Array<string | null>, kind: IdKind): string | null {
	for (const id of ids) {
		if (id !== null && parseId(id).kind === kind) return id;
	}
	return null;
}

function isoTime(value: unknown): string | null {
	const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isFinite(number) || number <= 0) return null;
	// WhatsApp counts seconds; a value this large is already milliseconds.
	const date = new Date(number > 1e12 ? number : number * 1000);
	return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** An ID given as text, as `{id}` or as WhatsApp's `{_serialized}`. */
function idOf(value: unknown): string | null {
	return text(value) ?? text(object(value).id) ?? text(object(value)._serialized);
}

interface Subject {
	/** The message, vote or presence the event is about, in a message's field names. */
	message: IDataObject;
	text: string | null;
	replyTo: string | null;
	/** Presence updates are about a chat, not a message. */
	noMessageId?: boolean;
}

function subjectOf(event: string, payload: IDataObject): Subject {
	if (event === 'poll.vote' || event === 'poll.vote.failed') {
		const vote = object(payload.vote);
		const poll = object(payload.poll);
		const options = Array.isArray(vote.selectedOptions) ? vote.selectedOptions.map((option) => text(option) ?? text(object(option).name)) : [];
		return {
			message: vote,
			text: options.filter((option) => option !== null).join(', ') || null,
			replyTo: idOf(poll.id),
		};
	}
	if (event === 'presence.update') {
		const presence = object(Array.isArray(payload.presences) ? payload.presences[0] : undefined);
		return {
			message: { from: payload.id, participant: presence.participant, timestamp: presence.lastSeen },
			text: text(presence.lastKnownPresence),
			replyTo: null,
			noMessageId: true,
		};
	}
	if (event === 'message.reaction') {
		const reaction = object(payload.reaction);
		return { message: payload, text: text(reaction.text), replyTo: idOf(reaction.messageId) };
	}
	if (event === 'message.revoked' && (isObject(payload.before) || isObject(payload.after))) {
		const message = { ...object(payload.after), ...object(payload.before) };
		return { message: { ...message, id: text(payload.revokedMessageId) ?? message.id }, text: text(message.body), replyTo: null };
	}
	return { message: payload, text: text(payload.body), replyTo: idOf(payload.replyTo) };
}

export function simplifyDelivery({ event, data }: Delivery): SimpleDelivery {
	const envelope = object(data);
	const subject = subjectOf(event, object(envelope.payload));
	const message = subject.message;
	const key = object(object(message._data).key);
	const fromMe = isTrue(message.fromMe) || (message.fromMe === undefined && isTrue(key.fromMe));
	const givenId = subject.noMessageId ? null : idOf(message.id);
	// A bare WhatsApp key ("3EB0..."), as a revoke may name it, is completed below once the chat is known.
	const bareId = givenId !== null && /^[0-9A-Za-z]+$/.test(givenId) ? givenId : null;
	const messageId = bareId === null ? givenId : null;

	// A message this number sent names the other side in `to`; one it received, in `from`.
	const fromIds = [chatOfMessageId(messageId), chatOfMessageId(subject.replyTo)];
	const chatCandidates = fromMe
		? [text(message.to), text(key.remoteJid), ...fromIds, text(message.from)]
		: [text(message.from), text(key.remoteJid), ...fromIds];
	const chat = chatCandidates.find((id) => id !== null) ?? null;
	const isGroup = chat !== null && parseId(chat).kind === 'group';
	// In a group the person is the sender (participant); in a chat, the other side.
	const personIds = isGroup
		? [text(message.participant), text(key.participant), text(key.participantAlt)]
		: [chat, text(key.remoteJidAlt), text(key.remoteJid)];
	const phone = firstOfKind(personIds, 'phone');
	const lid = firstOfKind(personIds, 'lid');
	const media = object(message.media);
	const mediaUrl = text(media.url);
	const ackName = text(message.ackName) ?? (typeof message.ack === 'number' ? (ACK_NAMES[String(message.ack)] ?? null) : null);

	return {
		event,
		chat_id: chat === null ? null : chatIdOf(chat),
		phone: phone === null ? null : `+${parseId(phone).user}`,
		lid: lid === null ? null : chatIdOf(lid),
		from_me: fromMe,
		is_group: isGroup,
		text: subject.text,
		message_id: bareId !== null && chat !== null ? messageIdFromParts(fromMe, chatIdOf(chat), bareId) : (messageId ?? bareId),
		timestamp: isoTime(message.timestamp),
		has_media: message.hasMedia === true || mediaUrl !== null,
		media_url: mediaUrl,
		media_mimetype: text(media.mimetype),
		media_filename: text(media.filename),
		ack: ackName,
		reply_to: subject.replyTo,
		instance_id: text(envelope.instanceId),
	};
}
