import {
	InvalidChatIdError,
	InvalidCountryError,
	normalizeChatId,
	resolveCountry,
} from '../nodes/Hypersender/shared/chatId';
import { ACCEPTED_CHAT_ID_FORMS } from './fixtures';

function thrownBy(run: () => unknown): unknown {
	try {
		run();
	} catch (error) {
		return error;
	}
	throw new Error('nothing was thrown');
}

describe('normalizeChatId without a country', () => {
	test.each<[unknown, string]>([
		...ACCEPTED_CHAT_ID_FORMS,
		['  12132132130  ', '12132132130@c.us'],
		['12132132130@S.WhatsApp.Net', '12132132130@c.us'],
		['+1 213 213 2130@c.us', '12132132130@c.us'],
		['100875997589545@lid', '100875997589545@lid'],
		['100875997589545@LID', '100875997589545@lid'],
		['100875997589545@Lid', '100875997589545@lid'],
		[12132132130, '12132132130@c.us'],
		[4915123456789, '4915123456789@c.us'],
		['+44 20 7946 0958', '442079460958@c.us'],
		['+49 (0) 151 23456789', '4915123456789@c.us'],
		['+44 (0)20 7946 0958', '442079460958@c.us'],
		['0049 (0) 30 1234567', '49301234567@c.us'],
		['+49 0151 23456789', '4915123456789@c.us'],
		// In Italy the 0 is part of the number, not a national prefix.
		['+39 (0)6 1234 5678', '390612345678@c.us'],
		['+39 06 1234 5678', '390612345678@c.us'],
		['+7 912 345–67–89', '79123456789@c.us'],
	])('accepts %p as %p', (input, expected) => {
		expect(normalizeChatId(input)).toBe(expected);
	});

	test.each<[unknown, string, string]>([
		['', 'is empty', 'Map the field'],
		['   ', 'is empty', 'Map the field'],
		[undefined, 'is not a phone number or chat ID', 'Map a text or number field'],
		[null, 'is not a phone number or chat ID', 'Map a text or number field'],
		[{ phone: '1' }, 'is not a phone number or chat ID', 'Map a text or number field'],
		[['+4915123456789'], 'is not a phone number or chat ID', 'Map a text or number field'],
		[true, 'is not a phone number or chat ID', 'Map a text or number field'],
		[12.5, 'is not a phone number or chat ID', 'Map a text or number field'],
		['abc', 'contains letters', 'Give only the phone number'],
		['+1 213 213 2130 ext. 5', 'contains letters', 'Give only the phone number'],
		['مرحبا', 'contains letters', 'Give only the phone number'],
		['#12132132130', 'contains characters that are not part of a phone number', 'Give only digits'],
		['1+2132132130', 'contains characters that are not part of a phone number', 'Give only digits'],
		['0151 23456789', 'is a national number (leading 0), and no Country is set', 'Set the Country option'],
		// A US number without its 1: read as international it would be Egypt's +20 1555 0123.
		['2015550123', 'could be +20 15550123 or a national number of United States of America (+1 2015550123)', 'Set the Country option'],
		// A Spanish mobile without its 34, and no valid number under +61 (Australia) either.
		['612 34 56 78', 'is not a complete international number', 'Set the Country option'],
		// An Italian mobile that is also a valid Belgian number under +32.
		['3211234567', 'could be +32 11234567 or a national number of Italy (+39 3211234567)', 'Set the Country option'],
		// A Chicago number without + is also a Chinese mobile written nationally.
		['13123456789', "a national number of People's Republic of China (+86 13123456789)", 'Set the Country option'],
		['1234567', 'is not a complete international number', 'Set the Country option'],
		['+0049 151 23456789', 'has a 0 after the international prefix +', 'Remove the extra 0'],
		['000049 151 23456789', 'has a 0 after the international prefix 00', 'Remove the extra 0'],
		['+999 1234 5678', 'does not start with a country calling code after +', 'Check the digits after the +'],
		['+49 151', 'has 3 digits after the country calling code +49 (Germany)', 'Check that no digit is missing'],
		['+36 (0) 1 234 5678', 'has 0 right after the country calling code +36 (Hungary)', 'Check the digits'],
		['120363040000000000@g.us', 'is a group ID (@g.us); groups are not address-book contacts', 'phone number or chat ID of a person'],
		['12132132130@broadcast', 'ends in an unknown suffix "@broadcast"', 'ending in @c.us or @lid'],
		['maria@example.com', 'ends in an unknown suffix "@example.com"', 'ending in @c.us or @lid'],
		['abc@lid', 'is a hidden user ID (@lid) whose part before @ is not all digits', 'exactly as WhatsApp gave it'],
		['0151 23456789@c.us', 'is a chat ID whose number starts with 0', '4915123456789@c.us'],
	])('rejects %p: %s', (input, reason, fix) => {
		const error = thrownBy(() => normalizeChatId(input)) as InvalidChatIdError;
		expect(error).toBeInstanceOf(InvalidChatIdError);
		expect(error.reason).toContain(reason);
		expect(error.fix).toContain(fix);
	});

	test('the error names the value given, quoted', () => {
		const error = thrownBy(() => normalizeChatId('abc')) as InvalidChatIdError;
		expect(error.value).toBe('"abc"');
		expect(error.message).toBe('"abc" contains letters');
	});

	test('the error quotes only the start of a huge value', () => {
		const huge = `+49 151 ${'9'.repeat(10_000)} call me`;
		const error = thrownBy(() => normalizeChatId(huge)) as InvalidChatIdError;
		expect(error.value.length).toBeLessThan(100);
		expect(error.value).toContain(`(${huge.length} characters)`);
	});

	test('group IDs pass unchanged only where groups are allowed', () => {
		expect(normalizeChatId('120363040000000000@G.US', undefined, { allowGroups: true })).toBe('120363040000000000@g.us');
		expect(normalizeChatId('4915123456789-1600000000@g.us', undefined, { allowGroups: true })).toBe(
			'4915123456789-1600000000@g.us',
		);
		expect(thrownBy(() => normalizeChatId('abc@g.us', undefined, { allowGroups: true }))).toMatchObject({
			reason: 'is not a group ID of the form <digits>@g.us',
		});
	});
});

