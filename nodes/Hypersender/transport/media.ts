/**
 * Downloading a WhatsApp media file (a voice note, photo, document) from the URL of an incoming
 * message into n8n binary data: the one download path of Message > Download Media and of the
 * Trigger's Download Media option.
 *
 * Hypersender does not document its media URLs (host, auth, lifetime), so both cases are served:
 *  - a URL on the credential Base URL's own origin gets the credential's Bearer token (through
 *    n8n's httpRequestWithAuthentication: the node never sets the token itself);
 *  - any other origin gets a plain request without any credential.
 * Redirects are followed here, one hop at a time (at most MAX_REDIRECTS), and every hop is judged
 * again by the same rule: the token never goes to another origin. Loopback, private and
 * link-local addresses are refused unless they are the Base URL's own host, so that a hostile
 * payload cannot make n8n fetch from its own network. Only what the URL says is checked: a name
 * that resolves to a private address is not resolved here (an answer checked now may differ from
 * the one the connection uses a moment later); the README asks users whose n8n reaches private
 * services by name to restrict its outbound traffic at the network.
 * The body is counted as it streams in and given up over the size limit or at the deadline (a
 * server that trickles or never finishes ends too); only a complete file becomes binary data,
 * stored by `helpers.prepareBinaryData` the way the instance stores binary data.
 */
import { NodeOperationError } from 'n8n-workflow';
import type { IBinaryData, ICredentialDataDecryptedObject, IHttpRequestOptions, IN8nHttpFullResponse, INode } from 'n8n-workflow';

import { CREDENTIAL_NAME, CREDENTIAL_TYPE } from '../shared/credential';
import { isPrivateHost } from '../shared/networkAddress';
import { quoteValue } from '../shared/quoteValue';
import { isObject } from '../shared/values';
import { apiBaseUrlOf } from './account';
import { systemClock } from './clock';
import { classifyNetworkFailure } from './errors';
import { WAIT_NOT_NEEDED } from './pacer';

export const MAX_MEDIA_MB = { name: 'options.maxFileSizeMb', label: 'Max File Size (MB)', min: 1, max: 2048, fallback: 25 };
export const MEDIA_TIMEOUT_SECONDS = { name: 'options.downloadTimeoutSeconds', label: 'Download Timeout (Seconds)', min: 1, max: 3600, fallback: 60 };
const MAX_REDIRECTS = 5;
// The payload's file name is shown and saved as is: path separators and controls would not survive.
const MAX_FILE_NAME_CHARS = 200;
const BYTES_PER_MB = 1024 * 1024;

/** What n8n hands both the operation's and the trigger's context: enough to read the credential and download. */
export interface MediaContext {
	getNode(): INode;
	getCredentials(type: string): Promise<ICredentialDataDecryptedObject>;
	getExecutionCancelSignal?(): AbortSignal | undefined;
	helpers: {
		httpRequest(options: IHttpRequestOptions): Promise<unknown>;
		httpRequestWithAuthentication(this: unknown, credentialType: string, options: IHttpRequestOptions): Promise<unknown>;
		prepareBinaryData(data: Buffer, fileName?: string, mimeType?: string): Promise<IBinaryData>;
	};
}

/** The media of one message: its URL and what the payload says of the file. */
export interface MediaSource {
	url: string;
	mimeType?: string | null;
	fileName?: string | null;
	messageId?: string | null;
}

export interface MediaLimits {
	maxBytes: number;
	timeoutMs: number;
}

/** The answer's body as n8n's HTTP helper hands it with `encoding: 'stream'` (Node's IncomingMessage). */
interface BodyStream {
	on(event: 'data', listener: (chunk: Buffer) => void): unknown;
	on(event: 'end' | 'error' | 'close', listener: () => void): unknown;
	destroy(): unknown;
}

/** Makes the error of a download that gave no file: what happened, and the fix. */
type Fail = (message: string, fix: string) => NodeOperationError;

