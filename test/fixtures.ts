import type { INodeExecutionData } from 'n8n-workflow';

import { FakeHypersender } from './fake-hypersender/server';

export const TOKEN = '234|3uB2pBST2H6If8twSECRETSECRETSECRETSECRETxyz';
export const INSTANCE_ID = '9d1f6f5e-2a3b-4c5d-8e9f-0a1b2c3d4e5f';

/** A fake server per test file, started before and stopped after its tests. */
export function useFakeHypersender(options: ConstructorParameters<typeof FakeHypersender>[0] = {}) {
	const fake = new FakeHypersender({ token: TOKEN, instanceId: INSTANCE_ID, ...options });
	beforeAll(async () => {
		await fake.start();
	});
	afterAll(async () => {
		await fake.stop();
	});
	beforeEach(() => fake.reset());
	// A request a test leaves hanging holds a virtual clock still (helpers/virtualPacingClock.ts) for
	// every later test of the file, which then hang for no reason of theirs: it fails here, in its test.
	afterEach(async () => {
		for (let i = 0; i < 100 && fake.unansweredRequests() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
		if (fake.unansweredRequests() > 0) {
			const left = fake.unansweredRequests();
			fake.endUnanswered();
			throw new Error(`This test left ${left} request(s) hanging at the fake Hypersender: end them before the test ends (cancel the run, or let its time-out pass)`);
		}
	});
	return fake;
}

export function credentialsFor(fake: FakeHypersender, overrides: Record<string, unknown> = {}) {
	return {
		apiToken: TOKEN,
		instanceId: INSTANCE_ID,
		baseUrl: fake.url,
		rateLimitPlan: 'unlimited',
		...overrides,
	};
}

/** The phone and chat-ID forms the issues name, as CRMs store them with no Country set, and the chat ID each is sent as. */
export const ACCEPTED_CHAT_ID_FORMS: Array<[string, string]> = [
	['+1 (213) 213-2130', '12132132130@c.us'],
	['1-213-213-2130', '12132132130@c.us'],
	['+1 213.213.2130', '12132132130@c.us'],
	['0012132132130', '12132132130@c.us'],
	['12132132130', '12132132130@c.us'],
	['+49 151 23456789', '4915123456789@c.us'],
	['+49 (0) 151 23456789', '4915123456789@c.us'],
	['004915123456789', '4915123456789@c.us'],
	['4915123456789', '4915123456789@c.us'],
	['12132132130@c.us', '12132132130@c.us'],
	['12132132130@s.whatsapp.net', '12132132130@c.us'],
	// WhatsApp's own ID of a Mexican account keeps the 1 after 52 that phone numbers lost in 2019.
	['5215512345678@s.whatsapp.net', '5215512345678@c.us'],
	['1234567890@lid', '1234567890@lid'],
	['1234567890@LID', '1234567890@lid'],
];

export interface ItemError {
	message: string;
	description?: string;
	httpCode?: string;
}

/** The error of an item that must have failed (the test fails if it did not), as n8n puts it on the item. */
export function errorOf(item: INodeExecutionData): ItemError {
	expect(item.error).toBeDefined();
	return item.error as unknown as ItemError;
}
