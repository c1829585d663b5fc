/**
 * The trigger's credential (webhook secret and instance), remembered for a few seconds per
 * credential, so that a burst of deliveries reads it once. Outside an execution n8n decrypts a
 * credential by building a workflow with an expression isolate of its own (its credentials
 * helper, applyDefaultsAndOverwrites): on n8n 2.x about a third of the CPU a delivery costs, and
 * the one cost the trigger adds over n8n's own Webhook node with Header Auth (bench:trigger).
 *
 * Only a delivery whose Authorization matches the remembered secret is let in on the memory; any
 * other reads the credential afresh. So a new secret works at once, an old one at most
 * MEMORY_MS after it was changed, and a wrong one never. A credential with a problem (no secret,
 * too short, no instance) is not remembered: its fix works at once too. Kept in this n8n
 * process's memory, bounded in time and size, as the delivery deduplicator is.
 */
import type { TriggerAccount } from './settings';

export interface AccountMemoryClock {
	now(): number;
}

export const ACCOUNT_MEMORY_MS = 5_000;
const MOST_ACCOUNTS_REMEMBERED = 1_000;

export class AccountMemory {
	private readonly accounts = new Map<string, { account: TriggerAccount; until: number }>();

	constructor(private readonly clock: AccountMemoryClock = { now: () => Date.now() }) {}

	/** The account remembered for `credentialId` if it is still fresh and `matches` says its secret is the delivery's; else undefined. */
	recall(credentialId: string, matches: (account: TriggerAccount) => boolean): TriggerAccount | undefined {
		const remembered = this.accounts.get(credentialId);
		if (!remembered || remembered.until <= this.clock.now()) return undefined;
		return matches(remembered.account) ? remembered.account : undefined;
	}

	/** Remembers a credential just read (a good one), forgetting the oldest when full. */
	remember(credentialId: string, account: TriggerAccount): void {
		this.accounts.delete(credentialId);
		if (this.accounts.size >= MOST_ACCOUNTS_REMEMBERED) {
			const oldest = this.accounts.keys().next().value;
			if (oldest !== undefined) this.accounts.delete(oldest);
		}
		this.accounts.set(credentialId, { account, until: this.clock.now() + ACCOUNT_MEMORY_MS });
	}
}