/** Why `raw` cannot be downloaded from, or undefined for an http(s) URL. */
export function mediaUrlProblem(raw: unknown): string | undefined {
	if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return 'is empty';
	if (typeof raw !== 'string') return 'is not text';
	try {
		const url = new URL(raw.trim());
		return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'is not an http(s) URL';
	} catch {
		return 'is not a URL';
	}
}

const textOrNull = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);

/**
 * The media of a message in any form the Trigger outputs it: its simplified item (`media_url`,
 * `media_mimetype`, `media_filename`, `message_id`), the raw delivery (`data.payload.media`), the
 * message payload (`media`), or the media object itself (`url`, `mimetype`, `filename`).
 */
export function mediaSourceOf(value: unknown): MediaSource | undefined {
	if (!isObject(value)) return undefined;
	if ('media_url' in value) {
		const url = textOrNull(value.media_url);
		return url === null ? undefined : { url, mimeType: textOrNull(value.media_mimetype), fileName: textOrNull(value.media_filename), messageId: textOrNull(value.message_id) };
	}
	const payload = isObject(value.data) && isObject(value.data.payload) ? value.data.payload : value;
	const media = isObject(payload.media) ? payload.media : payload;
	const url = textOrNull(media.url);
	if (url === null) return undefined;
	return { url, mimeType: textOrNull(media.mimetype), fileName: textOrNull(media.filename), messageId: media === payload ? null : textOrNull(payload.id) };
}

// Extensions of the types WhatsApp carries whose subtype is not the usual extension.
const EXTENSIONS: Record<string, string> = {
	'audio/mpeg': 'mp3',
	'audio/mp4': 'm4a',
	'image/jpeg': 'jpg',
	'image/svg+xml': 'svg',
	'video/quicktime': 'mov',
	'video/3gpp': '3gp',
	'text/plain': 'txt',
	'application/octet-stream': 'bin',
	'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
	'application/msword': 'doc',
	'application/vnd.ms-excel': 'xls',
};

/**
 * A MIME type without its parameters, lower case: WhatsApp's voice notes are
 * `audio/ogg; codecs=opus`, and n8n's binary viewer and the transcription nodes look for `audio/ogg`.
 */
