// The Hypersender node as an AI Agent's tool in real n8n (issue 21): n8n's AI Agent with the
// OpenAI Chat Model (1.2, chat completions) whose credential points at a stand-in LLM on
// 127.0.0.1 (scripts/lib/stand-in-llm.mjs), and Hypersender tools (Send Text, Get Contact,
// Create or Update Contact) whose parameters the model fills through $fromAI(). Two agents in
// one run: AI Agent 3 (n8n's engine runs each tool call as a node run of the tool) and AI Agent
// 2.2 (LangChain's executor calls the tool inside the agent's run); both versions exist on both
// n8n lines. Each item is one conversation: the model's first answer is the tool call its user
// message names, its second the final answer, which quotes the tool result it was given.
// Checked: the tools and descriptions the model is offered, what reached the fake Hypersender
// (the chat ID normalized), the tool result in the model's second request, the agent's output,
// and that refused calls (a phone that is no number, a recipient not on WhatsApp) give the model
// a result that says what was wrong while the run succeeds. Then examples/whatsapp-ai-assistant.json
// in a started n8n: messages from a phone, a hidden @lid sender and a group are each answered in
// their own chat, and a chat's second message finds the first in the memory.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { delivery, triggerCredential, triggerUrlOf } from '../lib/hypersender-trigger.mjs';
import { pointWorkflowAt } from '../lib/n8n-package.mjs';
import { activateOrThrow, executionsOf, finished } from '../lib/n8n-rest.mjs';
import { ROOT } from '../lib/n8n-runtime.mjs';
import { waitFor } from '../lib/wait.mjs';
import { StandInLlm, systemTextOf, toolNamed, toolResultsOf, userTextOf } from '../lib/stand-in-llm.mjs';
import { codeNode, manualTrigger, node, workflowNode } from '../lib/workflows.mjs';

const WORKFLOW_ID = 'hsE2eAiAgent';
const OPENAI_CREDENTIAL_ID = 'openAiStandIn';
const NOT_ON_WHATSAPP = '12135550199@c.us';

/** The conversations: what the user asks for is the tool call the stand-in makes. */
const CONVERSATIONS = [
	{ key: 'send', tool: /^Send_Text$/, arguments: { chat_id: '+1 (213) 213-2130', text: 'Your order has shipped' } },
	{ key: 'badPhone', tool: /^Send_Text$/, arguments: { chat_id: 'call me maybe', text: 'Hello' } },
	{ key: 'notOnWhatsApp', tool: /^Send_Text$/, arguments: { chat_id: NOT_ON_WHATSAPP, text: 'Hello' } },
	{ key: 'getContact', tool: /^Get_Contact$/, arguments: { chat_id: '+49 151 23456789' } },
	{ key: 'upsert', tool: /^Create_or_Update_Contact$/, arguments: { chat_id: '0044 7911 123456', first_name: 'Lena', last_name: 'Park' } },
];
const AGENTS = [
	{ name: 'AI Agent 3', typeVersion: 3, model: 'Chat Model A' },
	{ name: 'AI Agent 2.2', typeVersion: 2.2, model: 'Chat Model B' },
];

/** The stand-in's script: a tool call for the conversation's first turn, then an answer quoting the tool result. */
function answer(request) {
	const conversation = CONVERSATIONS.find((c) => userTextOf(request) === `Please do: ${c.key}`);
	if (!conversation) return assistantAnswer(request);
	const [result] = toolResultsOf(request);
	if (result !== undefined) return { text: `${conversation.key} done; the tool said: ${result}` };
	const name = toolNamed(request, conversation.tool);
	if (!name) return { text: `No tool matching ${conversation.tool} was offered.` };
	return { toolCall: { name, arguments: conversation.arguments } };
}

/**
 * The assistant example's model: answers with how many customer messages its conversation holds
 * (the memory's and this one), so the e2e sees which conversation each reply came from.
 */
function assistantAnswer(request) {
	const customerMessages = (request.messages ?? []).filter((message) => message.role === 'user').length;
	return { text: `(${customerMessages}) You wrote: ${userTextOf(request)}` };
}

const fromAi = (key, description) => `={{ $fromAI('${key}', '${description}', 'string') }}`;

