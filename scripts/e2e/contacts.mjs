// The Contact operations in real n8n: 200 CRM rows written every way CRMs hold phone numbers
// (with a per-row Country for national forms), rows that must fail on their own, Get Many, Get,
// and the workflows in examples/.
import { exampleWorkflowsForTest } from '../lib/examples-for-test.mjs';
import { chainWorkflow, codeNode, manualTrigger, upsertNode, workflowNode } from '../lib/workflows.mjs';

// Names in many scripts, as CRMs hold them.
const FIRST_NAMES = ['María José', 'Дмитрий', 'محمد', '李', 'Zoë 🚀', 'Ølaf', 'Chloé', 'अनीता'];
const LAST_NAMES = ['Núñez', 'Иванов', '', 'Ng', "O'Brien", 'الأحمد'];

/** One phone-number form per row in turn: international, national with the row's Country, chat IDs. */
const PHONE_FORMS = [
	(last4) => ({ phone: `+1 (213) 373-${last4}`, expected: `1213373${last4}` }),
	(last4) => ({ phone: `1-213-373-${last4}`, country: 'US', expected: `1213373${last4}` }),
	(last4) => ({ phone: `+1 213.373.${last4}`, expected: `1213373${last4}` }),
	(last4) => ({ phone: `001213373${last4}`, expected: `1213373${last4}` }),
	(last4) => ({ phone: `1213373${last4}@c.us`, expected: `1213373${last4}` }),
	(last4) => ({ phone: `1213373${last4}@s.whatsapp.net`, expected: `1213373${last4}` }),
	(last4) => ({ phone: ` (213) 373-${last4} `, country: 'United States', expected: `1213373${last4}` }),
	(last4) => ({ phone: `0151 2345 ${last4}`, country: 'DE', expected: `491512345${last4}` }),
];

function crmRows(count) {
	return Array.from({ length: count }, (_, i) => {
		const { phone, country, expected } = PHONE_FORMS[i % PHONE_FORMS.length](String(i).padStart(4, '0'));
		const first = FIRST_NAMES[i % FIRST_NAMES.length];
		const last = LAST_NAMES[i % LAST_NAMES.length];
		return { phone, country, first, last, expectedId: `${expected}@c.us`, expectedName: last ? `${first} ${last}` : first };
	});
}

// Row index -> a value that must fail that row alone, naming the value.
const INVALID_ROWS = { 10: 'call me maybe', 50: '12345', 150: '120363040000000000@g.us' };

const errorMessageOf = (item) => item.error?.message ?? item.json?.error ?? '';

export async function run(t) {
	const { label, fake, nodeType, credential } = t;
	const rows = crmRows(200);
	const withInvalid = rows.map((row, i) => (INVALID_ROWS[i] ? { ...row, phone: INVALID_ROWS[i] } : row));
	const upsert = (extra = {}) => upsertNode(nodeType, credential, { options: { defaultCountryCode: '={{ $json.country }}' } }, extra);
	const readBack = rows[7];
	await t.importWorkflow(
		chainWorkflow('hsE2eUpsert200', 'E2E upsert 200', [manualTrigger(), codeNode('CRM Rows', rows), upsert()]),
		chainWorkflow('hsE2eUpsertInvalid', 'E2E upsert with invalid rows', [manualTrigger(), codeNode('CRM Rows', withInvalid), upsert({ onError: 'continueRegularOutput' })]),
		chainWorkflow('hsE2eGetMany', 'E2E get many', [
			manualTrigger(),
			workflowNode('Hypersender', nodeType, credential, { resource: 'contact', operation: 'getAll', returnAll: true, options: {} }),
		]),
		chainWorkflow('hsE2eGet', 'E2E get', [
			manualTrigger(),
			workflowNode('Hypersender', nodeType, credential, { resource: 'contact', operation: 'get', chatId: `+${readBack.expectedId.split('@')[0]}`, options: {} }),
		]),
	);

	// 1. 200 messy CRM rows, all upserted under normalized IDs and unchanged names; the first
	// run also shows whether the package loaded cleanly.
	const run200 = await t.execute('hsE2eUpsert200');
	const loadErrors = t
		.lastN8nOutput()
		.split('\n')
		.filter((line) => /hypersender/i.test(line) && /(error|fail|could not|cannot)/i.test(line) && !line.trim().startsWith('{'));
	t.check(loadErrors.length === 0, `${label}: n8n logs no load error for the node or credential`, loadErrors.join('\n'));
	const out200 = t.outputOf(run200, 'Hypersender');
	t.check(!run200.data.resultData.error, `${label}: the 200-row upsert workflow succeeds`, run200.data.resultData.error);
	t.check(out200.length === 200 && out200.every((item) => !item.error), `${label}: 200 output items, none failed`, out200.filter((item) => item.error).slice(0, 3));
	const wrong = rows.filter((row) => fake.contact(row.expectedId)?.name !== row.expectedName);
	t.check(fake.contacts.size === 200 && wrong.length === 0, `${label}: the fake address book holds all 200 under normalized IDs and names (per-row Country included)`, {
		size: fake.contacts.size,
		wrong: wrong.slice(0, 3),
	});

	// 2. three invalid rows with On Error: Continue
	fake.reset();
	const outInvalid = t.outputOf(await t.execute('hsE2eUpsertInvalid'), 'Hypersender');
	const errorItems = outInvalid.filter((item) => item.error || item.json?.error);
	t.check(outInvalid.length === 200, `${label}: 200 items out for 200 in`, outInvalid.length);
	t.check(fake.contacts.size === 197, `${label}: 197 contacts upserted`, fake.contacts.size);
	t.check(fake.requests.length === 197, `${label}: nothing sent for the 3 invalid rows`, fake.requests.length);
	t.check(
		errorItems.length === 3 && Object.values(INVALID_ROWS).every((bad) => errorItems.some((item) => errorMessageOf(item).includes(`"${bad}"`))),
		`${label}: 3 error items, each naming the bad value`,
		errorItems.map(errorMessageOf),
	);

	// 3. Get Many and Get
	const outMany = t.outputOf(await t.execute('hsE2eGetMany'), 'Hypersender');
	t.check(outMany.length === 197, `${label}: Get Many returns every contact`, outMany.length);
	const outGet = t.outputOf(await t.execute('hsE2eGet'), 'Hypersender');
	t.check(outGet.length === 1 && outGet[0].json.found === true && outGet[0].json.name === readBack.expectedName, `${label}: Get returns the one contact`, outGet);

	// 4. The examples users start from run against the fake server too. What they check is the
	// node's behaviour, the same code whichever way n8n loaded it (steps 1-3 check the loading), so
	// they run for the community-package install only: each is one more n8n start per line.
	if (t.installWay !== 'community package') return;
	const examples = exampleWorkflowsForTest(nodeType, credential);
	await t.importWorkflow(examples.map((example) => example.workflow));
	for (const example of examples) {
		fake.reset();
		const problem = example.check(await t.execute(example.workflow.id), fake);
		t.check(!problem, `${label}: example ${example.file} runs`, problem);
	}
}