function essenceOf(mimeType: unknown): string | undefined {
	if (typeof mimeType !== 'string') return undefined;
	const essence = mimeType.split(';')[0].trim().toLowerCase();
	// RFC 6838: type and subtype of at most 127 characters each; anything else is no type at all.
	return /^[a-z0-9!#$&^_.+-]{1,127}\/[a-z0-9!#$&^_.+-]{1,127}$/.test(essence) ? essence : undefined;
}

function extensionOf(mimeType: string): string {
	const subtype = mimeType.split('/')[1];
	return EXTENSIONS[mimeType] ?? (/^[a-z0-9]{1,8}$/.test(subtype) ? subtype : 'bin');
}

// Bidi controls would show `photo\u202Egpj.exe` as `photoexe.jpg`; a lone surrogate (also one a cut
// makes of an emoji) cannot be encoded, and n8n's download of the file fails on it.
const UNSAFE_IN_FILE_NAME = /[\\/\p{Cc}\p{Cs}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** At most MAX_FILE_NAME_CHARS characters (whole code points), keeping a short extension. */
function shortened(name: string): string {
	const chars = Array.from(name);
	if (chars.length <= MAX_FILE_NAME_CHARS) return name;
	const extension = Array.from(/\.[^.]{1,16}$/u.exec(name)?.[0] ?? '');
	return [...chars.slice(0, MAX_FILE_NAME_CHARS - extension.length), ...extension].join('');
}

/** The payload's file name, made safe to save, else `<messageId>.<ext>` (`media.<ext>` without one). */
function fileNameOf(source: MediaSource, mimeType: string): string {
	const given = typeof source.fileName === 'string' ? shortened(source.fileName.replace(UNSAFE_IN_FILE_NAME, '_').trim()) : '';
	if (given !== '' && !/^\.+$/.test(given)) return given;
	const stem = typeof source.messageId === 'string' && source.messageId.trim() !== '' ? source.messageId.trim().replace(/[^\w.@-]/g, '_').slice(0, MAX_FILE_NAME_CHARS) : 'media';
	return `${stem}.${extensionOf(mimeType)}`;
}

const isHtml = (mimeType: string | undefined) => mimeType === 'text/html' || mimeType === 'application/xhtml+xml';
const looksLikeHtml = (bytes: Buffer) => /^\s*<(!doctype\s+html|html[\s>]|head[\s>])/i.test(bytes.subarray(0, 256).toString('utf8'));

/** Where the token may go and which private host may be reached: the credential Base URL's. */
async function baseUrlOf(ctx: MediaContext, fail: Fail): Promise<URL> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const apiBaseUrl = apiBaseUrlOf(credentials);
	if (typeof apiBaseUrl !== 'string') throw fail(apiBaseUrl.message, apiBaseUrl.description);
	return new URL(apiBaseUrl);
}

/** The next hop's URL, or why it may not be fetched. */
function checkedHop(url: URL, base: URL, what: string, fail: Fail): URL {
	if (url.protocol !== 'http:' && url.protocol !== 'https:') {
		throw fail(`${what} is not an http(s) URL (${quoteValue(url.protocol)})`, 'Only http:// and https:// media links are downloaded.');
	}
	if (url.hostname !== base.hostname && isPrivateHost(url.hostname)) {
		throw fail(
			`${what} points at a local or private address (${url.host})`,
			`Only the Base URL's own host (${base.host}) may be a local or private address: a message could otherwise make n8n fetch from this machine or your private network. If your Hypersender proxy runs there, set it as 'Base URL' in ${CREDENTIAL_NAME}.`,
		);
	}
	return url;
}

/**
 * The item's context as n8n's HTTP helpers see it, with `signal` as the execution's cancel signal:
 * n8n sets the request's abort signal from the context the helper is called on (see
 * transport/index.ts), so this is how the download ends a request it gives up on.
 */
function contextAbortingOn<T extends MediaContext>(ctx: T, signal: AbortSignal): T {
	return Object.create(ctx, { getExecutionCancelSignal: { value: () => signal } }) as T;
}

/** One request, token only for the Base URL's origin; the answer's body is a stream. */
async function requestHop(ctx: MediaContext, url: URL, withToken: boolean, signal: AbortSignal): Promise<IN8nHttpFullResponse> {
	const options: IHttpRequestOptions = {
		method: 'GET',
		url: url.href,
		headers: { Accept: '*/*' },
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
		abortSignal: signal,
	};
	const aborting = contextAbortingOn(ctx, signal);
	const request = withToken ? aborting.helpers.httpRequestWithAuthentication.call(aborting, CREDENTIAL_TYPE, options) : aborting.helpers.httpRequest.call(aborting, options);
	return (await request) as IN8nHttpFullResponse;
}

/** The whole body, or an error once it passes `maxBytes`; a body that ends early fails too. */
async function readAtMost(stream: BodyStream, maxBytes: number, signal: AbortSignal, fail: Fail): Promise<Buffer> {
	return await new Promise<Buffer>((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		const stop = (error: Error) => {
			signal.removeEventListener('abort', onAbort);
			stream.destroy();
			reject(error);
		};
		const onAbort = () => stop(new Error('aborted'));
		if (signal.aborted) return onAbort();
		signal.addEventListener('abort', onAbort, { once: true });
		stream.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > maxBytes) stop(tooLarge(maxBytes, fail));
			else chunks.push(chunk);
		});
		stream.on('end', () => {
			signal.removeEventListener('abort', onAbort);
			resolve(Buffer.concat(chunks));
		});
		// A connection reset or closed before the end: a partial file is no file.
		const cutOff = () => stop(fail('The media download was cut off before the file was complete', 'Run it again; if it keeps failing, the server closes the connection early.'));
		stream.on('error', cutOff);
		stream.on('close', cutOff);
	});
}

