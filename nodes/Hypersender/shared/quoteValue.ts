// Error messages quote what the user sent, but a spreadsheet cell can hold a whole document:
// quoting only its start keeps the message readable and the execution log small.
const LONGEST_QUOTE = 60;

/** The value as an error message shows it: `"text"`, or JSON for non-strings, cut to a short prefix. */
export function quoteValue(value: unknown): string {
	let text: string;
	if (typeof value === 'string') text = value;
	else if (value === undefined) return 'nothing';
	else if (typeof value === 'number') return String(value);
	else {
		try {
			text = JSON.stringify(value) ?? String(value);
		} catch {
			text = String(value);
		}
	}
	// Only the start is split into characters: a 50 MB cell must not cost seconds and memory.
	const start = Array.from(text.slice(0, LONGEST_QUOTE * 2)).slice(0, LONGEST_QUOTE).join('');
	const shown = start.length < text.length ? `${start}… (${text.length} characters)` : text;
	return typeof value === 'string' ? `"${shown}"` : shown;
}
