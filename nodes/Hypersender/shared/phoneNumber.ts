/**
 * Reads a phone number as people write it (international, or national with the row's country)
 * into its international digits, following each country's numbering plan, the way
 * libphonenumber parses. Where a written form has two plausible readings the number is
 * rejected: a valid-looking wrong number is worse than an error.
 */
import { COUNTRY_NAMES, NUMBERING_PLANS, type NumberingPlanRow } from './phoneMetadata.generated';
import { quoteValue } from './quoteValue';

/** The country a row's national numbers belong to. */
export interface Country {
	/** ISO 3166 alpha-2 code, e.g. `DE`. */
	region: string;
	/** Calling code digits, e.g. `49`. */
	callingCode: string;
	/** English name, for messages. */
	name: string;
}

export class InvalidCountryError extends Error {
	constructor(
		/** The value as given, already quoted for a message (see quoteValue). */
		readonly value: string,
		readonly reason: string,
		readonly fix: string,
	) {
		super(`Country ${value} ${reason}`);
		this.name = 'InvalidCountryError';
	}
}

export class InvalidChatIdError extends Error {
	constructor(
		/** The value as given, already quoted for a message and cut to a short prefix (see quoteValue). */
		readonly value: string,
		/** Why it was rejected, e.g. `contains letters`; reads after the value. */
		readonly reason: string,
		/** What the user can change, for the error's description. */
		readonly fix: string,
	) {
		super(`${value} ${reason}`);
		this.name = 'InvalidChatIdError';
	}
}

const COUNTRY_FIX =
	'Set Country to an ISO country code (DE, US), a calling code (49, +1) or an English country name ' +
	'(Germany), or leave it empty when every number is written in international form with +.';

const SET_COUNTRY_OR_PLUS =
	'Set the Country option to the country of the number (e.g. DE, or {{ $json.country }} per row), ' +
	'or write it in international form with + and the country calling code (e.g. +49 151 23456789).';

interface NumberingPlan {
	region: string;
	callingCode: string;
	nationalPrefix: string;
	prefixForParsing?: RegExp;
	transformRule: string;
	possibleLengths: number[];
	pattern: RegExp;
	/** The region's mobile numbers (national significant number), where it has any. */
	mobile?: RegExp;
	/** The region's other numbers: fixed line, toll-free, premium, ... */
	otherTypes?: RegExp;
	/** How the region dials out to another country (its IDD prefix): matches the whole prefix. */
	internationalPrefix: RegExp;
}

// libphonenumber's region code for numbers that belong to no country (+800, +882, ...).
const NON_GEOGRAPHIC = '001';

const plansByCode = new Map<string, NumberingPlan[]>();

function wholeNumberPattern(pattern: string): RegExp | undefined {
	return pattern ? new RegExp(`^(?:${pattern})$`) : undefined;
}

/** The numbering plans under a calling code, the main region first; compiled on first use. */
function plansFor(callingCode: string): NumberingPlan[] {
	let plans = plansByCode.get(callingCode);
	if (!plans) {
		plans = (NUMBERING_PLANS[callingCode] ?? []).map((row: NumberingPlanRow) => {
			const [region, nationalPrefix, prefixForParsing, transformRule, possibleLengths, pattern, mobile, otherTypes, idd] =
				row;
			return {
				region,
				callingCode,
				nationalPrefix,
				prefixForParsing: prefixForParsing ? new RegExp(`^(?:${prefixForParsing})`) : undefined,
				transformRule,
				possibleLengths,
				pattern: new RegExp(`^(?:${pattern})$`),
				mobile: wholeNumberPattern(mobile),
				otherTypes: wholeNumberPattern(otherTypes),
				internationalPrefix: new RegExp(`^(?:${idd || '00'})$`),
			};
		});
		plansByCode.set(callingCode, plans);
	}
	return plans;
}

