/**
 * Message > Send and Wait for Response, as n8n's own Send and Wait nodes do it: the node's custom
 * operation sends one WhatsApp message with n8n's signed resume links and puts the execution to
 * wait; the node's `webhook` answers those links (n8n checks their signature before it calls it)
 * and resumes the execution with `{ data: { approved } }` or `{ data: { text } }`. When the wait
 * limit passes first, n8n resumes the node disabled, so it outputs its input items.
 *
 * Like n8n's own nodes, it sends one message per execution, for the first input item: an execution
 * waits at one place for one answer.
 */
import { NodeApiError, NodeOperationError, WAIT_INDEFINITELY } from 'n8n-workflow';
import type {
	IDataObject,
	IExecuteFunctions,
	IExecuteSingleFunctions,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { DEFAULT_APPROVE_LABEL, DEFAULT_DECLINE_LABEL, DEFAULT_RESPOND_LABEL } from '../descriptions/SendAndWaitDescription';
import { chatIdOfItem, invalidItemValue } from '../shared/itemInput';
import { parameterOfItem } from '../shared/itemParameters';
import { readBooleanOption } from '../shared/options';
import { isObject } from '../shared/values';
import { systemClock } from '../transport/clock';
import type { HypersenderRequest } from '../transport';
import { sendAndReportItem, textOf } from './message';
import { answerFormPage, answerRecordedPage, confirmationPage } from './sendAndWaitPages';
import { sendItemInNodeRun, startItemInNodeRun } from './sendsOfNodeRun';

const ATTRIBUTION = '_This message was sent automatically with n8n_';
const UNIT_MS: Record<string, number> = { seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

/** Item `itemIndex` of an execute context, seen as the per-item context the transport and the item readers take. */
function itemContext(ctx: IExecuteFunctions, itemIndex: number): IExecuteSingleFunctions {
	return Object.create(ctx, {
		getItemIndex: { value: () => itemIndex },
		getNodeParameter: { value: (name: string, fallback?: unknown, options?: IDataObject) => ctx.getNodeParameter(name, itemIndex, fallback, options) },
		getInputData: { value: (inputIndex = 0, connectionType?: string) => ctx.getInputData(inputIndex, connectionType as never)[itemIndex] },
		getCredentials: { value: async (type: string) => await ctx.getCredentials(type, itemIndex) },
	}) as IExecuteSingleFunctions;
}

/** A label option: as typed, or the default when empty. */
function labelOf(ctx: IExecuteSingleFunctions, values: IDataObject, name: string, label: string, fallback: string): string {
	const raw = values[name];
	if (raw === undefined || raw === null || raw === '') return fallback;
	if (typeof raw !== 'string' && typeof raw !== 'number') throw invalidItemValue(ctx, label, raw, 'is not text', `Set '${label}' to a word or two, or leave it empty for "${fallback}".`);
	return String(raw).trim() || fallback;
}

/**
 * When the wait ends without an answer: the Limit Wait Time option, read and checked before anything
 * is sent. A date that is not ahead would end the wait as the message goes out (JavaScript reads
 * text such as "order 7" as a date in 2001), and an empty Amount would be read as 0.
 */
function waitTillOf(ctx: IExecuteSingleFunctions): Date {
	const limit = parameterOfItem(ctx, 'options.limitWaitTime', undefined) as unknown;
	const values = isObject(limit) && isObject(limit.values) ? limit.values : undefined;
	if (!values) return WAIT_INDEFINITELY;
	if (values.limitType === 'atSpecifiedTime') {
		const raw = values.maxDateAndTime;
		const at = typeof raw === 'string' || typeof raw === 'number' ? new Date(raw) : undefined;
		if (!at || raw === '' || Number.isNaN(at.getTime())) {
			throw invalidItemValue(ctx, 'Max Date and Time', raw ?? '', 'is not a date and time', "Pick a date and time in 'Limit Wait Time', or map one such as {{ $now.plus({ days: 1 }) }}.");
		}
		if (at.getTime() <= systemClock.now()) {
			throw invalidItemValue(ctx, 'Max Date and Time', raw, `is not in the future (read as ${at.toISOString()}), so the wait would end before anyone could answer`, "Pick a later date and time in 'Limit Wait Time', or map one such as {{ $now.plus({ days: 1 }) }}.");
		}
		return at;
	}
	const raw = values.resumeAmount;
	const amount = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
	if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
		throw invalidItemValue(ctx, 'Amount', raw ?? '', 'is not a number of 0 or more', "Set 'Amount' in 'Limit Wait Time' to a number of 0 or more, such as 2.");
	}
	const unit = values.resumeUnit ?? 'hours';
	const unitMs = Object.prototype.hasOwnProperty.call(UNIT_MS, String(unit)) ? UNIT_MS[String(unit)] : undefined;
	if (unitMs === undefined) throw invalidItemValue(ctx, 'Unit', unit, 'is not a unit of time', "Set 'Unit' in 'Limit Wait Time' to seconds, minutes, hours or days.");
	return new Date(systemClock.now() + amount * unitMs);
}

interface Question {
	chatId: string;
	text: string;
	humanLike: boolean;
	waitTill: Date;
}

/** The item's question, every value checked, with the signed links in the text. */
function questionOf(ctx: IExecuteFunctions, item: IExecuteSingleFunctions): Question {
	const chatId = chatIdOfItem(item, 'chatId', 'Chat ID or Phone', { allowGroups: true });
	const message = textOf(item, 'message', 'Message', true) as string;
	const responseType = parameterOfItem(item, 'responseType', 'approval');
	const links: Array<[string, string]> = [];
	if (responseType === 'approval') {
		const approvalOptions = parameterOfItem(item, 'approvalOptions', {}) as unknown;
		const values = isObject(approvalOptions) && isObject(approvalOptions.values) ? approvalOptions.values : {};
		links.push([labelOf(item, values, 'approveLabel', 'Approve Button Label', DEFAULT_APPROVE_LABEL), ctx.getSignedResumeUrl({ approved: 'true' })]);
		if (values.approvalType === 'double') links.push([labelOf(item, values, 'disapproveLabel', 'Disapprove Button Label', DEFAULT_DECLINE_LABEL), ctx.getSignedResumeUrl({ approved: 'false' })]);
	} else if (responseType === 'freeText') {
		const options = { messageButtonLabel: parameterOfItem(item, 'options.messageButtonLabel', '') } as IDataObject;
		links.push([labelOf(item, options, 'messageButtonLabel', 'Message Button Label', DEFAULT_RESPOND_LABEL), ctx.getSignedResumeUrl({ approved: 'true' })]);
	} else {
		throw invalidItemValue(item, 'Response Type', responseType, 'is not a response type', 'Choose Approval or Free Text.');
	}
	const attribution = readBooleanOption(item, { name: 'options.appendAttribution', label: 'Append n8n Attribution', fallback: true });
	const text = [message.trim(), ...links.map(([label, url]) => `*${label}:*\n${url}`), ...(attribution ? [ATTRIBUTION] : [])].join('\n\n');
	return {
		chatId,
		text,
		humanLike: readBooleanOption(item, { name: 'humanLike', label: 'Human-like Sending', fallback: true }),
		waitTill: waitTillOf(item),
	};
}

/**
 * The custom operation: checks the first item's input, sends the question through the transport
 * (once, paced, never twice: the node run's memory of sends covers Retry On Fail), and puts the
 * execution to wait. A send that fails fails the node (or, with On Error: Continue, outputs the
 * error) before anything waits.
 */
export async function sendAndWaitForResponse(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const item = itemContext(this, 0);
	// n8n 1.x checks the signature of a resume link only for an execution marked so (2.x checks every
	// Send and Wait link, and has no such method): without it, a link with its answer changed would resume.
	(this as { setSignatureValidationRequired?: () => void }).setSignatureValidationRequired?.();
	try {
		const { chatId, text, humanLike, waitTill } = questionOf(this, item);
		const request: HypersenderRequest = {
			method: 'POST',
			url: humanLike ? '/send-text-safe' : '/send-text',
			headers: { Accept: 'application/json' },
			// No preview: WhatsApp would fetch the answer page to draw it.
			body: { chatId, text, link_preview: false },
		};
		startItemInNodeRun(item, 1);
		await sendItemInNodeRun(item, request, chatId, async (gate) => await sendAndReportItem(item, request, gate));
		await this.putExecutionToWait(waitTill);
		return [this.getInputData()];
	} catch (error) {
		const failure = error instanceof NodeOperationError || error instanceof NodeApiError ? error : new NodeOperationError(this.getNode(), error as Error, { itemIndex: 0 });
		if (!this.continueOnFail()) throw failure;
		// As RoutingNode puts out a failed item of the other operations.
		return [[{ json: {}, error: failure, pairedItem: { item: 0 } }]];
	}
}

/** Sends one of the pages, and takes the answer into the execution when there is one. */
function answered(ctx: IWebhookFunctions, status: number, html: string, data?: IDataObject): IWebhookResponseData {
	const res = ctx.getResponseObject();
	res.statusCode = status;
	res.setHeader('Content-Type', 'text/html; charset=utf-8');
	res.setHeader('Cache-Control', 'no-store');
	res.end(html);
	return data ? { noWebhookResponse: true, workflowData: [[{ json: { data: { ...data, respondedAt: new Date(systemClock.now()).toISOString() } } }]] } : { noWebhookResponse: true };
}

/** A label as the message showed it, for the pages (read in the resumed execution; the default when it is an expression that no longer gives text). */
function labelForPage(ctx: IWebhookFunctions, name: string, fallback: string): string {
	const raw = ctx.getNodeParameter(name, fallback) as unknown;
	return typeof raw === 'string' && raw.trim() !== '' ? raw.trim() : fallback;
}

/**
 * The node's webhook, called by n8n only for a link whose signature it checked, while the
 * execution waits here. A GET shows a page and takes no answer (link previews and scanners fetch
 * links); the page's POST is the answer. A free-text answer is taken as typed, except that the
 * form's CRLF line breaks become the LF the person typed.
 */
export async function answerSendAndWait(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const method = this.getRequestObject().method;
	if (this.getNodeParameter('responseType', 'approval') === 'freeText') {
		const form = {
			title: labelForPage(this, 'options.responseFormTitle', ''),
			description: labelForPage(this, 'options.responseFormDescription', '') || labelForPage(this, 'message', ''),
			buttonLabel: labelForPage(this, 'options.responseFormButtonLabel', 'Submit'),
		};
		if (method !== 'POST') return answered(this, 200, answerFormPage(form));
		const body = this.getBodyData();
		const text = typeof body.text === 'string' ? body.text.replace(/\r\n?/g, '\n') : '';
		if (text.trim() === '') return answered(this, 422, answerFormPage({ ...form, error: 'Please write an answer before you send it.' }));
		return answered(this, 200, answerRecordedPage(text), { text });
	}
	const approved = this.getRequestObject().query.approved === 'true';
	const label = approved
		? labelForPage(this, 'approvalOptions.values.approveLabel', DEFAULT_APPROVE_LABEL)
		: labelForPage(this, 'approvalOptions.values.disapproveLabel', DEFAULT_DECLINE_LABEL);
	if (method !== 'POST') return answered(this, 200, confirmationPage(label));
	return answered(this, 200, answerRecordedPage(label), { approved });
}
