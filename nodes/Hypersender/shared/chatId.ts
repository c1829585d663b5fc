/**
 * Turns a chat ID or phone number, as CRMs and spreadsheets store it, into the form the
 * Hypersender endpoints expect, or explains why it cannot. Phone numbers are read by the rules
 * in phoneNumber.ts, with the row's country for national forms.
 */
import { chatIdDigits, internationalDigits, InvalidChatIdError, type Country } from './phoneNumber';
import { quoteValue } from './quoteValue';

export { InvalidChatIdError, InvalidCountryError, resolveCountry, type Country } from './phoneNumber';

export const ACCEPTED_CHAT_ID_FORMS =
	'an international phone number such as +49 151 23456789, 004915123456789 or 4915123456789, ' +
	'a national number such as 0151 23456789 with the Country option set (e.g. DE), ' +
	'a chat ID such as 4915123456789@c.us, or a hidden user ID such as 1234567890@lid';

/**
 * Phone numbers and `@c.us` / `@s.whatsapp.net` IDs become `<digits>@c.us`; `@lid` IDs become
 * `<digits>@lid` (a hidden ID cannot be mapped to a phone number). A number without + or 00 is
 * read as a number of `country` where one is given. Group IDs (`...@g.us`) pass unchanged only
 * with `allowGroups`: groups are chats, not address-book contacts.
 */
export function normalizeChatId(raw: unknown, country?: Country, opts: { allowGroups?: boolean } = {}): string {
	if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) raw = String(raw);
	if (typeof raw !== 'string') {
		throw new InvalidChatIdError(
			quoteValue(raw),
			'is not a phone number or chat ID',
			'Map a text or number field: a list, an object, true/false or an empty field cannot be a phone number.',
		);
	}
	const value = raw.trim();
	if (value === '') {
		throw new InvalidChatIdError(quoteValue(raw), 'is empty', 'Map the field that holds the phone number.');
	}

	const at = value.lastIndexOf('@');
	if (at === -1) return `${internationalDigits(value, country, quoteValue(raw))}@c.us`;

	const user = value.slice(0, at).trim();
	const server = value.slice(at + 1).trim().toLowerCase();
	switch (server) {
		case 'lid':
			if (!/^\d+$/.test(user)) {
				throw new InvalidChatIdError(
					quoteValue(raw),
					'is a hidden user ID (@lid) whose part before @ is not all digits',
					'Use the @lid ID exactly as WhatsApp gave it, e.g. 1234567890@lid.',
				);
			}
			return `${user}@lid`;
		case 'c.us':
		case 's.whatsapp.net':
			return `${chatIdDigits(user, quoteValue(raw))}@c.us`;
		case 'g.us':
			if (opts.allowGroups && /^\d+(?:-\d+)?$/.test(user)) return `${user}@g.us`;
			throw new InvalidChatIdError(
				quoteValue(raw),
				opts.allowGroups ? 'is not a group ID of the form <digits>@g.us' : 'is a group ID (@g.us); groups are not address-book contacts',
				opts.allowGroups ? 'Use the group ID exactly as WhatsApp gave it.' : 'Use the phone number or chat ID of a person.',
			);
		default:
			throw new InvalidChatIdError(
				quoteValue(raw),
				`ends in an unknown suffix ${quoteValue(`@${server}`)}`,
				'Use a phone number, or a chat ID ending in @c.us or @lid.',
			);
	}
}
