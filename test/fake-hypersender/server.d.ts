export interface FakeContact {
	id: string;
	name: string;
	pushname: string;
}

export interface RecordedRequest {
	method: string;
	path: string;
	query: Record<string, string>;
	body: Record<string, unknown> | undefined;
	authorization: string | undefined;
	/** When it arrived, on the `requestClock` the fake was made with. */
	at?: number;
}

export interface FakeHypersenderOptions {
	token?: string;
	instanceId?: string;
	rateLimit?: number;
	windowMs?: number;
	rateLimitHeaders?: boolean;
	/** Adds X-RateLimit-Reset (the window's end, Unix seconds) to every answer the rate limit counts. */
	rateLimitResetHeader?: boolean;
	/** Sends accepted per `windowMs` window, counted apart from requests; a send over it is refused with 429 and Retry-After. */
	messageRateLimit?: number;
	latencyMs?: number;
	logRequests?: boolean;
	/** Stamps each recorded request with this clock's time (`at`): a test's virtual clock, to see when requests went out. */
	requestClock?: () => number;
}

export interface RawAnswer {
	status?: number;
	headers?: Record<string, string>;
	body?: string;
	cutOffAfter?: number;
	echoAuthorization?: boolean;
}

export interface FakeMessage {
	uuid: string;
	endpoint: string;
	chatId: string;
	body: Record<string, unknown>;
}

export interface FakeUpload {
	endpoint: string;
	field: string;
	filename: string;
	contentType: string | undefined;
	bytes: Buffer;
}

export interface QueuedOutcome {
	status: number;
	body?: Record<string, unknown>;
}

export interface MediaRequest {
	/** 'api': the API's own origin (`url`); 'other': the second origin (`otherOrigin`). */
	origin: 'api' | 'other';
	path: string;
	authorization: string | undefined;
}

export type MediaFileName = 'voice.ogg' | 'photo.jpg' | 'invoice.pdf';
export const MEDIA_FILES: Record<MediaFileName, { contentType: string; bytes: Buffer }>;

export class FakeHypersender {
	constructor(options?: FakeHypersenderOptions);
	url: string;
	token: string;
	instanceId: string;
	rateLimit: number | undefined;
	contacts: Map<string, FakeContact>;
	requests: RecordedRequest[];
	/** `rateLimited`: 429s of the request limit; `messagesCapped`: sends refused by `messageRateLimit`. */
	stats: { total: number; rateLimited: number; messagesCapped: number };
	messageRateLimit: number | undefined;
	start(port?: number): Promise<this>;
	/** The second origin (another port on 127.0.0.1): media links there need no auth. */
	otherOrigin: string;
	/** Every request for a media link, with its Authorization header. */
	mediaRequests: MediaRequest[];
	/** `<url or otherOrigin>/media/<path>`: a file name, or expired/<status>/<file>, login/<file>, big/<bytes>, big-declared/<bytes>, trickle/<file>, redirect?to=<url>, loop (redirects to itself). */
	mediaLink(path: string, options?: { other?: boolean }): string;
	/** Closes the open trickle links mid-file, as a server that goes away. */
	cutOffTrickles(): void;
	/** How many trickle links are still open: a client that gives up closes its connection. */
	openTrickles(): number;
	stop(): Promise<void>;
	reset(): void;
	/** How many requests the hang switches left unanswered with their connection open (a client still waiting for them). */
	unansweredRequests(): number;
	/** Ends the connections of the requests left unanswered. */
	endUnanswered(): void;
	failNext(count: number, status: number, options?: { retryAfter?: number | string }): void;
	dropNextConnections(count: number): void;
	answerNextWith(count: number, answer: RawAnswer): void;
	/** Answers to the next polls (GET queued-requests/{uuid}) only: raw, dropped, or never answered. */
	answerNextPollsWith(...answers: Array<RawAnswer | { drop: true } | { hang: true }>): void;
	pagingIgnoresOffset: boolean;
	rateLimitHeaders: boolean;
	rateLimitResetHeader: boolean;
	addContact(chatId: string, name: string, pushname?: string): void;
	contact(chatId: string): FakeContact | undefined;
	messages: FakeMessage[];
	uploads: FakeUpload[];
	notOnWhatsApp: Set<string>;
	/** Sends to these chat IDs (as sent) are refused at once with this answer (the next `times` sends only, when given). */
	refuseSendsTo: Map<string, { status: number; body: Record<string, unknown>; times?: number }>;
	pollsWhileProcessing: number;
	outcomeNext(count: number, outcome: QueuedOutcome): void;
	acceptThenDropNext(count: number): void;
	/** Sends to these chat IDs (as sent) are accepted and queued, then never answered (the client gives up, or `stop` ends them). */
	hangSendsTo: Set<string>;
	messagesTo(chatId: string): FakeMessage[];
	// ---- Meta restrictions and unresolved recipients ----
	/**
	 * From now on (until `reset`), sends are refused with REFUSALS[kind]: at once (`answer`, the
	 * default) or as the queued request's outcome (`outcome`). Which sends: to `chatIds`, or with
	 * `existingConversations` to every other chat (new contacts), or else all. `status` replaces the kind's.
	 */
	restrictSends(restriction: { kind: RefusalKind; at?: 'answer' | 'outcome'; chatIds?: string[]; existingConversations?: string[]; status?: number }): void;
}

/** Hypersender's documented refusals of a send: 423 message capping, 423 timelock, "could not resolve this recipient" (with and without a restriction end). */
export type RefusalKind = 'capping' | 'timelock' | 'unresolved' | 'unresolvedWithoutRestriction';
export const REFUSALS: Record<RefusalKind, { status: number; body: { message: string } }>;

export function contactKey(chatId: string): string | undefined;
/** The endpoints that send a message to a person (e.g. `send-text`, `forward-message`): what a plan's messages per minute count. */
export const SEND_ENDPOINTS: ReadonlySet<string>;

/** Parses a multipart/form-data body: fields as text, files as { filename, contentType, bytes }; undefined when malformed. */
export function parseMultipart(body: Buffer, contentType: string): { fields: Record<string, string>; files: Record<string, { filename: string; contentType: string | undefined; bytes: Buffer }> } | undefined;
