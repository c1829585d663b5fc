/**
 * Message > Send and Wait for Response through n8n-core: the custom operation runs in
 * WorkflowExecute, sends its question to the fake Hypersender and puts the execution to wait
 * (until the right date); the signed links of the message, opened over HTTP, show the pages and
 * resume the execution with n8n's output shapes; the wait limit resumes it with the input items.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DirectoryLoader, RoutingNode } from 'n8n-core';
import type { IExecuteFunctions, INodeType } from 'n8n-workflow';

import { Hypersender } from '../nodes/Hypersender/Hypersender.node';
import { credentialsFor, useFakeHypersender } from './fixtures';
import { runNode } from './helpers/runWorkflow';
import { virtualPacingClock } from './helpers/virtualPacingClock';
import { WaitingExecution } from './helpers/runSendAndWait';

jest.mock('../nodes/Hypersender/transport/clock', () => ({
	...jest.requireActual('../nodes/Hypersender/transport/clock'),
	systemClock: jest.requireActual('./helpers/virtualPacingClock').virtualPacingClock,
}));

// n8n-core's instance settings (the HMAC secret of signed links) in a folder of this test's own.
process.env.N8N_USER_FOLDER = mkdtempSync(path.join(tmpdir(), 'hypersender-send-and-wait-'));
process.env.N8N_ENCRYPTION_KEY = 'send-and-wait-test-encryption-key';

const fake = useFakeHypersender();
const CHAT = '12132132130@c.us';
beforeEach(() => virtualPacingClock.reset());

const executions: WaitingExecution[] = [];
afterEach(async () => {
	await Promise.all(executions.splice(0).map(async (execution) => await execution.stop()));
});

async function start(parameters: Record<string, unknown>, options: Parameters<typeof WaitingExecution.start>[2] = {}) {
	const execution = await WaitingExecution.start({ chatId: '+1 213 213 2130', message: 'Refund 40 € to Ana?', ...parameters }, credentialsFor(fake), options);
	executions.push(execution);
	return execution;
}

/** The links of the one message the fake got, by the label before each. */
function linksOfMessage(): Record<string, string> {
	expect(fake.messages).toHaveLength(1);
	const text = String(fake.messages[0].body.text);
	return Object.fromEntries([...text.matchAll(/\*([^*\n]+):\*\n(\S+)/g)].map(([, label, url]) => [label, url]));
}

const approval = (approvalType: 'single' | 'double') => ({ responseType: 'approval', approvalOptions: { values: { approvalType } } });

describe('Approval', () => {
	test('sends the question with signed Approve and Decline links and waits; the Approve link, confirmed, resumes with approved: true', async () => {
		const execution = await start(approval('double'));
		expect(execution.run?.status).toBe('waiting');
		expect(execution.run?.data.resultData.error).toBeUndefined();
		expect(fake.messages[0]).toMatchObject({ endpoint: 'send-text-safe', chatId: CHAT });
		expect(fake.messages[0].body).toMatchObject({ link_preview: false });
		expect(String(fake.messages[0].body.text)).toMatch(/^Refund 40 € to Ana\?\n\n\*✓ Approve:\*\n/);
		expect(String(fake.messages[0].body.text)).toMatch(/\n\n_This message was sent automatically with n8n_$/);
		const links = linksOfMessage();
		expect(Object.keys(links)).toEqual(['✓ Approve', '✗ Decline']);
		const approve = new URL(links['✓ Approve']);
		expect(approve.pathname).toBe(`/webhook-waiting/${execution.executionId}/send-and-wait-node`);
		expect(approve.searchParams.get('approved')).toBe('true');
		expect(approve.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);
		expect(new URL(links['✗ Decline']).searchParams.get('approved')).toBe('false');

		// Opening the link (as a link preview would) shows the confirmation and takes no answer.
		const confirmation = await execution.open(links['✓ Approve']);
		expect(confirmation).toMatchObject({ status: 200, contentType: 'text/html; charset=utf-8' });
		expect(confirmation.html).toContain('<form method="post"><button type="submit">✓ Approve</button></form>');
		expect(execution.resumedYet).toBe(false);

		const recorded = await execution.open(links['✓ Approve'], {});
		expect(recorded.status).toBe(200);
		expect(recorded.html).toContain('Thanks, your answer was recorded');
		const run = await execution.finished();
		expect(run.status).toBe('success');
		expect(execution.output).toEqual([{ data: { approved: true, respondedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) } }]);
	});

	test('the Decline link resumes with approved: false', async () => {
		const execution = await start(approval('double'));
		await execution.open(linksOfMessage()['✗ Decline'], {});
		await execution.finished();
		expect(execution.output).toEqual([{ data: { approved: false, respondedAt: expect.any(String) } }]);
	});

	test('Approve Only sends one link; button labels are the ones set, and the pages escape them', async () => {
		const execution = await start({ responseType: 'approval', approvalOptions: { values: { approvalType: 'single', approveLabel: 'Yes <b>now</b>' } } });
		const links = linksOfMessage();
		expect(Object.keys(links)).toEqual(['Yes <b>now</b>']);
		const page = await execution.open(links['Yes <b>now</b>']);
		expect(page.html).toContain('Yes &#60;b&#62;now&#60;/b&#62;');
		expect(page.html).not.toContain('<b>now');
	});

	test('a link whose answer was changed (approved=true to false) fails the signature and resumes nothing; the real link still works', async () => {
		const execution = await start(approval('single'));
		const approve = linksOfMessage()['✓ Approve'];
		const tampered = approve.replace('approved=true', 'approved=false');
		expect((await execution.open(tampered, {})).status).toBe(401);
		expect((await execution.open(approve.replace(/signature=[0-9a-f]+/, 'signature='), {})).status).toBe(401);
		expect(execution.resumedYet).toBe(false);
		await execution.open(approve, {});
		await execution.finished();
		expect(execution.output).toEqual([{ data: { approved: true, respondedAt: expect.any(String) } }]);
	});
});

