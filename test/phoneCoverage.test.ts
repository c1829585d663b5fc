// Every region's example mobile number (libphonenumber's), in every form people write it: each
// form is sent as the right number or rejected, never as another number. The counts per form
// are printed for the closing note of the phone-number issue.
import examples from 'libphonenumber-js/examples.mobile.json';
import { parsePhoneNumberWithError, type CountryCode } from 'libphonenumber-js/max';
import { normalizeChatId, resolveCountry, type Country } from '../nodes/Hypersender/shared/chatId';
import { NUMBERING_PLANS } from '../nodes/Hypersender/shared/phoneMetadata.generated';

interface WrittenForm {
	form: string;
	text: string;
	country?: Country;
}

function trunkPrefixOf(region: string): string {
	for (const rows of Object.values(NUMBERING_PLANS)) {
		const row = rows.find(([rowRegion]) => rowRegion === region);
		if (row) return row[1];
	}
	throw new Error(`no numbering plan for ${region}`);
}

// Rows whose Country dials abroad with its own international prefix, written with it.
const DIALLED_FROM: Array<[string, string]> = [
	['011', 'US'],
	['0011', 'AU'],
	['010', 'JP'],
	['810', 'RU'],
	['00', 'DE'],
];

function writtenForms(region: string, nationalNumber: string): WrittenForm[] {
	const phone = parsePhoneNumberWithError(nationalNumber, region as CountryCode);
	const country = resolveCountry(region);
	const callingCode = phone.countryCallingCode;
	const international = phone.formatInternational();
	const national = phone.formatNational();
	const forms: WrittenForm[] = [
		{ form: 'E.164', text: phone.number },
		{ form: 'international formatted', text: international },
		{ form: 'national, Country set', text: national, country },
		{ form: 'national, no Country', text: national },
		{ form: 'national digits only, no Country', text: national.replace(/\D/g, '') },
		{ form: '00 international', text: `00${callingCode}${phone.nationalNumber}` },
		{ form: 'digits only, no Country', text: `${callingCode}${phone.nationalNumber}` },
		{ form: 'digits only, Country set', text: `${callingCode}${phone.nationalNumber}`, country },
		...DIALLED_FROM.map(([prefix, from]) => ({
			form: `${prefix} CC ..., Country ${from}`,
			text: `${prefix} ${callingCode} ${phone.nationalNumber}`,
			country: resolveCountry(from),
		})),
	];
	if (trunkPrefixOf(region) === '0') {
		forms.push({ form: '+CC (0) ...', text: international.replace(`+${callingCode} `, `+${callingCode} (0) `) });
	}
	return forms;
}

type Outcome = 'right' | 'rejected' | 'wrong';

function outcomeOf({ text, country }: WrittenForm, expected: string): { outcome: Outcome; sent?: string } {
	let sent: string;
	try {
		sent = normalizeChatId(text, country);
	} catch (error) {
		if ((error as Error).name !== 'InvalidChatIdError') throw error;
		return { outcome: 'rejected' };
	}
	return { outcome: sent === expected ? 'right' : 'wrong', sent };
}

const results = Object.entries(examples as Record<string, string>).flatMap(([region, nationalNumber]) => {
	const expected = `${parsePhoneNumberWithError(nationalNumber, region as CountryCode).number.slice(1)}@c.us`;
	return writtenForms(region, nationalNumber).map((written) => ({ region, expected, written, ...outcomeOf(written, expected) }));
});

/** The counts per form, as a Markdown table. */
function coverageTable(): string {
	const counts = new Map<string, Record<Outcome, number>>();
	for (const { written, outcome } of results) {
		const row = counts.get(written.form) ?? { right: 0, rejected: 0, wrong: 0 };
		row[outcome]++;
		counts.set(written.form, row);
	}
	const lines = [...counts].map(([form, row]) => `| ${form} | ${row.right} | ${row.rejected} | ${row.wrong} |`);
	return ['| form | sent right | rejected | sent wrong |', '|---|---|---|---|', ...lines].join('\n');
}

afterAll(() => {
	process.stdout.write(`\nPhone forms over ${Object.keys(examples).length} regions' example mobile numbers:\n${coverageTable()}\n`);
});

test('no written form of any example number is sent as a different number', () => {
	const wrong = results.filter(({ outcome }) => outcome === 'wrong').map(({ region, written, sent }) => `${region} ${written.form}: ${written.text} -> ${sent}`);
	expect(wrong).toEqual([]);
});

test.each([
	'E.164',
	'international formatted',
	'00 international',
	'+CC (0) ...',
	'national, Country set',
	'011 CC ..., Country US',
	'0011 CC ..., Country AU',
	'010 CC ..., Country JP',
	'00 CC ..., Country DE',
])(
	'every example number written as %s is sent right',
	(form) => {
		const notRight = results
			.filter(({ written, outcome }) => written.form === form && outcome !== 'right')
			.map(({ region, written }) => `${region}: ${written.text}`);
		expect(notRight).toEqual([]);
	},
);