/** Calling codes are prefix-free (ITU E.164), so at most one of the first 1-3 digits matches. */
function callingCodeAtStartOf(digits: string): string | undefined {
	for (let length = 1; length <= 3; length++) {
		const code = digits.slice(0, length);
		if (NUMBERING_PLANS[code]) return code;
	}
	return undefined;
}

/** Valid: a number of some type (mobile, fixed line, toll-free, ...) of some region under the calling code. */
function isValidNational(nationalNumber: string, plans: NumberingPlan[]): boolean {
	return plans.some(
		(plan) =>
			plan.pattern.test(nationalNumber) &&
			Boolean(plan.mobile?.test(nationalNumber) || plan.otherTypes?.test(nationalNumber)),
	);
}

function hasPossibleLength(nationalNumber: string, plans: NumberingPlan[]): boolean {
	return plans.some((plan) => plan.possibleLengths.includes(nationalNumber.length));
}

/**
 * Removes the national (trunk) prefix, and what some plans dial with it (Argentina's 15 for
 * mobiles, Brazil's carrier code), as libphonenumber does: not when that would turn a valid
 * number into an invalid one, nor when what is left is too short to be a number.
 */
function withoutNationalPrefix(number: string, plan: NumberingPlan): string {
	const match = plan.prefixForParsing?.exec(number);
	if (!match) return number;
	const lastGroup = match[match.length - 1];
	const national =
		plan.transformRule && match.length > 1 && lastGroup
			? number.replace(plan.prefixForParsing as RegExp, plan.transformRule)
			: number.slice(match[0].length);
	if (national === number) return number;
	if (plan.pattern.test(number) && !plan.pattern.test(national)) return number;
	// libphonenumber keeps the prefix when the rest is too short or of a length between possible ones.
	const longest = plan.possibleLengths[plan.possibleLengths.length - 1];
	if (!plan.possibleLengths.includes(national.length) && national.length <= longest) return number;
	return national;
}

/** The calling code with the region the number is read for: the row's country, else the code's main one. */
function describeCode(plan: NumberingPlan): string {
	return plan.region === NON_GEOGRAPHIC ? `+${plan.callingCode}` : `+${plan.callingCode} (${regionName(plan.region)})`;
}

/** The lengths of the region's own numbers: other regions under the code (Canada's 7-digit service numbers) would confuse. */
function lengthsText(plan: NumberingPlan): string {
	const lengths = plan.possibleLengths;
	return lengths.length > 1 ? `${lengths.slice(0, -1).join(', ')} or ${lengths[lengths.length - 1]}` : `${lengths[0]}`;
}

function regionName(region: string): string {
	return COUNTRY_NAMES[region]?.[0] ?? region;
}

function numbersOf(plan: NumberingPlan): string {
	return plan.region === NON_GEOGRAPHIC ? 'numbers' : `numbers of ${regionName(plan.region)}`;
}

/**
 * Accepts a national number under a calling code when it has a possible length, is not still led
 * by the national prefix that could not be removed (a leading trunk 0 is never part of an
 * international number), and is a valid number of a region under the code: a number that cannot
 * exist is missing a digit or an area code, and sending it would at best fail, at worst reach someone.
 */
function checkedNational(nationalNumber: string, callingCode: string, plan: NumberingPlan, shown: string): string {
	const plans = plansFor(callingCode);
	if (!hasPossibleLength(nationalNumber, plans)) {
		throw new InvalidChatIdError(
			shown,
			`has ${nationalNumber.length} digits after the country calling code ${describeCode(plan)}, ` +
				`where ${numbersOf(plan)} have ${lengthsText(plan)} digits`,
			'Check that no digit is missing or extra, and that the country is right.',
		);
	}
	const ledByPrefix = nationalNumber.startsWith('0') || (plan.nationalPrefix && nationalNumber.startsWith(plan.nationalPrefix));
	if (ledByPrefix && !isValidNational(nationalNumber, plans)) {
		throw new InvalidChatIdError(
			shown,
			`has ${nationalNumber[0]} right after the country calling code ${describeCode(plan)}, ` +
				'where no number starts so (a national prefix cannot stay in an international number)',
			'Check the digits: remove a national prefix written after the calling code, or add a missing digit.',
		);
	}
	if (!isValidNational(nationalNumber, plans)) {
		throw new InvalidChatIdError(
			shown,
			`is not a valid number under the country calling code ${describeCode(plan)}: ` +
				`no number there starts as +${callingCode} ${nationalNumber} or has its length`,
			'Check the number; e.g. the area code or the leading 0 may be missing.',
		);
	}
	return nationalNumber;
}