function tooLarge(maxBytes: number, fail: Fail): NodeOperationError {
	return fail(
		`The media file is larger than the Max File Size of ${Math.round(maxBytes / BYTES_PER_MB)} MB`,
		"Raise 'Max File Size (MB)' in the options if n8n should take files this large (WhatsApp documents can be up to 2 GB).",
	);
}

function discard(response: IN8nHttpFullResponse): void {
	(response.body as BodyStream | undefined)?.destroy?.();
}

/** The error of an answer that is not the file. */
function answerError(statusCode: number, origin: string, fail: Fail): NodeOperationError {
	if (statusCode === 403 || statusCode === 404 || statusCode === 410) {
		return fail(
			`The media link answered HTTP ${statusCode} (${origin}): the link expired or is not yours`,
			`WhatsApp media links live only for a while. Download the media when the message arrives (the Trigger's 'Download Media' option, or Download Media right after the Trigger), with ${CREDENTIAL_NAME} of the instance that received the message.`,
		);
	}
	if (statusCode === 401) {
		return fail(
			`The media link answered HTTP 401 (${origin}): it asks for a login`,
			`The token is sent only to the Base URL's origin of ${CREDENTIAL_NAME}; a link elsewhere is fetched without it. Check that the credential is the instance's that received the message.`,
		);
	}
	return fail(`The media link answered HTTP ${statusCode} (${origin}), not a file`, 'Run it again later; if it keeps failing, the link is not usable.');
}

/** Follows the URL (and its redirects, by the token rule) to the file's bytes and type. */
async function fetchFile(ctx: MediaContext, source: MediaSource, limits: MediaLimits, signal: AbortSignal, fail: Fail): Promise<{ bytes: Buffer; contentType: string | undefined }> {
	const problem = mediaUrlProblem(source.url);
	if (problem !== undefined) throw fail(`The media URL ${quoteValue(source.url)} ${problem}`, 'Only http:// and https:// media links are downloaded.');
	const base = await baseUrlOf(ctx, fail);
	let url = checkedHop(new URL(source.url.trim()), base, 'The media URL', fail);
	for (let hops = 0; ; hops++) {
		const response = await requestHop(ctx, url, url.origin === base.origin, signal);
		const statusCode = Number(response.statusCode);
		const headers = (response.headers ?? {}) as Record<string, unknown>;
		if (statusCode >= 300 && statusCode < 400 && headers.location !== undefined) {
			discard(response);
			if (hops >= MAX_REDIRECTS) throw fail(`The media link redirected more than ${MAX_REDIRECTS} times`, 'The link does not lead to a file; check where it points.');
			let next: URL;
			try {
				next = new URL(String(headers.location), url);
			} catch {
				throw fail('The media link redirected to an unreadable address', 'The link does not lead to a file; check where it points.');
			}
			url = checkedHop(next, base, `The media link's redirect (to ${next.origin})`, fail);
			continue;
		}
		if (statusCode < 200 || statusCode >= 300) {
			discard(response);
			throw answerError(statusCode, url.origin, fail);
		}
		const contentType = essenceOf(headers['content-type']);
		const expectsHtml = isHtml(essenceOf(source.mimeType));
		const htmlPage = () =>
			fail(
				`The media link answered with a web page (${url.origin}), not the file`,
				"Such a page is usually a login page or an 'expired link' page. Download the media when the message arrives; if the link needs a login other than the Hypersender token, it cannot be downloaded by this node.",
			);
		if (isHtml(contentType) && !expectsHtml) {
			discard(response);
			throw htmlPage();
		}
		const length = Number(headers['content-length']);
		if (Number.isFinite(length) && length > limits.maxBytes) {
			discard(response);
			throw tooLarge(limits.maxBytes, fail);
		}
		const bytes = await readAtMost(response.body as BodyStream, limits.maxBytes, signal, fail);
		if (!expectsHtml && looksLikeHtml(bytes)) throw htmlPage();
		if (bytes.length === 0) throw fail(`The media link answered an empty file (${url.origin})`, 'The link does not lead to a file; download it again when the message arrives.');
		return { bytes, contentType };
	}
}