describe('Free Text', () => {
	test('the Respond link opens a form; what is posted arrives verbatim (emoji, line breaks as typed)', async () => {
		const execution = await start({ responseType: 'freeText', options: { responseFormTitle: 'Refund <Ana>', messageButtonLabel: 'Answer here' } });
		const links = linksOfMessage();
		expect(Object.keys(links)).toEqual(['Answer here']);
		const form = await execution.open(links['Answer here']);
		expect(form.status).toBe(200);
		expect(form.html).toContain('<h1>Refund &#60;Ana&#62;</h1>');
		expect(form.html).toContain('<textarea name="text"');
		// The message is the form's description when none is set.
		expect(form.html).toContain('Refund 40 € to Ana?');

		expect((await execution.open(links['Answer here'], { text: ' \r\n ' })).status).toBe(422);
		expect(execution.resumedYet).toBe(false);

		const answer = 'Yes 👍🏽, but only 30 €\r\nand "not" <today>\r\n\r\n— Ana';
		const recorded = await execution.open(links['Answer here'], { text: answer });
		expect(recorded.status).toBe(200);
		await execution.finished();
		expect(execution.output).toEqual([{ data: { text: 'Yes 👍🏽, but only 30 €\nand "not" <today>\n\n— Ana', respondedAt: expect.any(String) } }]);
	});
});

describe('Limit Wait Time', () => {
	test('after an interval: the execution waits until then, and the time-out resumes it with the input items', async () => {
		const before = virtualPacingClock.now();
		const execution = await start({ ...approval('double'), options: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 90, resumeUnit: 'seconds' } } } }, { items: [{ name: 'Ana' }] });
		expect(execution.run?.waitTill?.getTime()).toBe(before + 90_000);
		await execution.timeOut();
		expect(execution.run?.status).toBe('success');
		expect(execution.output).toEqual([{ name: 'Ana' }]);
	});

	test('at a date: the execution waits until that date; without the option it waits for ever', async () => {
		const at = await start({ ...approval('single'), options: { limitWaitTime: { values: { limitType: 'atSpecifiedTime', maxDateAndTime: '2030-01-02T03:04:05.000Z' } } } });
		expect(at.run?.waitTill?.toISOString()).toBe('2030-01-02T03:04:05.000Z');
		fake.reset();
		const forEver = await start(approval('single'));
		expect(forEver.run?.waitTill?.toISOString()).toBe('3000-01-01T00:00:00.000Z');
	});
});