/** `+` or `00` followed by these digits: a calling code, then the national number. */
function readInternational(digits: string, prefix: string, shown: string): string {
	if (digits.startsWith('0')) {
		throw new InvalidChatIdError(
			shown,
			`has a 0 after the international prefix ${prefix}, and no country calling code starts with 0`,
			`Remove the extra 0 (+49 151 ... or 0049 151 ...); for a national number, remove the ${prefix} ` +
				'and set the Country option.',
		);
	}
	const callingCode = callingCodeAtStartOf(digits);
	if (!callingCode) {
		throw new InvalidChatIdError(
			shown,
			`does not start with a country calling code after ${prefix}`,
			'Check the digits after the +: they start with the country calling code (e.g. 49 for Germany).',
		);
	}
	const main = plansFor(callingCode)[0];
	// "+49 (0) 151 ..." and "+49 0151 ...": the national prefix written after the calling code. After
	// a dialled prefix (00, 0011, 810) only a 0 is removed: 00 1 1 501 ... is also Australia's 0011
	// then +501 (Belize), 00 7 8 ... is 007 then +78..., so reading the 1 or 8 as a prefix would guess.
	const rest = digits.slice(callingCode.length);
	const national = prefix === '+' || main.nationalPrefix === '0' ? withoutNationalPrefix(rest, main) : rest;
	return callingCode + checkedNational(national, callingCode, main, shown);
}

function planOf(country: Country): NumberingPlan {
	const plans = plansFor(country.callingCode);
	return plans.find((candidate) => candidate.region === country.region) ?? plans[0];
}

/** Digits without +, read as a number of the row's country, or with its calling code where only that fits. */
function readNationalOf(digits: string, country: Country, shown: string): string {
	const plans = plansFor(country.callingCode);
	const plan = planOf(country);
	const national = withoutNationalPrefix(digits, plan);
	const international = digits.startsWith(country.callingCode)
		? withoutNationalPrefix(digits.slice(country.callingCode.length), plan)
		: undefined;
	if (international === undefined || international === national) {
		return country.callingCode + checkedNational(national, country.callingCode, plan, shown);
	}
	const grade = (reading: string) =>
		isValidNational(reading, plans) ? 2 : hasPossibleLength(reading, plans) ? 1 : 0;
	const nationalGrade = grade(national);
	const internationalGrade = grade(international);
	if (nationalGrade === 2 && internationalGrade === 2) {
		throw new InvalidChatIdError(
			shown,
			`could be a number of ${country.name} with or without its calling code ${country.callingCode} in front ` +
				`(+${country.callingCode} ${national} or +${country.callingCode} ${international})`,
			`Write it in international form with + (+${country.callingCode} ...), or in national form with its ` +
				'national prefix.',
		);
	}
	const chosen = internationalGrade > nationalGrade ? international : national;
	return country.callingCode + checkedNational(chosen, country.callingCode, plan, shown);
}

// Longer than any international (IDD) prefix in the metadata (Australia's 14880011 is 8 digits).
const LONGEST_IDD = 8;

/**
 * Digits without + with the row's country: led by the country's own international (IDD) prefix
 * (0011 in Australia, 010 in Japan, 810 in Russia, 00 in most), an international number follows it;
 * else a number of the country. Every way the digits can be read is tried, and more than one
 * valid reading is rejected rather than guessed.
 */