describe('normalizeChatId with the row country', () => {
	test.each<[string, string, string]>([
		['0151 23456789', 'DE', '4915123456789'],
		['(030) 1234567', 'DE', '49301234567'],
		['15123456789', 'DE', '4915123456789'],
		['020 7946 0958', 'GB', '442079460958'],
		['07911 123456', 'GB', '447911123456'],
		['(213) 213-2130', 'US', '12132132130'],
		['1-213-213-2130', 'US', '12132132130'],
		['12132132130', 'US', '12132132130'],
		['06 1234 5678', 'IT', '390612345678'],
		['312 345 6789', 'IT', '393123456789'],
		['393123456789', 'IT', '393123456789'],
		['8 (912) 345-67-89', 'RU', '79123456789'],
		['79123456789', 'RU', '79123456789'],
		['8 (771) 000 9998', 'KZ', '77710009998'],
		['06 30 123 4567', 'HU', '36301234567'],
		['06 12 34 56 78', 'FR', '33612345678'],
		['098765 43210', 'IN', '919876543210'],
		['(11) 96123-4567', 'BR', '5511961234567'],
		['55 1234 5678', 'MX', '525512345678'],
		['011 15-2345-6789', 'AR', '5491123456789'],
		['01 23 45 67 89', 'CI', '2250123456789'],
		['612 34 56 78', 'ES', '34612345678'],
		['32 12 34 56', 'DK', '4532123456'],
	])('reads %p with Country %p as +%s', (input, country, digits) => {
		expect(normalizeChatId(input, resolveCountry(country))).toBe(`${digits}@c.us`);
	});

	test('international forms and chat IDs do not take the country', () => {
		const germany = resolveCountry('DE');
		expect(normalizeChatId('+1 213 213 2130', germany)).toBe('12132132130@c.us');
		expect(normalizeChatId('0012132132130', germany)).toBe('12132132130@c.us');
		expect(normalizeChatId('12132132130@c.us', germany)).toBe('12132132130@c.us');
		expect(normalizeChatId('1234567890@lid', germany)).toBe('1234567890@lid');
	});

	test('digits that read as two different numbers of the country are rejected, naming both', () => {
		// 4915123456789 is a valid German number as written, and +49 15123456789 without the 49.
		const error = thrownBy(() => normalizeChatId('4915123456789', resolveCountry('DE'))) as InvalidChatIdError;
		expect(error).toBeInstanceOf(InvalidChatIdError);
		expect(error.reason).toContain('+49 4915123456789 or +49 15123456789');
		expect(error.fix).toContain('international form with + (+49 ...)');
	});

	test('a national number too long for the country is rejected', () => {
		expect(thrownBy(() => normalizeChatId('0151 23456789 1234', resolveCountry('FR')))).toMatchObject({
			reason: expect.stringContaining('after the country calling code +33 (France)'),
		});
	});
});