/**
 * Downloads the message's media into n8n binary data: MIME type from the payload (else the
 * answer's), file name from the payload (else from the message ID). Every reason there is no file
 * (the execution's cancel too) is a NodeOperationError, for the item `itemIndex` when given,
 * whose description is the fix.
 */
export async function downloadMedia(ctx: MediaContext, source: MediaSource, limits: MediaLimits, itemIndex?: number): Promise<IBinaryData> {
	const fail: Fail = (message, fix) => new NodeOperationError(ctx.getNode(), message, { itemIndex, description: fix });
	const clock = systemClock;
	const giveUp = new AbortController();
	const cancel = ctx.getExecutionCancelSignal?.();
	const signal = cancel ? AbortSignal.any([cancel, giveUp.signal]) : giveUp.signal;
	const stopDeadline = new AbortController();
	let timedOut = false;
	void clock.deadline(limits.timeoutMs, stopDeadline.signal).then(() => {
		if (stopDeadline.signal.aborted) return;
		timedOut = true;
		giveUp.abort(WAIT_NOT_NEEDED);
	});
	// Whatever the download waits on (the answer's headers, the next chunk), the deadline or the cancel ends it.
	const ended = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
	ended.catch(() => undefined);
	let downloaded: { bytes: Buffer; contentType: string | undefined };
	try {
		downloaded = await Promise.race([fetchFile(ctx, source, limits, signal, fail), ended]);
	} catch (error) {
		if (timedOut) {
			throw fail(
				`The media download did not finish within ${Math.round(limits.timeoutMs / 1000)} s`,
				"The server sent the file too slowly or never finished it. Run it again; raise 'Download Timeout (Seconds)' in the options for large files on slow links.",
			);
		}
		if (cancel?.aborted) throw fail('The execution was cancelled during the media download', 'Nothing was output for this item.');
		// The download's own failures are already NodeOperationErrors with their fix; anything else is a network failure.
		const failure = error instanceof NodeOperationError ? error : fail(`The media download failed (${classifyNetworkFailure(error).code})`, 'Check that this machine can reach the media link, and run it again.');
		throw failure;
	} finally {
		stopDeadline.abort(WAIT_NOT_NEEDED);
		giveUp.abort(WAIT_NOT_NEEDED);
	}
	const mimeType = essenceOf(source.mimeType) ?? downloaded.contentType ?? 'application/octet-stream';
	try {
		return await ctx.helpers.prepareBinaryData(downloaded.bytes, fileNameOf(source, mimeType), mimeType);
	} catch (error) {
		// The file arrived whole; n8n could not keep it (its binary data store: memory, disk or S3).
		throw fail(
			`The media file (${downloaded.bytes.length} bytes) was downloaded, but n8n could not store it: ${error instanceof Error ? error.message : String(error)}`,
			"Check n8n's binary data storage (N8N_DEFAULT_BINARY_DATA_MODE, its folder's free space or the S3 settings), or lower 'Max File Size (MB)'.",
		);
	}
}

/** A failed download as the Trigger reports it in `media_error`: what happened, and the fix. */
export function mediaErrorText(error: unknown): string {
	if (error instanceof NodeOperationError) return `${error.message}. ${error.description ?? ''}`.trim();
	return `The media download failed: ${error instanceof Error ? error.message : String(error)}`;
}
