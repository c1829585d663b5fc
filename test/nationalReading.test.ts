// Digits without + and without a Country that some region could read as its own mobile number
// are rejected, never sent as the international number they also spell. The node checks every
// region's mobile pattern with one combined pattern first (phoneNumber.ts, geographicPlans); this
// checks that against each region's own pattern, taken here straight from the metadata, over
// every region's example mobile number and a seeded, bounded set of numbers derived from them.
import examples from 'libphonenumber-js/examples.mobile.json';
import { internationalDigits } from '../nodes/Hypersender/shared/phoneNumber';
import { NUMBERING_PLANS } from '../nodes/Hypersender/shared/phoneMetadata.generated';

// Each geographic region's mobile pattern, as a whole-number pattern; region 001 has no country.
const MOBILE = new Map<string, RegExp>();
for (const rows of Object.values(NUMBERING_PLANS)) {
	for (const [region, , , , , , mobile] of rows) {
		if (region !== '001' && mobile) MOBILE.set(region, new RegExp(`^(?:${mobile})$`));
	}
}

function regionsReadingAsMobile(digits: string): string[] {
	return [...MOBILE].filter(([, pattern]) => pattern.test(digits)).map(([region]) => region);
}

// A fixed linear congruential generator: the same numbers on every run.
let seed = 17;
function nextDigit(): string {
	seed = (seed * 1103515245 + 12345) % 2147483648;
	return String(Math.floor((seed / 2147483648) * 10));
}

/** The example, and up to 12 variants with its last 1 to 4 digits replaced that are still its region's mobile numbers. */
function mobileNumbersOf(region: string, example: string): string[] {
	const pattern = MOBILE.get(region);
	if (!pattern) return [];
	const numbers = new Set([example]);
	for (let attempt = 0; attempt < 24 && numbers.size < 13; attempt++) {
		const replaced = 1 + (attempt % 4);
		let variant = example.slice(0, -replaced);
		for (let i = 0; i < replaced; i++) variant += nextDigit();
		if (pattern.test(variant)) numbers.add(variant);
	}
	return [...numbers].filter((digits) => pattern.test(digits) && !digits.startsWith('0'));
}

const NUMBERS = [
	...new Set(Object.entries(examples as Record<string, string>).flatMap(([region, example]) => mobileNumbersOf(region, example))),
];

function outcomeOf(digits: string): string {
	try {
		return `sent as +${internationalDigits(digits, undefined, digits)}`;
	} catch (error) {
		if ((error as Error).name !== 'InvalidChatIdError') throw error;
		return (error as Error).message;
	}
}

test('a sizeable set of mobile numbers, some of which also spell a valid international number, China’s among them', () => {
	expect(NUMBERS.length).toBeGreaterThan(1500);
	const twoReadings = NUMBERS.filter((digits) => outcomeOf(digits).includes(' could be +'));
	// Without these the test below would only see numbers that are no international number anyway.
	expect(twoReadings.length).toBeGreaterThan(60);
	// China's 131 2345 6789 is +1 312-345-6789 too, and no other region's mobile number: only
	// China's mobile pattern, in the combined one, keeps it from going to Chicago.
	expect(NUMBERS).toContain('13123456789');
	expect(regionsReadingAsMobile('13123456789')).toEqual(['CN']);
});

test('digits that are some region’s mobile number are never sent without + or Country', () => {
	const sent = NUMBERS.map((digits) => ({ digits, outcome: outcomeOf(digits) }))
		.filter(({ outcome }) => outcome.startsWith('sent as'))
		.map(({ digits, outcome }) => `${digits} (${regionsReadingAsMobile(digits).join(', ')} mobile) ${outcome}`);
	expect(sent).toEqual([]);
});

test('a national reading quoted in the error is that region’s mobile number or a number after its national prefix', () => {
	const unexplained = NUMBERS.flatMap((digits) => {
		const match = / or a national number of .+ \(\+(\d+) (\d+)\); no \+ in front/.exec(outcomeOf(digits));
		if (!match) return [];
		const [, , nationalNumber] = match;
		// Read as a mobile number as written: some region's mobile pattern must say so.
		if (nationalNumber === digits && regionsReadingAsMobile(digits).length === 0) return [digits];
		return [];
	});
	expect(unexplained).toEqual([]);
});
