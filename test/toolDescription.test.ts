/**
 * What a model reads about the node as an AI agent's tool (issue 21): the description n8n builds
 * for each operation of the tool variant (NodeHelpers.getToolDescriptionForNode over the node's
 * parameters with their defaults, as n8n's Workflow fills them). Every operation says what it
 * does and what each of its required parameters expects, with an example; the operations that
 * make no sense as tools say so; the plain node shows no tool description.
 */
import { DirectoryLoader } from 'n8n-core';
import { NodeHelpers } from 'n8n-workflow';
import type { INode, INodeParameters, INodePropertyOptions, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { Hypersender } from '../nodes/Hypersender/Hypersender.node';

function loadedDescription(): INodeTypeDescription {
	const nodeType = new Hypersender();
	DirectoryLoader.applyDeclarativeNodeOptionParameters(nodeType);
	return nodeType.description;
}

const plain = loadedDescription();
/** The tool variant as n8n makes it from a usableAsTool node: the same properties, the name ending in Tool. */
const tool: INodeTypeDescription = { ...plain, name: `${plain.name}Tool`, displayName: `${plain.displayName} Tool`, inputs: [], outputs: ['ai_tool'] };

const resources = (plain.properties.find((property) => property.name === 'resource')?.options ?? []) as INodePropertyOptions[];
const pairs = resources.flatMap((resource) =>
	plain.properties
		.filter((property) => property.name === 'operation' && property.displayOptions?.show?.resource?.includes(resource.value))
		.flatMap((selector) => (selector.options as INodePropertyOptions[]).map((operation) => [String(resource.value), operation] as const)),
);

const node = (description: INodeTypeDescription, parameters: INodeParameters): INode => ({ id: 'n', name: 'WhatsApp', type: description.name, typeVersion: 1, position: [0, 0], parameters });

/** The node's parameters as n8n's Workflow fills them (defaults of what shows), for this resource and operation. */
function parametersOf(description: INodeTypeDescription, resource: string, operation: string): INodeParameters {
	return NodeHelpers.getNodeParameters(description.properties, { resource, operation }, true, false, node(description, { resource, operation }), description) ?? {};
}

/** The tool description n8n hands the model for this operation. */
function toolDescriptionOf(resource: string, operation: string): string {
	return NodeHelpers.getToolDescriptionForNode(node(tool, parametersOf(tool, resource, operation)), { description: tool } as INodeType);
}

/** The display names of the parameters this operation requires (the ones a model must fill). */
function requiredFieldsOf(resource: string, operation: string): string[] {
	const parameters = parametersOf(plain, resource, operation);
	return plain.properties
		.filter((property) => property.required && property.name !== 'toolDescription' && NodeHelpers.displayParameter(parameters, property, node(plain, parameters), plain, parameters))
		.map((property) => property.displayName);
}

const NOT_FOR_TOOLS = ['message.startTyping', 'message.stopTyping', 'message.downloadMedia', 'queuedRequest.get'];

test('the operations are found (guards the tests below)', () => {
	expect(pairs.length).toBeGreaterThanOrEqual(15);
});

describe.each(pairs)('as an AI tool, %s > %s', (resource, operation) => {
	const description = toolDescriptionOf(resource, String(operation.value));

	test('the model reads a description of its own, not only the action n8n would make of it', () => {
		expect(description).not.toBe(`${operation.action} in Hypersender`);
		expect(description.length).toBeGreaterThan(80);
	});

	test("it names each required parameter and what it expects, with an example, and what the model gets when a call is refused", () => {
		for (const field of requiredFieldsOf(resource, String(operation.value))) expect(description).toContain(`'${field}'`);
		expect(description).toMatch(/e\.g\.|\(\+\d|such as /);
		expect(description).toContain('success: false with error_message and how_to_fix');
	});

	test('an operation that makes no sense as a tool says so; the others do not', () => {
		expect(/^Not (useful|needed) as an AI agent's tool/.test(description)).toBe(NOT_FOR_TOOLS.includes(`${resource}.${String(operation.value)}`));
	});
});

// A Message operation waited for up to Max Wait (60 s; Human-like Sending spaces messages out) answers "pending"
// with no message_id, and without Wait for Result "queued": a model that reads either as "not sent" sends it again.
// Download Media reads a file from a link: it answers with the file, never "queued" or "pending".
// Send and Wait is refused as a tool call: it sends nothing.
const NOT_QUEUED = ['downloadMedia', 'sendAndWait'];
const messageOperations = pairs.filter(([resource, operation]) => resource === 'message' && !NOT_QUEUED.includes(String(operation.value))).map(([resource, operation]) => [resource, String(operation.value)] as const);
test.each(messageOperations)('as an AI tool, %s > %s says that "queued" and "pending" are on their way, not to be sent again', (resource, operation) => {
	expect(toolDescriptionOf(resource, operation)).toMatch(/"queued" or "pending"[^.]*: do not (send it again|repeat it)/);
});

test('in a workflow (not as a tool) the node has no Tool Description parameter', () => {
	for (const [resource, operation] of pairs) expect(parametersOf(plain, resource, String(operation.value))).not.toHaveProperty('toolDescription');
});
