/**
 * The node's description as n8n loads it: every operation is sent through the transport (never by
 * RoutingNode itself), the recipient field and Country show exactly for each resource's operations
 * with a recipient, the node has one Options collection, and the README names every operation.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { commonDeclarativeNodeOptionParameters } from 'n8n-core/dist/nodes-loader/constants';
import { NodeHelpers } from 'n8n-workflow';
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { messagePreSend } from '../nodes/Hypersender/actions/message';
import { HypersenderTrigger } from '../nodes/HypersenderTrigger/HypersenderTrigger.node';
import { CONTACT_RECIPIENT_OPERATIONS } from '../nodes/Hypersender/descriptions/ContactDescription';
import { MESSAGE_RECIPIENT_OPERATIONS } from '../nodes/Hypersender/descriptions/MessageDescription';
import { refuseOutsideWorkflowStep } from '../nodes/Hypersender/descriptions/operation';
import { Hypersender } from '../nodes/Hypersender/Hypersender.node';
import { description, nodeWith, operationSelectorsOf, resources } from './helpers/nodeDescription';

/** Every resource's operations, as the editor offers them. */
function operationsOf(resource: string): INodePropertyOptions[] {
	const selectors = operationSelectorsOf(resource);
	expect(selectors).toHaveLength(1);
	return selectors[0].options as INodePropertyOptions[];
}

const pairs = resources.flatMap((resource) => operationsOf(String(resource.value)).map((operation) => [String(resource.value), operation] as const));

/** Whether n8n's editor shows `property` for this resource and operation (root paths such as /operation included). */
function shows(property: INodeProperties, resource: string, operation: string): boolean {
	const parameters = NodeHelpers.getNodeParameters(description.properties, { resource, operation }, true, false, null, description) ?? {};
	return NodeHelpers.displayParameter(parameters, property, nodeWith(parameters), description, parameters);
}

/** The node's registered custom operations (descriptions/operation.ts `customOperation`), as `resource > value`. */
const customOperations = Object.entries(new Hypersender().customOperations).flatMap(([resource, operations]) =>
	Object.entries(operations).map(([value, run]) => ({ key: `${resource} > ${value}`, run })),
);
const isCustom = (resource: string, operation: INodePropertyOptions) => customOperations.some(({ key }) => key === `${resource} > ${String(operation.value)}`);
const routedPairs = pairs.filter(([resource, operation]) => !isCustom(resource, operation));

describe('every operation goes through the transport', () => {
	test('every operation is routed to a runner or is a registered custom operation, and every custom operation is offered', () => {
		for (const { run } of customOperations) expect(typeof run).toBe('function');
		expect(customOperations.map(({ key }) => key).sort()).toEqual(
			pairs.filter(([resource, operation]) => isCustom(resource, operation)).map(([resource, operation]) => `${resource} > ${String(operation.value)}`).sort(),
		);
		// WorkflowExecute runs a custom operation's function; RoutingNode (an AI agent's tool call) only reaches the refusal.
		for (const [resource, operation] of pairs) {
			if (!isCustom(resource, operation)) continue;
			expect(operation.routing?.send).toEqual({ paginate: true });
			expect(operation.routing?.operations?.pagination).toBe(refuseOutsideWorkflowStep);
		}
	});

	test.each(routedPairs.map(([resource, operation]) => [`${resource} > ${operation.name}`, operation]))('%s: paginate with a runner, so RoutingNode calls the runner instead of sending', (_, operation) => {
		const routing = (operation as INodePropertyOptions).routing;
		expect(routing?.send?.paginate).toBe(true);
		expect(typeof routing?.operations?.pagination).toBe('function');
		expect(routing?.request?.method).toMatch(/^(GET|POST|PUT|DELETE)$/);
		for (const hook of routing?.send?.preSend ?? []) expect(typeof hook).toBe('function');
	});

	test('no field starts or redirects a request of its own (only the operations carry request routing)', () => {
		const operationSelectors = new Set(description.properties.filter((property) => property.name === 'operation'));
		const fieldsWithRequestRouting: string[] = [];
		const visit = (property: INodeProperties | INodePropertyOptions, path: string) => {
			const routing = 'routing' in property ? property.routing : undefined;
			if (routing && (routing.request || routing.operations || routing.send?.paginate !== undefined)) fieldsWithRequestRouting.push(path);
			for (const child of ('options' in property && Array.isArray(property.options) ? property.options : []) as Array<INodeProperties | INodePropertyOptions>) {
				visit(child, `${path}.${'name' in child ? child.name : ''}`);
			}
		};
		for (const property of description.properties) if (!operationSelectors.has(property)) visit(property, property.name);
		expect(fieldsWithRequestRouting).toEqual([]);
	});

	test('every Message operation has its preSend hook, counted in its node run', () => {
		const routed = operationsOf('message').filter((operation) => !isCustom('message', operation));
		expect(Object.keys(messagePreSend).sort()).toEqual(routed.map((operation) => String(operation.value)).sort());
		for (const operation of routed) expect(operation.routing?.send?.preSend).toEqual([messagePreSend[String(operation.value)]]);
	});
});

