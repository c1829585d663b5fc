/**
 * The fake knows which of its requests it left unanswered (the hang switches) while the client
 * still waits: fixtures.ts fails the test that leaves one behind, since a request on its way holds
 * the virtual clock still for every later test of the file.
 */
import { request } from 'node:http';

import { INSTANCE_ID, TOKEN, useFakeHypersender } from './fixtures';

const fake = useFakeHypersender();

/** Sends Send Text to `chatId` over plain HTTP; the returned abort ends the request as a client giving up does. */
function sendText(chatId: string): { answered: Promise<number>; abort: () => void } {
	const body = JSON.stringify({ chatId, text: 'Hi' });
	const req = request(`${fake.url}/api/whatsapp/v2/${INSTANCE_ID}/send-text`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
	});
	const answered = new Promise<number>((resolve, reject) => {
		req.on('response', (res) => {
			res.resume();
			resolve(res.statusCode ?? 0);
		});
		req.on('error', reject);
	});
	answered.catch(() => undefined);
	req.end(body);
	return { answered, abort: () => req.destroy() };
}

/** Waits (bounded, in real time, for loopback) until the condition holds. */
async function until(condition: () => boolean): Promise<void> {
	for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

test('a hanging send counts as unanswered while the client waits, and no longer once it gives up', async () => {
	fake.hangSendsTo.add('12132132130@c.us');
	const hanging = sendText('12132132130@c.us');
	await until(() => fake.unansweredRequests() === 1);
	expect(fake.unansweredRequests()).toBe(1);
	expect(await sendText('12132132131@c.us').answered).toBe(200);
	expect(fake.unansweredRequests()).toBe(1);

	hanging.abort();
	await until(() => fake.unansweredRequests() === 0);
	expect(fake.unansweredRequests()).toBe(0);
});

test('endUnanswered ends them: the waiting client sees its connection closed', async () => {
	fake.hangSendsTo.add('12132132130@c.us');
	const hanging = sendText('12132132130@c.us');
	await until(() => fake.unansweredRequests() === 1);
	fake.endUnanswered();
	await expect(hanging.answered).rejects.toThrow(/socket hang up|ECONNRESET/);
	expect(fake.unansweredRequests()).toBe(0);
});