describe('checks before anything waits', () => {
	test.each([
		['an empty message', { message: '  ' }, /Invalid 'Message' in item 0: .* shows nothing/],
		['a bad phone', { chatId: '12' }, /Invalid 'Chat ID or Phone' in item 0/],
		['a date that is none', { options: { limitWaitTime: { values: { limitType: 'atSpecifiedTime', maxDateAndTime: 'soon' } } } }, /Invalid 'Max Date and Time' in item 0: "soon" is not a date and time/],
	])('%s fails the node with the fix; nothing is sent and nothing waits', async (_, parameters, message) => {
		const execution = await start({ ...approval('double'), ...parameters });
		expect(execution.run?.data.resultData.error?.message).toMatch(message);
		expect(execution.run?.waitTill).toBeUndefined();
		expect(fake.requests).toHaveLength(0);
	});

	const limit = (values: Record<string, unknown>) => ({ options: { limitWaitTime: { values } } });
	test.each([
		// JavaScript reads such text as a date in 2001: the message would go out and the wait end at once.
		['a text read as a past date', limit({ limitType: 'atSpecifiedTime', maxDateAndTime: 'order 7' }), /Invalid 'Max Date and Time' in item 0: "order 7" is not in the future \(read as 2001-/],
		['a date in the past', limit({ limitType: 'atSpecifiedTime', maxDateAndTime: '2026-12-01T23:59:59Z' }), /Invalid 'Max Date and Time' in item 0: "2026-12-01T23:59:59Z" is not in the future/],
		['an empty amount (not 0)', limit({ limitType: 'afterTimeInterval', resumeAmount: '', resumeUnit: 'seconds' }), /Invalid 'Amount' in item 0: "" is not a number of 0 or more/],
		['a negative amount', limit({ limitType: 'afterTimeInterval', resumeAmount: -1, resumeUnit: 'seconds' }), /Invalid 'Amount' in item 0: -1 is not a number of 0 or more/],
		['an amount in words', limit({ limitType: 'afterTimeInterval', resumeAmount: 'ten', resumeUnit: 'seconds' }), /Invalid 'Amount' in item 0: "ten" is not a number of 0 or more/],
		['a unit that is none', limit({ limitType: 'afterTimeInterval', resumeAmount: 2, resumeUnit: 'constructor' }), /Invalid 'Unit' in item 0: "constructor" is not a unit of time/],
	])('Limit Wait Time: %s fails the node naming the field and the value; nothing is sent', async (_, parameters, message) => {
		virtualPacingClock.advance(Date.parse('2026-12-02T00:00:00Z') - virtualPacingClock.now());
		const execution = await start({ ...approval('double'), ...parameters });
		expect(execution.run?.data.resultData.error?.message).toMatch(message);
		expect(execution.run?.waitTill).toBeUndefined();
		expect(fake.requests).toHaveLength(0);
	});

	test('a send Hypersender refuses fails the node before it waits; On Error: Continue outputs the error instead', async () => {
		fake.refuseSendsTo.set(CHAT, { status: 422, body: { message: 'The chat id is not on WhatsApp.' } });
		const failed = await start(approval('double'));
		expect(failed.run?.data.resultData.error?.message).toMatch(/not on WhatsApp/);
		expect(failed.run?.waitTill).toBeUndefined();
		const continued = await start(approval('double'), { continueOnFail: true });
		expect(continued.run?.waitTill).toBeUndefined();
		const [failedItem] = continued.run?.data.resultData.runData.Hypersender[0].data?.main[0] ?? [];
		expect(failedItem?.error?.message).toMatch(/not on WhatsApp/);
	});

	test('with Retry On Fail, a send that may have gone out (accepted, then the connection dropped) is not sent again', async () => {
		fake.acceptThenDropNext(1);
		const execution = await start(approval('double'), { retryOnFail: true });
		expect(execution.run?.data.resultData.error?.message).toMatch(/may have been sent/);
		expect(fake.requests.filter((request) => request.path.endsWith('/send-text-safe'))).toHaveLength(1);
	});

	test('several input items: one message, for the first item, as n8n\'s own Send and Wait nodes do', async () => {
		const execution = await start({ ...approval('single'), chatId: '={{ $json.phone }}' }, { items: [{ phone: '+1 213 213 2130' }, { phone: '+49 151 23456789' }] });
		expect(execution.run?.status).toBe('waiting');
		expect(fake.messages.map((message) => message.chatId)).toEqual([CHAT]);
	});

	test("as an AI agent's tool (n8n runs a tool through RoutingNode, not the custom operation) the call fails saying so, with nothing sent", async () => {
		const asTool: INodeType = new Hypersender();
		DirectoryLoader.applyDeclarativeNodeOptionParameters(asTool);
		asTool.execute = async function (this: IExecuteFunctions) {
			return (await new RoutingNode(this as unknown as ConstructorParameters<typeof RoutingNode>[0], asTool).runNode()) ?? [];
		};
		const { error } = await runNode({
			items: [{}],
			credentials: credentialsFor(fake),
			extraNodeTypes: { 'test.hypersenderAsTool': Object.assign(asTool, { customOperations: undefined }) },
			node: { type: 'test.hypersenderAsTool', typeVersion: 1, parameters: { resource: 'message', operation: 'sendAndWait', chatId: '+1 213 213 2130', message: 'Refund?' }, credentials: { hypersenderApi: { id: '1', name: 'Hypersender account' } } },
		});
		expect(error?.message).toBe("The operation 'sendAndWait' runs only as a step of a workflow, not as an AI agent's tool");
		expect(fake.requests).toHaveLength(0);
	});
});
