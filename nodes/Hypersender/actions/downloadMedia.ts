/**
 * Message > Download Media: the file of an incoming message as n8n binary data, downloaded by
 * transport/media.ts (the token rule, redirects, limits). The preSend hook reads and checks the
 * item's input into the request; the runner downloads it. The item's JSON is kept, and the file
 * is added under the binary field the user names.
 */
import type { DeclarativeRestApiSettings, IDataObject, IExecutePaginationFunctions, IExecuteSingleFunctions, INodeExecutionData } from 'n8n-workflow';

import type { PreSend } from '../descriptions/operation';
import { invalidItemValue } from '../shared/itemInput';
import { parameterOfItem } from '../shared/itemParameters';
import { PROTOTYPE_KEYS } from '../shared/values';
import { readWholeNumberOption } from '../shared/options';
import { downloadMedia, MAX_MEDIA_MB, mediaSourceOf, mediaUrlProblem, MEDIA_TIMEOUT_SECONDS } from '../transport/media';
import type { MediaSource } from '../transport/media';

const URL_FIX =
	"Map the message's media link, e.g. {{ $json.media_url }} from the Hypersender Trigger (or the whole message item, {{ $json }}). A message without media (has_media false) has none: filter those out before this node.";

/**
 * What 'Media URL' names: a URL (with the file's type, name and message ID when it is the item's
 * own media link), or a message item, payload or media object. Empty means the item itself, so
 * the default `{{ $json.media_url }}` also finds the media of a raw (not simplified) delivery.
 */
function mediaSourceOfItem(ctx: IExecuteSingleFunctions): MediaSource {
	const raw = parameterOfItem(ctx, 'downloadUrl', '') as unknown;
	const ofItem = mediaSourceOf(ctx.getInputData().json);
	const empty = raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
	const source = empty ? ofItem : typeof raw === 'string' ? (ofItem?.url === raw.trim() ? ofItem : { url: raw.trim() }) : mediaSourceOf(raw);
	const problem = source ? mediaUrlProblem(source.url) : empty ? 'is empty, and the item has no media link' : 'holds no media link';
	if (source && problem === undefined) return source;
	throw invalidItemValue(ctx, 'Media URL', source?.url ?? raw ?? '', problem ?? 'is not a URL', URL_FIX);
}

function outputFieldOf(ctx: IExecuteSingleFunctions): string {
	const raw = parameterOfItem(ctx, 'outputBinaryField', 'data') as unknown;
	// A field named __proto__ is lost (or worse) when n8n or a later node copies the item.
	if (typeof raw === 'string' && raw.trim() !== '' && !PROTOTYPE_KEYS.has(raw.trim())) return raw.trim();
	throw invalidItemValue(ctx, 'Put Output File in Field', raw ?? '', 'is not a field name', "Name the binary field the file goes into, e.g. 'data'.");
}

/** What the runner downloads, as the preSend hook read it: carried in the request's body. */
interface DownloadRequest extends IDataObject {
	source: MediaSource & IDataObject;
	field: string;
	maxBytes: number;
	timeoutMs: number;
}

export const putDownloadMedia: PreSend = async function (requestOptions) {
	const source = mediaSourceOfItem(this);
	const download: DownloadRequest = {
		source: { ...source },
		field: outputFieldOf(this),
		maxBytes: readWholeNumberOption(this, MAX_MEDIA_MB) * 1024 * 1024,
		timeoutMs: readWholeNumberOption(this, MEDIA_TIMEOUT_SECONDS) * 1000,
	};
	requestOptions.url = source.url;
	requestOptions.body = download;
	return requestOptions;
};

/** Runner of Download Media: downloads the file the preSend hook checked, and outputs the item with it. */
export async function downloadMediaOfItem(this: IExecutePaginationFunctions, requestData: DeclarativeRestApiSettings.ResultOptions): Promise<INodeExecutionData[]> {
	const { source, field, maxBytes, timeoutMs } = requestData.options.body as DownloadRequest;
	const item = this.getInputData();
	const itemIndex = this.getItemIndex();
	const file = await downloadMedia(this, source, { maxBytes, timeoutMs }, itemIndex);
	return [{ json: item.json, binary: { ...item.binary, [field]: file }, pairedItem: { item: itemIndex } }];
}