describe('resolveCountry', () => {
	test.each<[unknown, string, string]>([
		['DE', 'DE', '49'],
		['de', 'DE', '49'],
		[' us ', 'US', '1'],
		['49', 'DE', '49'],
		['+49', 'DE', '49'],
		['0049', 'DE', '49'],
		[49, 'DE', '49'],
		// Shared calling codes mean their main country, whose national rules the others share.
		['1', 'US', '1'],
		['+7', 'RU', '7'],
		['44', 'GB', '44'],
		['Germany', 'DE', '49'],
		['deutschland', 'DE', '49'],
		['United States', 'US', '1'],
		['USA', 'US', '1'],
		['U.S.A.', 'US', '1'],
		['UK', 'GB', '44'],
		['Great Britain', 'GB', '44'],
		['The Netherlands', 'NL', '31'],
		['COTE D’IVOIRE', 'CI', '225'],
		["Côte d'Ivoire", 'CI', '225'],
		['ESPAÑA', 'ES', '34'],
		['Brasil', 'BR', '55'],
		['Italia', 'IT', '39'],
	])('reads %p as %s (+%s)', (input, region, callingCode) => {
		expect(resolveCountry(input)).toMatchObject({ region, callingCode });
	});

	test.each([undefined, null, '', '   '])('reads %p as no country', (input) => {
		expect(resolveCountry(input)).toBeUndefined();
	});

	test.each<[unknown, string]>([
		['Narnia', 'is not a country code or name this node knows'],
		['XX', 'is not a country code or name this node knows'],
		['999', 'is not a country calling code'],
		['0', 'is not a country calling code'],
		['800', 'is not a country calling code'],
		['Congo', 'names more than one country (CD, CG)'],
		[true, 'is not a country'],
		[{ country: 'DE' }, 'is not a country'],
		[['DE'], 'is not a country'],
	])('rejects %p: %s', (input, reason) => {
		const error = thrownBy(() => resolveCountry(input)) as InvalidCountryError;
		expect(error).toBeInstanceOf(InvalidCountryError);
		expect(error.reason).toBe(reason);
		expect(error.fix).toMatch(/ISO country code/);
	});
});

