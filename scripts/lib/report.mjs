// Sections of README.md and BENCHMARKS.md that a command writes from its results, between
// `<!-- NAME:start (written by ...; do not edit) -->` and `<!-- NAME:end -->`; the rest of the
// file stays as it is.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The section `name` of `file`: `content` (the text between its markers) and `replace(text)`,
 * which writes the file only if that changes it. With `createAs` (the start marker's note, e.g.
 * 'written by bench/trigger.mjs; do not edit') a missing section is added at the end of the
 * file; without it, a missing section is an error.
 */
export function markedSection(file, name, { createAs } = {}) {
	const text = readFileSync(file, 'utf8');
	const startMarker = new RegExp(`<!-- ${name}:start [^\\n]*?-->`).exec(text);
	const endMarker = `<!-- ${name}:end -->`;
	const end = text.indexOf(endMarker);
	const found = startMarker && end > startMarker.index;
	if (!found && !createAs) throw new Error(`${path.basename(file)} has no section "${name}": put <!-- ${name}:start (written by ...; do not edit) --> and ${endMarker} where it goes`);
	const contentStart = found ? startMarker.index + startMarker[0].length : undefined;
	return {
		content: found ? text.slice(contentStart, end) : '',
		replace(content) {
			const updated = found ? `${text.slice(0, contentStart)}\n${content}\n${text.slice(end)}` : `${text.trimEnd()}\n\n<!-- ${name}:start (${createAs}) -->\n${content}\n${endMarker}\n`;
			if (updated !== text) writeFileSync(file, updated);
		},
	};
}
