/**
 * The Trigger's Download Media option: a delivery with media starts the workflow with the file as
 * binary data (downloaded by the node's one media path, ../Hypersender/transport/media.ts). The
 * delivery is answered before the download, so Hypersender never waits for it and never retries;
 * a download that fails still starts the workflow, with `media_error` saying why.
 */
import type { IDataObject, INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { downloadMedia, mediaErrorText, MAX_MEDIA_MB, MEDIA_TIMEOUT_SECONDS } from '../Hypersender/transport/media';
import type { MediaSource } from '../Hypersender/transport/media';

// The operation's defaults: 25 MB, and a minute for the whole download.
const TRIGGER_LIMITS = { maxBytes: MAX_MEDIA_MB.fallback * 1024 * 1024, timeoutMs: MEDIA_TIMEOUT_SECONDS.fallback * 1000 };

// WhatsApp says a message has media (hasMedia) before, or without, a link to it.
const NO_MEDIA_LINK =
	'The message has media, but the delivery carries no link to it (data.payload.media.url). Hypersender could not fetch the file from WhatsApp; ask the sender to send it again.';

/** What the trigger uses of n8n's response to answer a delivery itself. */
interface EmptyAnswer {
	writeHead(status: number, headers: Record<string, string | number>): unknown;
	end(body: string): unknown;
}

/** Answers the delivery (an empty 200, as n8n's own answer), then downloads; the item carries the file or `media_error` (also when the delivery has no link). */
export async function startWithMedia(ctx: IWebhookFunctions, res: EmptyAnswer, output: IDataObject, media: MediaSource | undefined): Promise<IWebhookResponseData> {
	res.writeHead(200, { 'Content-Length': 0 });
	res.end('');
	const item: INodeExecutionData = { json: { ...output, media_error: null } };
	if (!media) {
		item.json.media_error = NO_MEDIA_LINK;
	} else {
		try {
			item.binary = { data: await downloadMedia(ctx, media, TRIGGER_LIMITS) };
		} catch (error) {
			item.json.media_error = mediaErrorText(error);
		}
	}
	// n8n starts the workflow from workflowData and sends nothing more: the answer went out above.
	return { noWebhookResponse: true, workflowData: [[item]] };
}