// Found by a hostile tester with libphonenumber (max metadata) as the oracle; each was sent as
// another, or an impossible, number before.
describe('hostile inputs: rejected rather than sent as another number', () => {
	test.each<[string, string | undefined, string, string]>([
		// A mobile written nationally without its trunk prefix, as a spreadsheet drops the leading 0 or 8.
		['16067655975', undefined, 'could be +1 6067655975 or a national number of Germany (+49 16067655975)', 'Set the Country option'],
		['299293755', undefined, 'could be +299 293755 or a national number of New Zealand (+64 299293755)', 'Set the Country option'],
		['29 981 00 78', undefined, 'could be +299 810078 or a national number of', 'Set the Country option'],
		// Numbers that match no number type of the region: a missing area code or leading 0.
		['213-2130', 'US', 'is not a valid number under the country calling code +1 (United States of America): no number there starts as +1 2132130', 'the area code or the leading 0 may be missing'],
		['210-1234', 'JM', 'is not a valid number under the country calling code +1 (Jamaica)', 'the area code or the leading 0 may be missing'],
		['96123-4567', 'BR', 'is not a valid number under the country calling code +55 (Brazil)', 'the area code or the leading 0 may be missing'],
		['15 2345 6789', 'AR', 'is not a valid number under the country calling code +54 (Argentina)', 'the area code or the leading 0 may be missing'],
		['612345678', 'IT', 'is not a valid number under the country calling code +39 (Italy)', 'the area code or the leading 0 may be missing'],
		['+39 6 1234 5678', undefined, 'no number there starts as +39 612345678', 'the area code or the leading 0 may be missing'],
		// The lengths named are those of the country read for, not Canada's 7-digit service numbers.
		['+1 213 213 213', undefined, 'has 9 digits after the country calling code +1 (United States of America), where numbers of United States of America have 10 digits', 'Check that no digit is missing'],
		// 00 where the country dials abroad otherwise.
		['0049 151 23456789', 'JP', 'starts with 00, which is not how Japan dials abroad', 'international form with +'],
		// Hong Kong dials abroad with 00 and with 009: both readings are valid numbers.
		['00 91 81234 56789', 'HK', 'could be +918123456789 (after the international prefix 00) or +18123456789 (after the international prefix 009)', 'international form with +'],
		// Without a country 00 is the international prefix, and a 1 after +1 is no national prefix:
		// 00 1 1 501 ... is also Australia's 0011 followed by +501 (Belize).
		['0011 501 622 1234', undefined, 'has 11 digits after the country calling code +1', 'Check that no digit is missing'],
		// A WhatsApp chat ID has the shape of an international number.
		['123456@c.us', undefined, 'is a chat ID whose 6 digits are no international number', 'exactly as WhatsApp gave it'],
		['1234567890123456@c.us', undefined, 'is a chat ID whose 16 digits are no international number', 'exactly as WhatsApp gave it'],
		['9991234567@s.whatsapp.net', undefined, 'is a chat ID whose 10 digits are no international number', 'exactly as WhatsApp gave it'],
	])('rejects %p (Country %p): %s', (input, country, reason, fix) => {
		const error = thrownBy(() => normalizeChatId(input, resolveCountry(country))) as InvalidChatIdError;
		expect(error).toBeInstanceOf(InvalidChatIdError);
		expect(error.reason).toContain(reason);
		expect(error.fix).toContain(fix);
	});
});

describe('a country’s own international (IDD) prefix', () => {
	test.each<[string, string, string]>([
		['009 1 213 213 2130', 'NG', '12132132130'],
		['0011 501 622 1234', 'AU', '5016221234'],
		['001 501 622 1234', 'KR', '5016221234'],
		['002 1 213 213 2130', 'TW', '12132132130'],
		['001 1 213 213 2130', 'SG', '12132132130'],
		['010 49 151 23456789', 'JP', '4915123456789'],
		['810 49 151 23456789', 'RU', '4915123456789'],
		['011 49 151 23456789', 'US', '4915123456789'],
		['0049 151 23456789', 'DE', '4915123456789'],
		// Cape Verde dials abroad with a single 0.
		['0 49 151 23456789', 'CV', '4915123456789'],
	])('reads %p with Country %p as +%s', (input, country, digits) => {
		expect(normalizeChatId(input, resolveCountry(country))).toBe(`${digits}@c.us`);
	});
});

describe('forms as WhatsApp and spreadsheets give them', () => {
	test.each<[string, string | undefined, string]>([
		// WhatsApp's own IDs keep the digits WhatsApp uses (Mexico's 521..., Argentina's 549...).
		['5215512345678@s.whatsapp.net', undefined, '5215512345678@c.us'],
		['5215512345678@c.us', undefined, '5215512345678@c.us'],
		['5491123456789@c.us', undefined, '5491123456789@c.us'],
		// Excel's apostrophe that keeps a number as text.
		["'0151 23456789", 'DE', '4915123456789@c.us'],
		["'+49 151 23456789", undefined, '4915123456789@c.us'],
		// Fullwidth and Arabic-Indic digits.
		['＋４９ １５１ ２３４５６７８９', undefined, '4915123456789@c.us'],
		['+٤٩ ١٥١ ٢٣٤٥٦٧٨٩', undefined, '4915123456789@c.us'],
		['۰۹۱۲ ۳۴۵ ۶۷۸۹', 'IR', '989123456789@c.us'],
	])('reads %p (Country %p) as %p', (input, country, expected) => {
		expect(normalizeChatId(input, resolveCountry(country))).toBe(expected);
	});
});