describe('the recipient shows where a resource says its operations take one', () => {
	const recipients: Record<string, readonly string[]> = { contact: CONTACT_RECIPIENT_OPERATIONS, message: MESSAGE_RECIPIENT_OPERATIONS };
	const chatIdFields = description.properties.filter((property) => property.name === 'chatId');
	const options = description.properties.filter((property) => property.name === 'options');
	const country = (options[0]?.options as INodeProperties[] | undefined)?.find((option) => option.name === 'defaultCountryCode');

	test('one Chat ID field, one Options collection (sorted), with Country in it', () => {
		expect(chatIdFields).toHaveLength(1);
		expect(options).toHaveLength(1);
		const names = (options[0].options as INodeProperties[]).map((option) => option.displayName);
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
		expect(country).toBeDefined();
	});

	test.each(pairs.map(([resource, operation]) => [resource, String(operation.value)]))('%s > %s', (resource, operation) => {
		const expected = recipients[resource]?.includes(operation) ?? false;
		expect(shows(chatIdFields[0], resource, operation)).toBe(expected);
		expect(shows(country as INodeProperties, resource, operation)).toBe(expected);
	});
});

describe("the README tells users about every operation (step 5 of CONTRIBUTING's 'Adding an operation')", () => {
	const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
	test.each(pairs.map(([resource, operation]) => [`${resources.find((option) => option.value === resource)?.name} > ${operation.name}`, operation.name]))(
		'%s: a heading or row names it',
		(resourceAndOperation, operationName) => {
			expect(readme.includes(resourceAndOperation) || readme.includes(`**${operationName}**`)).toBe(true);
		},
	);
});

test("every example workflow's Hypersender Trigger is at the trigger's default version, as the scripts' workflows are", () => {
	const { defaultVersion } = new HypersenderTrigger().description;
	const scripts = readFileSync(path.join(__dirname, '..', 'scripts', 'lib', 'hypersender-trigger.mjs'), 'utf8');
	expect(/export const TRIGGER_VERSION = (\d+);/.exec(scripts)?.[1]).toBe(String(defaultVersion));
	const examples = path.join(__dirname, '..', 'examples');
	const triggers = readdirSync(examples)
		.filter((file) => file.endsWith('.json'))
		.flatMap((file) => (JSON.parse(readFileSync(path.join(examples, file), 'utf8')) as { nodes: Array<{ type: string; typeVersion: number }> }).nodes.map((node) => ({ file, ...node })))
		.filter((node) => node.type.endsWith('.hypersenderTrigger'));
	expect(triggers.length).toBeGreaterThan(0);
	for (const trigger of triggers) expect({ file: trigger.file, typeVersion: trigger.typeVersion }).toEqual({ file: trigger.file, typeVersion: defaultVersion });
});

test("Settings > Request Options are there with the names n8n's loader would give a declarative node (it skips a node with a webhook(), as Send and Wait needs)", () => {
	const ours = description.properties.filter((property) => property.name === 'requestOptions');
	expect(ours).toHaveLength(1);
	const names = (property: INodeProperties) => (property.options as INodeProperties[]).map((option) => `${option.name}:${option.type}`).sort();
	expect(names(ours[0])).toEqual(names(commonDeclarativeNodeOptionParameters));
	expect(ours[0].isNodeSetting).toBe(true);
});