function agentWorkflow(t) {
	const toolType = `${t.nodeType}Tool`;
	const openAi = { openAiApi: { id: OPENAI_CREDENTIAL_ID, name: 'Stand-in LLM' } };
	const tool = (name, parameters) => workflowNode(name, toolType, t.credential, parameters);
	const nodes = [
		manualTrigger(),
		codeNode('Conversations', CONVERSATIONS.map((c) => ({ chatInput: `Please do: ${c.key}` }))),
		...AGENTS.flatMap((agent) => [
			node(agent.name, '@n8n/n8n-nodes-langchain.agent', { promptType: 'define', text: '={{ $json.chatInput }}', options: { systemMessage: `You help the shop staff with WhatsApp (${agent.name}).` } }, { typeVersion: agent.typeVersion }),
			node(agent.model, '@n8n/n8n-nodes-langchain.lmChatOpenAi', { model: { __rl: true, mode: 'list', value: 'gpt-4o-mini' }, options: {} }, { typeVersion: 1.2, credentials: openAi }),
		]),
		tool('Send Text', { resource: 'message', operation: 'sendText', chatId: fromAi('chat_id', 'The recipient'), text: fromAi('text', 'The message'), humanLike: false, options: {} }),
		tool('Get Contact', { resource: 'contact', operation: 'get', chatId: fromAi('chat_id', 'The contact'), options: {} }),
		tool('Create or Update Contact', {
			resource: 'contact',
			operation: 'upsert',
			chatId: fromAi('chat_id', 'The contact'),
			firstName: fromAi('first_name', 'First name'),
			lastName: fromAi('last_name', 'Last name'),
			options: {},
		}),
	];
	nodes.forEach((n, i) => (n.position = [i * 200, 0]));
	const toAgents = (type) => AGENTS.map((agent) => ({ node: agent.name, type, index: 0 }));
	const connections = {
		'Manual Trigger': { main: [[{ node: 'Conversations', type: 'main', index: 0 }]] },
		Conversations: { main: [toAgents('main')] },
		'Chat Model A': { ai_languageModel: [[{ node: 'AI Agent 3', type: 'ai_languageModel', index: 0 }]] },
		'Chat Model B': { ai_languageModel: [[{ node: 'AI Agent 2.2', type: 'ai_languageModel', index: 0 }]] },
		'Send Text': { ai_tool: [toAgents('ai_tool')] },
		'Get Contact': { ai_tool: [toAgents('ai_tool')] },
		'Create or Update Contact': { ai_tool: [toAgents('ai_tool')] },
	};
	return { id: WORKFLOW_ID, name: 'E2E AI Agent with Hypersender tools', nodes, connections, settings: { executionOrder: 'v1' }, active: false, pinData: {} };
}

/** The requests of one agent's conversation, by the agent's system message and the user's text. */
const requestsOf = (llm, agent, conversation) =>
	llm.requests.filter((request) => systemTextOf(request).includes(`(${agent.name})`) && userTextOf(request) === `Please do: ${conversation.key}`);

/** What each conversation's tool result and outcome must be. */
const EXPECTED = {
	send: (result, fake) => result[0]?.status === 'sent' && result[0].chat_id === '12132132130@c.us' && fake.messagesTo('12132132130@c.us').every((m) => m.body.text === 'Your order has shipped'),
	badPhone: (result) =>
		result[0]?.success === false && /"call me maybe" contains letters/.test(result[0].error_message) && /^Nothing was sent for this item\. .*international phone number/.test(result[0].how_to_fix),
	notOnWhatsApp: (result) => result[0]?.success === false && /not on WhatsApp/.test(result[0].error_message) && result[0].may_have_been_sent === undefined,
	getContact: (result) => result[0]?.found === true && result[0].chat_id === '4915123456789@c.us' && result[0].name === 'Lena Park',
	upsert: (result, fake) => result[0]?.success === true && result[0].chat_id === '447911123456@c.us' && fake.contact('447911123456')?.name === 'Lena Park',
};

const parsed = (text) => {
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
};