function readWithCountry(digits: string, country: Country, shown: string): string {
	const plan = planOf(country);
	const readings = new Map<string, string>();
	let iddError: unknown;
	for (let length = 1; length <= Math.min(LONGEST_IDD, digits.length - 1); length++) {
		const idd = digits.slice(0, length);
		if (!plan.internationalPrefix.test(idd)) continue;
		try {
			readings.set(readInternational(digits.slice(length), idd, shown), `after the international prefix ${idd}`);
		} catch (error) {
			iddError ??= error;
		}
	}
	let nationalError: unknown;
	try {
		const national = readNationalOf(digits, country, shown);
		if (!readings.has(national)) readings.set(national, `as a number of ${country.name}`);
	} catch (error) {
		nationalError = error;
	}
	if (readings.size > 1) {
		throw new InvalidChatIdError(
			shown,
			`could be ${[...readings].map(([reading, how]) => `+${reading} (${how})`).join(' or ')}`,
			'Write it in international form with + and the country calling code (e.g. +49 151 23456789).',
		);
	}
	const [only] = readings.keys();
	if (only !== undefined) return only;
	if (iddError) throw iddError;
	if (digits.startsWith('00')) {
		throw new InvalidChatIdError(
			shown,
			`starts with 00, which is not how ${country.name} dials abroad, and is no valid number of ${country.name} either`,
			'Write it in international form with + and the country calling code (e.g. +49 151 23456789).',
		);
	}
	throw nationalError;
}

/**
 * A region whose national form, as that region writes it, the digits could be: read so, they
 * stand for another number than read as international.
 */
function differentNationalReading(digits: string): { plan: NumberingPlan; nationalNumber: string } | undefined {
	const { plans, anyMobile } = geographicPlans();
	// One test for all mobile patterns first: most digits are no region's mobile number, and then
	// none of the regions' own patterns needs a test.
	const mobileSomewhere = anyMobile.test(digits);
	for (const plan of plans) {
		// Written with its national prefix: any valid number. Written without one (as a
		// spreadsheet stores 0160 67655975): a mobile number, since WhatsApp numbers are; every
		// valid number would reject nearly all international numbers, as some plans (Germany's,
		// Austria's) allow most digit strings.
		const stripped = withoutNationalPrefix(digits, plan);
		if (stripped !== digits && plan.callingCode + stripped !== digits && plan.pattern.test(stripped)) {
			return { plan, nationalNumber: stripped };
		}
		if (mobileSomewhere && plan.mobile?.test(digits)) return { plan, nationalNumber: digits };
	}
	return undefined;
}

let everyGeographicPlan: { plans: NumberingPlan[]; anyMobile: RegExp } | undefined;

/**
 * Every country's numbering plan, in the metadata's order, and one pattern that matches what any
 * of their mobile patterns matches; compiled once, as digits without + and Country are checked
 * against all of them.
 */
function geographicPlans(): { plans: NumberingPlan[]; anyMobile: RegExp } {
	if (!everyGeographicPlan) {
		const plans = Object.keys(NUMBERING_PLANS).flatMap((code) => plansFor(code).filter((plan) => plan.region !== NON_GEOGRAPHIC));
		// Each mobile pattern is `^(?:...)$` (wholeNumberPattern): its group, without the anchors, is one alternative.
		const mobiles = plans.flatMap((plan) => (plan.mobile ? [plan.mobile.source.slice(1, -1)] : []));
		everyGeographicPlan = { plans, anyMobile: new RegExp(`^(?:${mobiles.join('|')})$`) };
	}
	return everyGeographicPlan;
}

