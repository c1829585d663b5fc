// n8n's default error handling (On Error: Stop Workflow) in real n8n: one bad row among 40
// sends stops the run with nothing sent; a refusal from Hypersender on row 5 of 40 at a paced
// rate lets out at most the sends already on the wire, and the run's error names them; with
// Retry On Fail (3 tries) and a refused row, no message goes out twice.
import { chainWorkflow, codeNode, manualTrigger, workflowNode } from '../lib/workflows.mjs';

const ROWS = 40;
const phoneOfRow = (row) => `+1 213 555 ${1000 + row}`;
const chatIdOfRow = (row) => `1213555${1000 + row}@c.us`;
const rowOfChatId = (chatId) => Number(chatId.slice(7, 11)) - 1000;
const rows = (count, phoneOf = phoneOfRow) => Array.from({ length: count }, (_, row) => ({ phone: phoneOf(row), text: `Hello row ${row}` }));
const REFUSAL = { status: 422, body: { message: 'The given data was invalid.', errors: { chatId: ['The chat id is invalid.'] } } };

// The node's behaviour, the same code however the package was loaded (scripts/e2e.mjs).
export const installWays = ['community package'];

export async function run(t) {
	const { label, fake, nodeType, credential } = t;
	const sendText = (options = {}, extra = {}) =>
		workflowNode('Hypersender', nodeType, credential, { resource: 'message', operation: 'sendText', humanLike: false, chatId: '={{ $json.phone }}', text: '={{ $json.text }}', options: { waitForResult: false, ...options } }, extra);
	const errorOf = (run) => run?.data?.resultData?.error ?? {};
	const sentRows = () => fake.messages.map((message) => rowOfChatId(message.chatId)).sort((a, b) => a - b);

	await t.importWorkflow(
		chainWorkflow('hsE2eStopBadRow', 'E2E stop on a bad row', [manualTrigger(), codeNode('Rows', rows(ROWS, (row) => (row === 20 ? 'call me maybe' : phoneOfRow(row)))), sendText()]),
		chainWorkflow('hsE2eStopRefusal', 'E2E stop on a refusal, paced', [manualTrigger(), codeNode('Rows', rows(ROWS)), sendText({ requestsPerMinute: 600 })]),
		chainWorkflow('hsE2eRetryBadRow', 'E2E Retry On Fail with a bad row', [
			manualTrigger(),
			codeNode('Rows', rows(10, (row) => (row === 4 ? 'call me maybe' : phoneOfRow(row)))),
			sendText({}, { retryOnFail: true, maxTries: 3, waitBetweenTries: 100 }),
		]),
		chainWorkflow('hsE2eRetryRefusal', 'E2E Retry On Fail with a refused row', [manualTrigger(), codeNode('Rows', rows(10)), sendText({}, { retryOnFail: true, maxTries: 3, waitBetweenTries: 100 })]),
	);

	// 1. Row 20's phone is not a number: nothing goes out, and the error says so and what to do.
	fake.reset();
	const badRow = errorOf(await t.execute('hsE2eStopBadRow'));
	t.check(fake.requests.length === 0, `${label}: 40 sends with a bad row 20 and On Error: Stop: 0 sent`, { requests: fake.requests.length });
	t.check(
		/item 20 failed/.test(badRow.message ?? '') && /call me maybe/.test(badRow.description ?? '') && /No message of this node run was sent/.test(badRow.description ?? '') && /On Error/.test(badRow.description ?? ''),
		`${label}: the run's error names row 20's value, says nothing was sent and points to On Error > Continue`,
		badRow,
	);

	// 2. Hypersender refuses row 5 (422) at 600 a minute: the sends behind it are not made.
	fake.reset();
	fake.refuseSendsTo.set(chatIdOfRow(5), REFUSAL);
	const refusal = errorOf(await t.execute('hsE2eStopRefusal'));
	const sent = sentRows();
	t.check(
		sent.slice(0, 5).join() === '0,1,2,3,4' && !sent.includes(ROWS - 1) && fake.requests.length === sent.length + 1,
		`${label}: a 422 on row 5 of 40 at 600/min: rows 0-4 sent, the sends behind what was on the wire not made (${sent.length} sent, ${fake.requests.length} requests)`,
		{ sent },
	);
	t.check(
		/Hypersender rejected the request \(422\)/.test(refusal.message ?? '') && namedAsSent(refusal).join() === sent.join() && /sends them again/.test(refusal.description ?? ''),
		`${label}: the run's error is row 5's refusal and names the ${sent.length} sends that went out`,
		refusal,
	);

	// 3. Retry On Fail, 3 tries, a bad row: no try sends anything.
	fake.reset();
	await t.execute('hsE2eRetryBadRow');
	t.check(fake.requests.length === 0, `${label}: Retry On Fail (3 tries) with a bad row: 0 sent in all tries`, { requests: fake.requests.length });

	// 4. Retry On Fail, 3 tries, Hypersender refuses row 3: the other 9 go out once each.
	fake.reset();
	fake.refuseSendsTo.set(chatIdOfRow(3), REFUSAL);
	const retried = errorOf(await t.execute('hsE2eRetryRefusal'));
	const perRow = Object.fromEntries(Array.from({ length: 10 }, (_, row) => [row, fake.requests.filter((request) => request.body?.chatId === chatIdOfRow(row)).length]));
	// Which rows go out before a try stops depends on timing; that none goes out twice does not.
	t.check(
		Object.entries(perRow).every(([row, count]) => (row === '3' ? count === 3 : count <= 1)) && namedAsSent(retried).join() === sentRows().join(),
		`${label}: Retry On Fail (3 tries) with row 3 refused: no message sent twice (${sentRows().length} sent once each), row 3 tried once per try, the last error names what went out`,
		{ perRow, named: namedAsSent(retried) },
	);
}

/** The items a run's error names as sent: "N messages ... before it stopped: items 0-4, 6." */
function namedAsSent(error) {
	if ((error.description ?? '').includes('No message of this node run was sent.')) return [];
	const list = /before it stopped: items? ([\d, -]+)\./.exec(error.description ?? '')?.[1] ?? '';
	return list.split(', ').flatMap((part) => {
		const [from, to] = part.split('-').map(Number);
		return to === undefined ? [from] : Array.from({ length: to - from + 1 }, (_, i) => from + i);
	});
}
