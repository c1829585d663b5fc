// A stand-in for an OpenAI-compatible chat model, for running n8n's AI Agent against on
// 127.0.0.1: it speaks POST <base>/chat/completions (what n8n's OpenAI Chat Model node 1.2 sends
// on both n8n lines; 1.3 defaults to the Responses API, which this does not speak), with and
// without `stream: true`, tool calls included, and GET <base>/models. Point an OpenAI
// credential's Base URL at `url`.
//
// What it answers comes from `answer(request)`, called with each request's parsed body: return
// { toolCall: { name, arguments } } to call a tool, or { text } for a final answer. The helpers
// below script the usual turns. Every request is recorded (`requests`), so a test can read the
// tool results n8n handed the model.
import { createServer } from 'node:http';

/** The last message of a chat-completions request. */
export const lastMessageOf = (request) => request.messages?.at(-1);

/** The tool results in a request (messages of role "tool"), their content as text. */
export const toolResultsOf = (request) => (request.messages ?? []).filter((message) => message.role === 'tool').map((message) => contentText(message.content));

/** The text of the last user message of a request. */
export const userTextOf = (request) => contentText([...(request.messages ?? [])].reverse().find((message) => message.role === 'user')?.content);

/** The text of a request's system message. */
export const systemTextOf = (request) => contentText((request.messages ?? []).find((message) => message.role === 'system')?.content);

/** A message's content as text (chat-completions allows a string or a list of parts). */
export function contentText(content) {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((part) => (typeof part === 'string' ? part : (part?.text ?? ''))).join('');
	return '';
}

/** The name of the offered tool whose name matches `pattern`, or undefined. */
export const toolNamed = (request, pattern) => (request.tools ?? []).map((tool) => tool.function?.name).find((name) => pattern.test(name ?? ''));

export class StandInLlm {
	/** @param {(request: any) => { toolCall?: { name: string, arguments: object }, text?: string }} answer */
	constructor(answer) {
		this.answer = answer;
		/** Every chat-completions request body, in the order they came. */
		this.requests = [];
		this.url = '';
		this.calls = 0;
	}

	async start() {
		this.server = createServer((request, response) => void this.handle(request, response));
		await new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(0, '127.0.0.1', resolve);
		});
		this.url = `http://127.0.0.1:${this.server.address().port}/v1`;
		return this;
	}

	async stop() {
		this.server?.closeAllConnections?.();
		await new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	async handle(request, response) {
		let raw = '';
		for await (const chunk of request) raw += chunk;
		const path = new URL(request.url, 'http://stand-in').pathname;
		if (request.method === 'GET' && path.endsWith('/models')) return json(response, 200, { object: 'list', data: [{ id: 'stand-in', object: 'model', owned_by: 'e2e' }] });
		if (request.method !== 'POST' || !path.endsWith('/chat/completions')) return json(response, 404, { error: { message: `The stand-in LLM has no ${request.method} ${path}` } });
		let body;
		try {
			body = JSON.parse(raw);
		} catch {
			return json(response, 400, { error: { message: 'The request body is not JSON' } });
		}
		this.requests.push(body);
		let turn;
		try {
			turn = this.answer(body);
		} catch (error) {
			return json(response, 500, { error: { message: `The stand-in LLM's script failed: ${error.message}` } });
		}
		const id = `chatcmpl-standin-${++this.calls}`;
		const message = turn.toolCall
			? { role: 'assistant', content: null, tool_calls: [{ id: `call_standin_${this.calls}`, type: 'function', function: { name: turn.toolCall.name, arguments: JSON.stringify(turn.toolCall.arguments) } }] }
			: { role: 'assistant', content: turn.text ?? '' };
		const finishReason = turn.toolCall ? 'tool_calls' : 'stop';
		const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
		if (!body.stream) {
			return json(response, 200, { id, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: body.model, choices: [{ index: 0, message, finish_reason: finishReason }], usage });
		}
		// Streamed: the whole message in one delta, then the finish, then [DONE].
		response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
		const chunk = (choice, extra = {}) => response.write(`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: body.model, choices: [choice], ...extra })}\n\n`);
		const delta = turn.toolCall ? { role: 'assistant', content: null, tool_calls: message.tool_calls.map((call, index) => ({ index, ...call })) } : { role: 'assistant', content: message.content };
		chunk({ index: 0, delta, finish_reason: null });
		chunk({ index: 0, delta: {}, finish_reason: finishReason }, { usage });
		response.end('data: [DONE]\n\n');
	}
}

function json(response, status, body) {
	response.writeHead(status, { 'Content-Type': 'application/json' });
	response.end(JSON.stringify(body));
}
