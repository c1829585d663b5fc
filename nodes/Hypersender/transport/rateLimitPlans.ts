import type { INodePropertyOptions } from 'n8n-workflow';

/** Requests per minute per account, as Hypersender's pricing states them. */
export const PLAN_REQUESTS_PER_MINUTE = {
	freeTrial: 10,
	starter: 60,
	pro: 100,
	business: 500,
	enterprise: 1000,
} as const;

export type RateLimitPlan = keyof typeof PLAN_REQUESTS_PER_MINUTE | 'custom' | 'unlimited';

export const RATE_LIMIT_PLAN_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Free Trial (10 Requests per Minute)', value: 'freeTrial' },
	{ name: 'Starter (60 Requests per Minute)', value: 'starter' },
	{ name: 'Pro (100 Requests per Minute)', value: 'pro' },
	{ name: 'Business (500 Requests per Minute)', value: 'business' },
	{ name: 'Enterprise (1000 Requests per Minute)', value: 'enterprise' },
	{ name: 'Custom', value: 'custom', description: 'Enter your own requests per minute' },
	{
		name: 'No Pacing',
		value: 'unlimited',
		description: 'Send as fast as the connection allows (for proxies that pace by themselves)',
	},
];

/** Requests per minute for a plan; `undefined` means no pacing. */
export function requestsPerMinuteForPlan(
	plan: string | undefined,
	customRequestsPerMinute: number | undefined,
): number | undefined {
	if (plan === 'unlimited') return undefined;
	if (plan === 'custom') {
		return customRequestsPerMinute && customRequestsPerMinute > 0
			? customRequestsPerMinute
			: PLAN_REQUESTS_PER_MINUTE.starter;
	}
	return PLAN_REQUESTS_PER_MINUTE[plan as keyof typeof PLAN_REQUESTS_PER_MINUTE] ??
		PLAN_REQUESTS_PER_MINUTE.starter;
}