/** Digits without + or 00 and no country: international only when nothing else fits. */
function readWithoutCountry(digits: string, shown: string): string {
	if (digits.startsWith('0')) {
		throw new InvalidChatIdError(
			shown,
			'is a national number (leading 0), and no Country is set for it',
			SET_COUNTRY_OR_PLUS,
		);
	}
	const callingCode = callingCodeAtStartOf(digits);
	const national = callingCode ? digits.slice(callingCode.length) : '';
	if (!callingCode || !isValidNational(national, plansFor(callingCode))) {
		throw new InvalidChatIdError(
			shown,
			'is not a complete international number (no + in front), and no Country is set for it',
			SET_COUNTRY_OR_PLUS,
		);
	}
	const other = differentNationalReading(digits);
	if (other) {
		throw new InvalidChatIdError(
			shown,
			`could be +${callingCode} ${national} or a national number of ${regionName(other.plan.region)} ` +
				`(+${other.plan.callingCode} ${other.nationalNumber}); no + in front, and no Country is set for it`,
			SET_COUNTRY_OR_PLUS,
		);
	}
	return digits;
}

/**
 * "+49 (0) 151 ...": the national prefix in brackets after the calling code, written so that the
 * number also reads nationally, is dropped. Where 0 is no national prefix (Italy: +39 (0)6 ...
 * is +39 06 ...) it is part of the number.
 */
function withBracketedZeroRead(text: string): string {
	const match = /^\s*(?:\+|00)\s*(\d{1,3})\s*\(0\)/.exec(text);
	const callingCode = match?.[1];
	if (!match || !callingCode || callingCodeAtStartOf(callingCode) !== callingCode) return text;
	const zeroIsNationalPrefix = plansFor(callingCode)[0].nationalPrefix === '0';
	return `+${callingCode}${zeroIsNationalPrefix ? '' : '0'}${text.slice(match[0].length)}`;
}

// Separators people type between digit groups; anything else is not a phone number.
const PHONE_FORMATTING = /[\s\-‐‑‒–—.()[\]/]/g;

// Digits typed on Arabic or East Asian keyboards (٠١٢, ۰۱۲, ０１２) and the fullwidth plus: one
// meaning each, so they are read as ASCII rather than rejected.
const OTHER_DIGITS = /[\u0660-\u0669\u06f0-\u06f9\uff10-\uff19\uff0b]/g;

function withAsciiDigits(text: string): string {
	return text.replace(OTHER_DIGITS, (char) => {
		const code = char.charCodeAt(0);
		if (code === 0xff0b) return '+';
		const zero = code >= 0xff10 ? 0xff10 : code >= 0x06f0 ? 0x06f0 : 0x0660;
		return String(code - zero);
	});
}

