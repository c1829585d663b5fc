import { credentialsFor, useFakeHypersender } from './fixtures';
import { runHypersender } from './helpers/runWorkflow';

// The server allows 20 requests per 1-second window: a plan of 1200 per minute, sped up 60x.
const fake = useFakeHypersender({ rateLimit: 20, windowMs: 1000 });

const rows = (count: number) => Array.from({ length: count }, (_, i) => ({ phone: String(15_550_000_000 + i), first: `Row ${i}` }));

async function bulkUpsert(count: number, requestsPerMinute: number) {
	return await runHypersender({
		items: rows(count),
		parameters: {
			operation: 'upsert',
			chatId: '={{ $json.phone }}',
			firstName: '={{ $json.first }}',
			options: { requestsPerMinute },
		},
		credentials: credentialsFor(fake, { rateLimitPlan: 'custom', customRequestsPerMinute: 10 }),
		continueOnFail: true,
	});
}

describe('bulk runs on a rate-limited plan', () => {
	test('paced at the limit: every item gets through with at most a stray 429', async () => {
		const { output } = await bulkUpsert(50, 1200);
		expect(output).toHaveLength(50);
		expect(output!.filter((item) => item.error)).toHaveLength(0);
		// Unpaced, 30 of the 50 would be refused; a 1-second window leaves only 20 ms for
		// timer and start-up jitter, so a request or two may still land one window early.
		expect(fake.stats.rateLimited).toBeLessThanOrEqual(3);
		expect(fake.contacts.size).toBe(50);
	});

	test('with the limit set too high and no rate-limit headers, 429s are retried and no item fails', async () => {
		fake.rateLimit = 20;
		(fake as unknown as { rateLimitHeaders: boolean }).rateLimitHeaders = false;
		try {
			const { output } = await bulkUpsert(50, 6000);
			expect(output!.filter((item) => item.error)).toHaveLength(0);
			expect(fake.stats.rateLimited).toBeGreaterThan(0);
			expect(fake.contacts.size).toBe(50);
		} finally {
			(fake as unknown as { rateLimitHeaders: boolean }).rateLimitHeaders = true;
		}
	});

	test('the node option overrides the credential plan (10 per minute would take minutes here)', async () => {
		const started = Date.now();
		const { output } = await bulkUpsert(10, 1200);
		expect(output!.filter((item) => item.error)).toHaveLength(0);
		expect(Date.now() - started).toBeLessThan(20_000);
	});
});
