// The shipped numbering-plan table is what the generator makes from the pinned sources.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PHONE_METADATA_SOURCES } from '../nodes/Hypersender/shared/phoneMetadata.generated';

const root = join(__dirname, '..');
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

test('regenerating from the installed sources gives exactly the committed table', () => {
	const regenerated = execFileSync(process.execPath, [join(root, 'scripts/generate-phone-metadata.mjs'), '--print'], {
		encoding: 'utf8',
	});
	expect(regenerated).toBe(readFileSync(join(root, 'nodes/Hypersender/shared/phoneMetadata.generated.ts'), 'utf8'));
});

test.each(Object.keys(PHONE_METADATA_SOURCES))('the table records the pinned, installed version of %s', (name) => {
	const installed = JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
	expect(PHONE_METADATA_SOURCES[name]).toBe(installed);
	expect(packageJson.devDependencies[name]).toBe(installed);
});

test('the table is a build-time source only: no runtime dependency', () => {
	expect(Object.keys(packageJson.dependencies ?? {})).not.toContain('libphonenumber-js');
	expect(Object.keys(PHONE_METADATA_SOURCES)).toEqual(['libphonenumber-js', 'i18n-iso-countries']);
});
