/**
 * Turns a chat ID or phone number, as CRMs and spreadsheets store it, into the form the
 * Hypersender contacts endpoints expect, or explains why it cannot.
 */

export const ACCEPTED_CHAT_ID_FORMS =
	'an international phone number such as +1 213 213 2130, 0012132132130 or 12132132130, ' +
	'a chat ID such as 12132132130@c.us, or a hidden user ID such as 1234567890@lid';

const MIN_PHONE_DIGITS = 7;
// E.164 caps a full international number at 15 digits.
const MAX_PHONE_DIGITS = 15;

// Separators people type between digit groups; anything else is not a phone number.
const PHONE_FORMATTING = /[\s\-.()/]/g;

export class InvalidChatIdError extends Error {
	constructor(
		readonly value: string,
		readonly reason: string,
	) {
		super(`${reason}: "${value}"`);
		this.name = 'InvalidChatIdError';
	}
}

export class InvalidCountryCodeError extends Error {
	constructor(readonly value: string) {
		super(`Default Country Code "${value}" is not a country calling code`);
		this.name = 'InvalidCountryCodeError';
	}
}

/** `+49`, `49` and `0049` all mean Germany; returns the bare digits or throws. */
export function normalizeCountryCode(raw: string): string {
	const trimmed = raw.trim();
	const digits = trimmed.replace(/^(\+|00)/, '');
	if (!/^[1-9]\d{0,2}$/.test(digits)) throw new InvalidCountryCodeError(trimmed);
	return digits;
}

function normalizePhoneDigits(text: string, original: string, defaultCountryCode: string): string {
	if (/\p{L}/u.test(text)) {
		throw new InvalidChatIdError(original, 'contains letters');
	}
	const compact = text.replace(PHONE_FORMATTING, '');
	if (!/^\+?\d+$/.test(compact)) {
		throw new InvalidChatIdError(original, 'contains characters that are not part of a phone number');
	}

	let digits: string;
	if (compact.startsWith('+')) {
		digits = compact.slice(1);
	} else if (compact.startsWith('00')) {
		digits = compact.slice(2);
	} else if (compact.startsWith('0')) {
		if (!defaultCountryCode) {
			throw new InvalidChatIdError(
				original,
				'is a national number (leading 0) without a country code; write it in international ' +
					'form or set the Default Country Code option',
			);
		}
		digits = defaultCountryCode + compact.slice(1);
	} else {
		digits = compact;
	}

	if (digits.length < MIN_PHONE_DIGITS) {
		throw new InvalidChatIdError(
			original,
			`has ${digits.length} digits; a phone number has at least ${MIN_PHONE_DIGITS}`,
		);
	}
	if (digits.length > MAX_PHONE_DIGITS) {
		throw new InvalidChatIdError(
			original,
			`has ${digits.length} digits; an international number has at most ${MAX_PHONE_DIGITS}`,
		);
	}
	return digits;
}

/**
 * Phone numbers and `@c.us` / `@s.whatsapp.net` IDs become `<digits>@c.us`; `@lid` IDs are
 * kept exactly, since a hidden ID cannot be mapped back to a phone number.
 * `defaultCountryCode` (digits only) replaces the leading 0 of a national number.
 */
export function normalizeChatId(raw: unknown, defaultCountryCode = ''): string {
	if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) {
		raw = String(raw);
	}
	if (typeof raw !== 'string') {
		const shown = raw === undefined || raw === null ? '' : JSON.stringify(raw);
		throw new InvalidChatIdError(shown, 'is not a phone number or chat ID');
	}
	const value = raw.trim();
	if (value === '') throw new InvalidChatIdError(value, 'is empty');

	const at = value.lastIndexOf('@');
	if (at === -1) return `${normalizePhoneDigits(value, value, defaultCountryCode)}@c.us`;

	const user = value.slice(0, at).trim();
	const server = value.slice(at + 1).trim().toLowerCase();
	switch (server) {
		case 'lid':
			if (!/^\d+$/.test(user)) {
				throw new InvalidChatIdError(value, 'is a hidden user ID (@lid) whose part before @ is not all digits');
			}
			return value;
		case 'c.us':
		case 's.whatsapp.net':
			return `${normalizePhoneDigits(user, value, defaultCountryCode)}@c.us`;
		case 'g.us':
			throw new InvalidChatIdError(value, 'is a group ID (@g.us); groups are not address-book contacts');
		default:
			throw new InvalidChatIdError(value, `ends in an unknown suffix "@${server}"`);
	}
}
