/**
 * What the sends of one node run have done, so that a run that stops on an error sends nothing
 * behind the user's back, and a retry of the node (Retry On Fail) never sends a message twice.
 *
 * n8n's RoutingNode starts every item at once and fails the node only after all have settled;
 * with On Error: Stop Workflow it then discards the output of the items that went out, and a
 * re-run sends them again. So, unless the node continues on fail:
 *  - no send goes out before every item of the run has passed its input checks (the gate);
 *  - once an item fails, the sends not yet on the wire are not made (they leave the pacer at once);
 *  - the errors the run fails with say how many messages went out, and which.
 * With Retry On Fail, each try of the node is one more RoutingNode pass with the same execute
 * data; the outcome of every send that went out (or may have) is kept for the later tries, which
 * output it again instead of sending.
 */
import { NodeApiError, NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { IExecuteSingleFunctions, INode, INodeExecutionData } from 'n8n-workflow';

import type { PreSend } from '../descriptions/operation';
import { runsAsAiTool } from './aiTool';
import { asNodeError } from '../shared/itemInput';
import { mayHaveBeenSent } from '../transport';
import type { HypersenderRequest, SendGate } from '../transport';
import { systemClock } from '../transport/clock';
import { WAIT_NOT_NEEDED } from '../transport/pacer';


/** What a send of an earlier try came to: the items it output, or the error it failed with. */
type Outcome = { items: INodeExecutionData[] } | { error: NodeApiError | NodeOperationError };

// With Request Options > Batching, RoutingNode starts the items batch by batch; a run whose
// next batch has not started this long after its interval has stopped (n8n could not read an
// item's parameters), so the items that wait for it are let go.
const BATCH_START_GRACE_MS = 10_000;

/** One try of the node: RoutingNode's one pass over the items. */
class NodeRunTry {
	readonly started = new Set<number>();

	/** Items that passed their input checks (or failed them): the gate opens when all have. */
	private readonly checked = new Set<number>();

	private readonly settled = new Set<number>();

	/** The items whose message went out, or may have (a failure after the request was on the wire). */
	private readonly wentOut = new Set<number>();

	private readonly stopper = new AbortController();

	/** The first failure; `itemIndex` -1 when n8n itself could not read an item's parameters. */
	private cause: { itemIndex: number; error: Error } | undefined;

	/** Errors of this try whose descriptions get the run's summary once every item has settled. */
	private readonly errors = new Set<Error>();

	private readonly waiters: Array<() => void> = [];

	private loopWatched = false;

	/** Ends the batch watch's sleep once the try is decided: nothing is left running for it. */
	private readonly watchDone = new AbortController();

	constructor(
		private readonly node: INode,
		private readonly itemCount: number,
		private readonly batchIntervalMs: number,
	) {}

	get stopSignal(): AbortSignal {
		return this.stopper.signal;
	}

	/** Whether RoutingNode stopped reading items before this try's last one (see `watchForStoppedLoop`). */
	get loopEnded(): boolean {
		return this.cause?.itemIndex === -1;
	}

	/** Waits until every item of the run has passed its input checks; throws when one failed. */
	async admit(itemIndex: number): Promise<void> {
		this.checked.add(itemIndex);
		if (!this.decided()) this.watchForStoppedLoop();
		// The last item to be checked waits its turn too: the sends then reach the pacer in the order they came.
		await new Promise<void>((resolve) => {
			this.waiters.push(resolve);
			this.letWaitersGoIfDecided();
		});
		if (this.stopSignal.aborted) throw this.stoppedError(itemIndex);
	}

	/** The error for an item whose send is not made because another item failed. */
	stoppedError(itemIndex: number): NodeOperationError {
		const cause = this.cause as { itemIndex: number; error: Error };
		const error = this.loopEnded
			? new NodeOperationError(this.node, `Item ${itemIndex} was not sent: ${cause.error.message}`, { itemIndex })
			: new NodeOperationError(this.node, `Item ${itemIndex} was not sent: item ${cause.itemIndex} failed, and the node stops on errors`, {
					itemIndex,
					description: `Item ${cause.itemIndex}: ${cause.error.message}. ${(cause.error as NodeOperationError).description ?? ''}`.trim(),
				});
		this.errors.add(error);
		return error;
	}

	/** An item's send went out, or may have (its outcome is not known). */
	markWentOut(itemIndex: number): void {
		this.wentOut.add(itemIndex);
	}

	/** An item sends nothing in this try: an earlier try's outcome is output again. */
	markRecalled(itemIndex: number): void {
		this.markWentOut(itemIndex);
		this.checked.add(itemIndex);
		this.letWaitersGoIfDecided();
	}

	/** An item failed: the sends not yet on the wire are not made. */
	fail(itemIndex: number, error: Error): void {
		if (this.errors.has(error)) return;
		this.errors.add(error);
		if (!this.cause) {
			this.cause = { itemIndex, error };
			this.stopper.abort(error);
		}
		this.checked.add(itemIndex);
		this.letWaitersGoIfDecided();
	}

	settle(itemIndex: number): void {
		this.settled.add(itemIndex);
		if (this.settled.size === this.itemCount) this.nameWhatWentOut();
	}

	/** Every item is checked, or one failed: the waiting sends may go (or learn that they may not). */
	private decided(): boolean {
		return this.stopSignal.aborted || this.checked.size >= this.itemCount;
	}

	private letWaitersGoIfDecided(): void {
		if (!this.decided()) return;
		this.watchDone.abort(WAIT_NOT_NEEDED);
		for (const letGo of this.waiters.splice(0)) letGo();
	}

	/**
	 * RoutingNode reads the items' parameters in one synchronous loop before any request is
	 * awaited (without batching), so when an item first waits here the loop has ended: an item
	 * that has not started by then never will (n8n could not read its parameters and failed the
	 * node with that error). With batching, the loop sleeps between batches; a batch that does
	 * not start in time stands for the same. Bounded: one sleep per batch that does start.
	 */
	private watchForStoppedLoop(): void {
		if (this.loopWatched || this.started.size === this.itemCount) return;
		this.loopWatched = true;
		if (this.batchIntervalMs <= 0) return this.stopBecauseLoopEnded();
		void (async () => {
			for (let seen = -1; !this.decided() && this.started.size < this.itemCount && this.started.size !== seen; ) {
				seen = this.started.size;
				await systemClock.sleep(this.batchIntervalMs + BATCH_START_GRACE_MS, this.watchDone.signal);
			}
			if (!this.decided() && this.started.size < this.itemCount) this.stopBecauseLoopEnded();
		})();
	}

	private stopBecauseLoopEnded(): void {
		const error = new Error(`n8n could not read the parameters of item ${this.started.size} (an expression failed), and the node stops on errors`);
		this.cause ??= { itemIndex: -1, error };
		this.stopper.abort(error);
		this.letWaitersGoIfDecided();
	}

	/** Once every item has settled: each error of the try says what the run sent before it stopped. */
	private nameWhatWentOut(): void {
		if (!this.cause) return;
		const sent = [...this.wentOut].sort((a, b) => a - b);
		const summary =
			sent.length === 0
				? 'No message of this node run was sent.'
				: `${sent.length} message${sent.length === 1 ? '' : 's'} of this node run went out (or may have) before it stopped: item${sent.length === 1 ? '' : 's'} ${listOfItems(sent)}. Running the workflow again sends ${sent.length === 1 ? 'it' : 'them'} again.`;
		const advice = "To get one output item per row instead (sent, or failed with its reason), set the node's Settings > On Error to 'Continue (using error output)'.";
		for (const error of this.errors) {
			const described = error as NodeOperationError;
			// An error recalled from an earlier try gets this try's summary in place of that try's.
			if (!descriptionsBeforeSummary.has(error)) descriptionsBeforeSummary.set(error, described.description ?? '');
			described.description = `${descriptionsBeforeSummary.get(error)} ${summary} ${advice}`.trim();
		}
	}
}

const descriptionsBeforeSummary = new WeakMap<Error, string>();

/** `0-4, 7, 9`: the items, with runs of three or more shortened. */
function listOfItems(items: number[]): string {
	const parts: string[] = [];
	for (let at = 0; at < items.length; ) {
		let end = at;
		while (end + 1 < items.length && items[end + 1] === items[end] + 1) end++;
		parts.push(end - at >= 2 ? `${items[at]}-${items[end]}` : items.slice(at, end + 1).join(', '));
		at = end + 1;
	}
	return parts.join(', ');
}

/** A node run's sends over all of its tries. */
class NodeRunSends {
	current: NodeRunTry | undefined;

	/** By item: what the send of an earlier try came to, and the request it made. */
	readonly outcomes = new Map<number, { fingerprint: string; outcome: Outcome }>();
}

// Keyed by n8n's execute data: the same object for every item of a node run and for each of its
// tries (WorkflowExecute hands it again to every try); the entry goes with the execution.
const sendsByNodeRun = new WeakMap<object, NodeRunSends>();

function batchIntervalOf(ctx: IExecuteSingleFunctions): number {
	const interval = Number(ctx.getNodeParameter('requestOptions.batching.batch.batchInterval', 0));
	return Number.isFinite(interval) && interval > 0 ? interval : 0;
}

/**
 * The execute data of this node's own run in a workflow. As an AI agent's tool, each call is one
 * item sent on its own, whose error is its answer (actions/aiTool.ts): nothing to hold back or
 * remember, as with On Error: Continue.
 */
function ownNodeRunOf(ctx: IExecuteSingleFunctions): object | undefined {
	return runsAsAiTool(ctx) ? undefined : ctx.getExecuteData?.();
}

/** How many items the node run has: its main input, as RoutingNode takes them. */
function itemCountOf(ctx: IExecuteSingleFunctions): number | undefined {
	const items = ctx.getExecuteData()?.data?.[NodeConnectionTypes.Main]?.[0];
	return Array.isArray(items) ? items.length : undefined;
}

/**
 * Counts the item as started in its node run's current try, and opens a new try when the item
 * was started before (the node runs again: Retry On Fail). Called first thing for an item, in
 * its preSend hook. `itemCount` is how many items of the run send: all of them, except for an
 * operation that sends for its first item only (Send and Wait for Response passes 1). Nothing is
 * counted when the node continues on fail: every item then gets its own output, so nothing is held
 * back or remembered.
 */
export function startItemInNodeRun(ctx: IExecuteSingleFunctions, itemCount = itemCountOf(ctx)): NodeRunTry | undefined {
	if (ctx.continueOnFail()) return undefined;
	const nodeRun = ownNodeRunOf(ctx);
	if (!nodeRun || itemCount === undefined) return undefined;
	let sends = sendsByNodeRun.get(nodeRun);
	if (!sends) sendsByNodeRun.set(nodeRun, (sends = new NodeRunSends()));
	const itemIndex = ctx.getItemIndex();
	if (!sends.current || sends.current.started.has(itemIndex)) sends.current = new NodeRunTry(ctx.getNode(), itemCount, batchIntervalOf(ctx));
	sends.current.started.add(itemIndex);
	return sends.current;
}

/** A preSend hook whose item is counted in its node run, and whose input error stops the run's sends. */
export function countedInNodeRun(preSend: PreSend): PreSend {
	return async function (requestOptions) {
		const run = startItemInNodeRun(this);
		try {
			return await preSend.call(this, requestOptions);
		} catch (error) {
			const failure = asNodeError(this, error);
			run?.fail(this.getItemIndex(), failure);
			run?.settle(this.getItemIndex());
			throw failure;
		}
	};
}

/**
 * What identifies an item's send across tries: the endpoint and the recipient. Not the whole body:
 * an expression such as {{ $now }} in the text gives each try another body for the same message.
 */
function fingerprintOf(request: HypersenderRequest, recipient: string | null): string {
	return `${request.method} ${request.url} ${recipient ?? ''}`;
}

/**
 * One item's send in its node run (see the top of this file): held back until every item is
 * checked and not made once one failed (`send` gets the gate to hand to the transport); an
 * earlier try's outcome is output again instead of sending; the outcome is remembered for later
 * tries when the node retries on fail (a failure counts as sent where the transport marked that
 * the message may be out).
 */
export async function sendItemInNodeRun(
	ctx: IExecuteSingleFunctions,
	request: HypersenderRequest,
	recipient: string | null,
	send: (gate: SendGate | undefined) => Promise<INodeExecutionData[]>,
): Promise<INodeExecutionData[]> {
	const nodeRun = ctx.continueOnFail() ? undefined : ownNodeRunOf(ctx);
	const sends = nodeRun ? sendsByNodeRun.get(nodeRun) : undefined;
	const run = sends?.current;
	if (!sends || !run) return await send(undefined);
	const itemIndex = ctx.getItemIndex();
	const remember = ctx.getNode().retryOnFail === true;
	const fingerprint = remember ? fingerprintOf(request, recipient) : '';
	const gate: SendGate = {
		admit: async () => await run.admit(itemIndex),
		stopSignal: run.stopSignal,
		stoppedError: () => run.stoppedError(itemIndex),
	};
	try {
		const earlier = sends.outcomes.get(itemIndex);
		if (earlier && earlier.fingerprint === fingerprint) {
			run.markRecalled(itemIndex);
			if ('error' in earlier.outcome) throw earlier.outcome.error;
			return earlier.outcome.items;
		}
		try {
			const items = await send(gate);
			run.markWentOut(itemIndex);
			if (remember) sends.outcomes.set(itemIndex, { fingerprint, outcome: { items } });
			return items;
		} catch (error) {
			const failure = asNodeError(ctx, error);
			if (mayHaveBeenSent(failure)) {
				run.markWentOut(itemIndex);
				if (remember) sends.outcomes.set(itemIndex, { fingerprint, outcome: { error: failure } });
			}
			throw failure;
		}
	} catch (error) {
		// n8n failed the node already without waiting for this item: its promise must not reject unseen.
		if (run.loopEnded) return [];
		const failure = asNodeError(ctx, error);
		run.fail(itemIndex, failure);
		throw failure;
	} finally {
		run.settle(itemIndex);
	}
}