/** The international digits (calling code first, no +) of a written phone number; `shown` is the value as errors quote it. */
export function internationalDigits(written: string, country: Country | undefined, shown: string): string {
	// Excel keeps a number as text behind a leading apostrophe ('0151 23456789), which exports keep.
	const text = withAsciiDigits(written).replace(/^\s*'/, '');
	if (/\p{L}/u.test(text)) {
		throw new InvalidChatIdError(
			shown,
			'contains letters',
			'Give only the phone number; an extension or a name next to it cannot be sent.',
		);
	}
	const compact = withBracketedZeroRead(text).replace(PHONE_FORMATTING, '');
	if (!/^\+?\d+$/.test(compact)) {
		throw new InvalidChatIdError(
			shown,
			'contains characters that are not part of a phone number',
			'Give only digits, an optional + in front, and spaces, dashes, dots, slashes or brackets between them.',
		);
	}
	if (compact.startsWith('+')) return readInternational(compact.slice(1), '+', shown);
	// With a country, 00 is read as that country dials abroad (readWithCountry); without, as most do.
	if (country) return readWithCountry(compact, country, shown);
	if (compact.startsWith('00')) return readInternational(compact.slice(2), '00', shown);
	return readWithoutCountry(compact, shown);
}

/**
 * The digits of a chat ID (`<digits>@c.us`): WhatsApp's own ID of an account, international by
 * definition but not always the number as the numbering plan writes it (Mexico's 521..., Argentina's
 * 549...), so it is taken as given, checked only for the shape of an international number.
 */
export function chatIdDigits(text: string, shown: string): string {
	const compact = text.replace(PHONE_FORMATTING, '');
	if (!/^\+?\d+$/.test(compact)) {
		throw new InvalidChatIdError(
			shown,
			'has something other than digits before the @',
			'A chat ID is the international number in digits, without + or 00, e.g. 4915123456789@c.us.',
		);
	}
	const digits = compact.replace(/^\+/, '');
	if (digits.startsWith('0')) {
		throw new InvalidChatIdError(
			shown,
			'is a chat ID whose number starts with 0, but a chat ID holds the international number',
			'Give the number in international digits (4915123456789@c.us), or the phone number alone with the Country option set.',
		);
	}
	if (digits.length < 7 || digits.length > 15 || !callingCodeAtStartOf(digits)) {
		throw new InvalidChatIdError(
			shown,
			`is a chat ID whose ${digits.length} digits are no international number (7 to 15 digits, a country calling code first)`,
			'Use the chat ID exactly as WhatsApp gave it, e.g. 4915123456789@c.us, or the phone number alone.',
		);
	}
	return digits;
}

// Names as CRMs export them: case, accents, punctuation and a leading "the" do not matter.
function nameKey(name: string): string {
	return name
		.normalize('NFD')
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(/&/g, ' and ')
		.replace(/[^\p{L}\p{N}]+/gu, ' ')
		.trim()
		.replace(/^the /, '');
}

let regionsByName: Map<string, Set<string>> | undefined;

function regionsNamed(name: string): Set<string> | undefined {
	if (!regionsByName) {
		regionsByName = new Map();
		for (const [region, names] of Object.entries(COUNTRY_NAMES)) {
			for (const variant of names) {
				const key = nameKey(variant);
				const regions = regionsByName.get(key) ?? new Set<string>();
				regions.add(region);
				regionsByName.set(key, regions);
			}
		}
	}
	return regionsByName.get(nameKey(name));
}

let callingCodeByRegion: Map<string, string> | undefined;

function countryOfRegion(region: string): Country | undefined {
	if (!callingCodeByRegion) {
		callingCodeByRegion = new Map();
		for (const [code, rows] of Object.entries(NUMBERING_PLANS)) {
			for (const [rowRegion] of rows) if (rowRegion !== NON_GEOGRAPHIC) callingCodeByRegion.set(rowRegion, code);
		}
	}
	const callingCode = callingCodeByRegion.get(region);
	if (!callingCode) return undefined;
	return { region, callingCode, name: COUNTRY_NAMES[region]?.[0] ?? region };
}

/**
 * The row's country from the Country option: an ISO 3166 alpha-2 code (`DE`, `us`), a calling
 * code (`49`, `+49`, `0049`; a code shared by several countries means its main one, whose national
 * rules they share: 1 is the US, 7 Russia, 44 the UK) or a country name. Undefined when empty.
 */
export function resolveCountry(raw: unknown): Country | undefined {
	if (raw === undefined || raw === null) return undefined;
	if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) raw = String(raw);
	if (typeof raw !== 'string') {
		throw new InvalidCountryError(quoteValue(raw), 'is not a country', COUNTRY_FIX);
	}
	const text = raw.trim();
	if (text === '') return undefined;

	const callingCode = /^(?:\+|00)?\s*(\d{1,4})$/.exec(text)?.[1];
	if (callingCode !== undefined) {
		const main = plansFor(callingCode)[0];
		const country = main && countryOfRegion(main.region);
		if (!country) throw new InvalidCountryError(quoteValue(raw), 'is not a country calling code', COUNTRY_FIX);
		return country;
	}
	if (/^[A-Za-z]{2}$/.test(text)) {
		const country = countryOfRegion(text.toUpperCase());
		if (country) return country;
	}
	const regions = regionsNamed(text);
	if (!regions) throw new InvalidCountryError(quoteValue(raw), 'is not a country code or name this node knows', COUNTRY_FIX);
	if (regions.size > 1) {
		throw new InvalidCountryError(
			quoteValue(raw),
			`names more than one country (${[...regions].sort().join(', ')})`,
			'Set Country to the ISO country code instead, e.g. DE.',
		);
	}
	return countryOfRegion([...regions][0]);
}