async function checkAgentsWithTools(t, llm) {
	const { label, fake } = t;
	fake.addContact('4915123456789@c.us', 'Lena Park');
	fake.notOnWhatsApp.add(NOT_ON_WHATSAPP);
	const result = await t.execute(WORKFLOW_ID);
	const error = result.data?.resultData?.error;
	const streamed = llm.requests.filter((request) => request.stream === true).length;
	t.check(!error, `${label}: AI agents with Hypersender tools: the run succeeds, refused tool calls included (${llm.requests.length} chat-completions requests, ${streamed} streamed)`, error?.message ?? error);
	const sends = fake.messages.map((m) => `${m.chatId} ${m.body.text}`);
	t.check(
		sends.length === AGENTS.length * 2 && sends.filter((s) => s === '12132132130@c.us Your order has shipped').length === AGENTS.length && sends.filter((s) => s.startsWith(NOT_ON_WHATSAPP)).length === AGENTS.length,
		`${label}: AI agents: the model's sends reach Hypersender with the chat ID normalized (+1 (213) 213-2130 as 12132132130@c.us), the refused phone sends nothing`,
		sends,
	);
	for (const agent of AGENTS) {
		const offered = Object.fromEntries((requestsOf(llm, agent, CONVERSATIONS[0])[0]?.tools ?? []).map((tool) => [tool.function?.name, tool.function]));
		t.check(
			/^Sends a WhatsApp text message\. 'Chat ID or Phone': a phone number in international form/.test(offered.Send_Text?.description ?? '') &&
				/^Looks up one contact/.test(offered.Get_Contact?.description ?? '') &&
				/^Saves a contact/.test(offered.Create_or_Update_Contact?.description ?? '') &&
				['chat_id', 'text'].every((key) => offered.Send_Text?.parameters?.properties?.[key]),
			`${label}: ${agent.name}: the model is offered the three Hypersender tools with the node's tool descriptions and the $fromAI() parameters`,
			offered,
		);
		const outputs = t.outputOf(result, agent.name).map((item) => item.json.output);
		for (const [index, conversation] of CONVERSATIONS.entries()) {
			const requests = requestsOf(llm, agent, conversation);
			const toolResult = requests[1] && toolResultsOf(requests[1])[0];
			const answer = parsed(toolResult ?? '');
			t.check(
				requests.length === 2 && Array.isArray(answer) && EXPECTED[conversation.key](answer, fake) && outputs[index] === `${conversation.key} done; the tool said: ${toolResult}`,
				`${label}: ${agent.name} (v${agent.typeVersion}), "${conversation.key}": the second LLM request carries the tool's result, and the agent's answer is the output`,
				{ requests: requests.length, toolResult, output: outputs[index] },
			);
		}
	}
}

// examples/whatsapp-ai-assistant.json: who writes, and where the reply must go.
const ASSISTANT_ID = 'hsExampleAiAssistant';
const WEBHOOK_SECRET = 'e2e-ai-assistant-secret-8c2f';
const PHONE_SENDER = { id: 'false_201063178738@c.us_E2EAI0000000001', from: '201063178738@c.us', _data: { key: { remoteJid: '201063178738@s.whatsapp.net', remoteJidAlt: '188905563410665@lid' } } };
const LID_SENDER = { id: 'false_99887766554433@lid_E2EAI0000000002', from: '99887766554433@lid', _data: { key: { remoteJid: '99887766554433@lid', remoteJidAlt: '4915123450000@s.whatsapp.net' } } };
const GROUP = { id: 'false_120363040000000000@g.us_E2EAI0000000003', from: '120363040000000000@g.us', participant: '188905563410665@lid', _data: { key: { remoteJid: '120363040000000000@g.us', participant: '188905563410665@lid', participantAlt: '201063178738@s.whatsapp.net' } } };
/** In order: each message, and the chat and text its reply must have (the count is the conversation's customer messages). */
const ASSISTANT_MESSAGES = [
	{ sender: PHONE_SENDER, body: 'Do you deliver?', chatId: '201063178738@c.us', reply: '(1) You wrote: Do you deliver?' },
	{ sender: LID_SENDER, body: 'Are you open on Monday?', chatId: '99887766554433@lid', reply: '(1) You wrote: Are you open on Monday?' },
	{ sender: GROUP, body: 'Table for 6 tonight?', chatId: '120363040000000000@g.us', reply: '(1) You wrote: Table for 6 tonight?' },
	{ sender: { ...PHONE_SENDER, id: 'false_201063178738@c.us_E2EAI0000000004' }, body: 'And until when?', chatId: '201063178738@c.us', reply: '(2) You wrote: And until when?' },
];

