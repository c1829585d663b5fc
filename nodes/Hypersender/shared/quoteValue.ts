// Error messages quote what the user sent, but a spreadsheet cell can hold a whole document:
// quoting only its start keeps the message readable and the execution log small.
const LONGEST_QUOTE = 60;

/** The value as an error message shows it: `"text"`, or JSON for non-strings, cut to a short prefix. */
export function quoteValue(value: unknown): string {
	let text: string;
	if (typeof value === 'string') text = value;
	else if (value === undefined) return 'nothing';
	else {
		try {
			text = JSON.stringify(value) ?? String(value);
		} catch {
			text = String(value);
		}
	}
	const chars = Array.from(text);
	const shown = chars.length > LONGEST_QUOTE ? `${chars.slice(0, LONGEST_QUOTE).join('')}… (${chars.length} characters)` : text;
	return typeof value === 'string' ? `"${shown}"` : shown;
}
