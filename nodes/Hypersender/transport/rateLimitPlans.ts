/**
 * What a plan allows one account per minute: requests of any kind, and messages sent to people
 * (each message is also a request). `undefined` means not paced.
 */
export interface PlanLimits {
	requestsPerMinute: number | undefined;
	messagesPerMinute: number | undefined;
}

/** Per account, as Hypersender's pricing states them. Business allows many calls but few messages. */
export const PLAN_LIMITS = {
	freeTrial: { requestsPerMinute: 10, messagesPerMinute: 10 },
	starter: { requestsPerMinute: 60, messagesPerMinute: 60 },
	pro: { requestsPerMinute: 100, messagesPerMinute: 100 },
	business: { requestsPerMinute: 500, messagesPerMinute: 60 },
	enterprise: { requestsPerMinute: 1000, messagesPerMinute: 1000 },
} as const satisfies Record<string, PlanLimits>;

export type NamedPlan = keyof typeof PLAN_LIMITS;

const NO_PACING: PlanLimits = { requestsPerMinute: undefined, messagesPerMinute: undefined };

const isPositive = (value: number | undefined): value is number => typeof value === 'number' && value > 0;

/**
 * The limits of the credential's plan. A Custom plan without a request number paces like Starter;
 * one without a message number (saved before the field existed, or left at 0) sends as many
 * messages as requests.
 */
export function limitsForPlan(
	plan: string | undefined,
	customRequestsPerMinute: number | undefined,
	customMessagesPerMinute: number | undefined,
): PlanLimits {
	if (plan === 'unlimited') return NO_PACING;
	if (plan === 'custom') {
		const requestsPerMinute = isPositive(customRequestsPerMinute) ? customRequestsPerMinute : PLAN_LIMITS.starter.requestsPerMinute;
		return { requestsPerMinute, messagesPerMinute: isPositive(customMessagesPerMinute) ? customMessagesPerMinute : requestsPerMinute };
	}
	return PLAN_LIMITS[plan as NamedPlan] ?? PLAN_LIMITS.starter;
}
