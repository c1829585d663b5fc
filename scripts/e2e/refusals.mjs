// Hypersender's refusals in real n8n: 50 Send Text rows with On Error: Continue (using error
// output) and Max Retries 5, where Meta's message capping makes Hypersender refuse the 20 rows
// without an existing conversation with HTTP 423, once as the answer to the send and once as the
// queued request's outcome. The run goes on: 30 sent, 20 errors that name the restriction and
// Hypersender's reset time, one send per row (no retry), on the error output.
import { chainWorkflow, codeNode, manualTrigger, workflowNode } from '../lib/workflows.mjs';

const ROWS = 50;
const phoneOfRow = (row) => `+1 213 555 ${1000 + row}`;
const chatIdOfRow = (row) => `1213555${1000 + row}@c.us`;
// Two rows in every five are new contacts: 20 of 50.
const isNewContact = (row) => row % 5 === 0 || row % 5 === 3;
const EXISTING_CONVERSATIONS = Array.from({ length: ROWS }, (_, row) => row).filter((row) => !isNewContact(row)).map(chatIdOfRow);

const errorMessageOf = (item) => item.error?.message ?? item.json?.error ?? '';

// The node's behaviour, the same code however the package was loaded (scripts/e2e.mjs).
export const installWays = ['community package'];

export async function run(t) {
	const { label, fake, nodeType, credential } = t;
	await t.importWorkflow(
		chainWorkflow('hsE2eRefusals', 'E2E 50 sends, 20 new contacts capped (423)', [
			manualTrigger(),
			codeNode('Rows', Array.from({ length: ROWS }, (_, row) => ({ phone: phoneOfRow(row), text: `Your order ${row} has shipped` }))),
			workflowNode(
				'Hypersender',
				nodeType,
				credential,
				{ resource: 'message', operation: 'sendText', chatId: '={{ $json.phone }}', text: '={{ $json.text }}', options: { maxRetries: 5 } },
				{ onError: 'continueErrorOutput' },
			),
		]),
	);

	for (const at of ['answer', 'outcome']) {
		fake.reset();
		fake.restrictSends({ kind: 'capping', at, existingConversations: EXISTING_CONVERSATIONS });
		const result = await t.execute('hsE2eRefusals');
		const sent = t.outputOf(result, 'Hypersender', 0).filter((item) => item.json.status === 'sent');
		const errors = t.outputOf(result, 'Hypersender', 1);
		const sends = fake.requests.filter((request) => request.method === 'POST' && /\/send-text(-safe)?$/.test(request.path));
		const sendsPerChat = new Map();
		for (const request of sends) sendsPerChat.set(request.body?.chatId, (sendsPerChat.get(request.body?.chatId) ?? 0) + 1);
		const retried = [...sendsPerChat].filter(([, count]) => count > 1);
		const where = at === 'answer' ? 'as the answer to the send' : "as the queued request's outcome";

		t.check(
			sends.length === ROWS && sendsPerChat.size === ROWS && retried.length === 0,
			`${label}: 423 ${where}: ${sends.length} send requests to the fake, one per row, ${retried.length} retried (Max Retries 5; ${fake.requests.length} requests with the polls)`,
			{ sends: sends.length, chats: sendsPerChat.size, retried: retried.slice(0, 3) },
		);
		t.check(
			sent.length === ROWS - 20 && sent.every((item) => EXISTING_CONVERSATIONS.includes(item.json.chat_id)),
			`${label}: 423 ${where}: the run goes on, ${sent.length} sent: the 30 chats with an existing conversation`,
			{ sent: sent.length, errors: errors.length },
		);
		const restrictionErrors = errors.filter((item) =>
			/^WhatsApp \(Meta\) restricted this number: message capping.*The quota resets in 12 days, 4 hours\..*existing conversation still work; retrying will not help/.test(errorMessageOf(item)),
		);
		t.check(
			errors.length === 20 && restrictionErrors.length === 20,
			`${label}: 423 ${where}: ${restrictionErrors.length} of ${errors.length} items on the error output name the restriction (message capping) and Hypersender's reset time`,
			{ errors: errors.length, restrictionErrors: restrictionErrors.length, first: errors[0] && errorMessageOf(errors[0]) },
		);
	}
}