/** The example as users import it, pointed at this install way, the trigger credential and the stand-in's credential. */
function assistantWorkflow(t, credential) {
	const example = JSON.parse(readFileSync(path.join(ROOT, 'examples/whatsapp-ai-assistant.json'), 'utf8'));
	const workflow = pointWorkflowAt(example, t.nodeType, credential);
	for (const n of workflow.nodes) if (n.credentials?.openAiApi) n.credentials.openAiApi = { id: OPENAI_CREDENTIAL_ID, name: 'Stand-in LLM' };
	return { ...workflow, id: ASSISTANT_ID, active: false };
}

async function checkAssistantExample(t, credential, workflow) {
	const { label, fake } = t;
	const n8n = await t.startN8nWithOwner();
	await activateOrThrow(n8n, ASSISTANT_ID);
	const url = triggerUrlOf(n8n.url, workflow.nodes.find((n) => n.webhookId).webhookId);
	fake.reset();
	for (const [index, message] of ASSISTANT_MESSAGES.entries()) {
		const payload = { timestamp: 1759066612 + index, fromMe: false, hasMedia: false, media: null, ack: 1, ackName: 'SERVER', replyTo: null, ...message.sender, body: message.body };
		const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: WEBHOOK_SECRET }, body: JSON.stringify(delivery('message.any', payload, { id: `evt_e2e_ai_${index}`, instanceId: credential.data.instanceId })) });
		if (!response.ok) throw new Error(`the assistant's trigger answered HTTP ${response.status}: ${await response.text()}`);
		// One at a time: the next message of a chat must find the earlier one in the memory.
		await waitFor(`the assistant's execution ${index + 1} to finish`, async () => {
			// A poll whose kept-alive connection n8n closed at that moment fails ("fetch failed"): the next one asks again.
			const list = await executionsOf(n8n, ASSISTANT_ID).catch(() => []);
			return list.length === index + 1 && list.every(finished);
		});
	}
	const executions = await executionsOf(n8n, ASSISTANT_ID);
	t.check(executions.every((execution) => execution.status === 'success'), `${label}: AI assistant example: all ${executions.length} executions succeed`, executions.map((e) => e.status));
	const replies = fake.messages.map((m) => ({ chatId: m.chatId, text: m.body.text, replyTo: m.body.reply_to, endpoint: m.endpoint }));
	const expected = ASSISTANT_MESSAGES.map((m) => ({ chatId: m.chatId, text: m.reply, replyTo: m.sender.id, endpoint: 'send-text-safe' }));
	t.check(
		JSON.stringify(replies.map((r) => ({ ...r, endpoint: r.endpoint.split('/').pop() }))) === JSON.stringify(expected),
		`${label}: AI assistant example: each reply goes to the chat its message came from (a phone, a @lid, a group) quoting it, and the chat's second message finds the first in the memory`,
		{ replies, expected },
	);
}

// The node's behaviour, the same code however the package was loaded (scripts/e2e.mjs).
export const installWays = ['community package'];

export async function run(t) {
	const llm = await new StandInLlm(answer).start();
	try {
		// One import of each kind: every n8n CLI command is one n8n start-up.
		const triggerCredentialOfExample = triggerCredential(t.credential, WEBHOOK_SECRET, `${t.credential.id}Assistant`);
		const assistant = assistantWorkflow(t, triggerCredentialOfExample);
		await t.importCredentials({ id: OPENAI_CREDENTIAL_ID, name: 'Stand-in LLM', type: 'openAiApi', data: { apiKey: 'sk-stand-in', url: llm.url } }, triggerCredentialOfExample);
		await t.importWorkflow(agentWorkflow(t), assistant);
		await checkAgentsWithTools(t, llm);
		await checkAssistantExample(t, triggerCredentialOfExample, assistant);
	} finally {
		await llm.stop();
	}
}
