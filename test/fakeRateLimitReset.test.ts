import { FakeHypersender } from './fake-hypersender/server';

/** One contacts request to the fake server; resolves to its status and rate-limit headers. */
async function ask(fake: FakeHypersender) {
	const response = await fetch(`${fake.url}/api/whatsapp/v2/${fake.instanceId}/contacts/get-all`, {
		headers: { Authorization: `Bearer ${fake.token}` },
	});
	await response.text();
	return { status: response.status, remaining: response.headers.get('x-ratelimit-remaining'), reset: response.headers.get('x-ratelimit-reset') };
}

describe("the fake server's X-RateLimit-Reset switch (queue mode: workers converge on it)", () => {
	let fake: FakeHypersender;
	afterEach(async () => await fake.stop());

	test('off by default, as Hypersender documents none: no X-RateLimit-Reset, not even with the 429', async () => {
		fake = await new FakeHypersender({ rateLimit: 1 }).start();
		expect(fake.rateLimitResetHeader).toBe(false);
		const answers = [await ask(fake), await ask(fake)];
		expect(answers.map((answer) => answer.status)).toEqual([200, 429]);
		expect(answers.map((answer) => answer.reset)).toEqual([null, null]);
	});

	test("on: every counted answer names the window's end in Unix seconds, 429s included", async () => {
		fake = await new FakeHypersender({ rateLimit: 2, windowMs: 60_000, rateLimitResetHeader: true }).start();
		const before = Date.now();
		const answers = [await ask(fake), await ask(fake), await ask(fake)];
		const after = Date.now();
		expect(answers.map((answer) => [answer.status, answer.remaining])).toEqual([[200, '1'], [200, '0'], [429, '0']]);
		const resets = answers.map((answer) => Number(answer.reset));
		expect(new Set(resets).size).toBe(1);
		expect(resets[0]).toBeGreaterThanOrEqual(Math.ceil((before + 60_000) / 1000));
		expect(resets[0]).toBeLessThanOrEqual(Math.ceil((after + 60_000) / 1000));
	});

	test('the property switches it on a running server (between two runs of one test)', async () => {
		fake = await new FakeHypersender({ rateLimit: 5 }).start();
		expect((await ask(fake)).reset).toBeNull();
		fake.rateLimitResetHeader = true;
		expect(Number((await ask(fake)).reset)).toBeGreaterThan(1_000_000_000);
	});
});
