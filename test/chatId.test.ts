import {
	InvalidChatIdError,
	normalizeChatId,
	normalizeCountryCode,
} from '../nodes/Hypersender/shared/chatId';
import { ACCEPTED_CHAT_ID_FORMS } from './fixtures';

describe('normalizeChatId', () => {
	test.each<[unknown, string]>([
		...ACCEPTED_CHAT_ID_FORMS,
		['  12132132130  ', '12132132130@c.us'],
		['12132132130@S.WhatsApp.Net', '12132132130@c.us'],
		['+1 213 213 2130@c.us', '12132132130@c.us'],
		['100875997589545@lid', '100875997589545@lid'],
		[12132132130, '12132132130@c.us'],
		['+44 20 7946 0958', '442079460958@c.us'],
		['1234567', '1234567@c.us'],
		['123456789012345', '123456789012345@c.us'],
	])('accepts %p as %p', (input, expected) => {
		expect(normalizeChatId(input)).toBe(expected);
	});

	test.each([
		['', 'is empty'],
		['   ', 'is empty'],
		[undefined, 'is not a phone number or chat ID'],
		[null, 'is not a phone number or chat ID'],
		[{ phone: '1' }, 'is not a phone number or chat ID'],
		[12.5, 'is not a phone number or chat ID'],
		['abc', 'contains letters'],
		['+1 213 CALL NOW', 'contains letters'],
		['مرحبا', 'contains letters'],
		['123456', 'has 6 digits; a phone number has at least 7'],
		['1234567890123456', 'has 16 digits; an international number has at most 15'],
		['+1 213 213 2130 ext. 5', 'contains letters'],
		['#12132132130', 'contains characters that are not part of a phone number'],
		['1+2132132130', 'contains characters that are not part of a phone number'],
		['120363040000000000@g.us', 'is a group ID (@g.us); groups are not address-book contacts'],
		['12132132130@broadcast', 'ends in an unknown suffix "@broadcast"'],
		['maria@example.com', 'ends in an unknown suffix "@example.com"'],
		['abc@lid', 'is a hidden user ID (@lid) whose part before @ is not all digits'],
		['0151 2345678', 'is a national number (leading 0)'],
	])('rejects %p: %s', (input, reason) => {
		let thrown: unknown;
		try {
			normalizeChatId(input);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(InvalidChatIdError);
		expect((thrown as InvalidChatIdError).reason).toContain(reason);
	});

	test('the error names the value given', () => {
		expect(() => normalizeChatId('abc')).toThrow('contains letters: "abc"');
	});

	test('a Default Country Code replaces the leading 0 of a national number', () => {
		expect(normalizeChatId('0151 2345678', '49')).toBe('491512345678@c.us');
		expect(normalizeChatId('(030) 1234567', '49')).toBe('49301234567@c.us');
	});

	test('a Default Country Code does not touch international numbers', () => {
		expect(normalizeChatId('+1 213 213 2130', '49')).toBe('12132132130@c.us');
		expect(normalizeChatId('0012132132130', '49')).toBe('12132132130@c.us');
		expect(normalizeChatId('1234567890@lid', '49')).toBe('1234567890@lid');
	});
});

describe('normalizeCountryCode', () => {
	test.each([
		['49', '49'],
		['+49', '49'],
		['0049', '49'],
		[' +1 ', '1'],
		['971', '971'],
	])('accepts %p as %p', (input, expected) => {
		expect(normalizeCountryCode(input)).toBe(expected);
	});

	test.each(['', 'DE', '0', '1234', '+'])('rejects %p', (input) => {
		expect(() => normalizeCountryCode(input)).toThrow('is not a country calling code');
	});
});
