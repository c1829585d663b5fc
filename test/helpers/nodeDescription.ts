/** The Hypersender node's description as n8n loads it (its loader adds Request Options), for tests that walk it. */
import { DirectoryLoader } from 'n8n-core';
import type { INode, INodeParameters, INodeProperties, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';

import { Hypersender } from '../../nodes/Hypersender/Hypersender.node';

function loadedDescription(): INodeTypeDescription {
	const nodeType = new Hypersender();
	DirectoryLoader.applyDeclarativeNodeOptionParameters(nodeType);
	return nodeType.description;
}

export const description = loadedDescription();

export const resources = (description.properties.find((property) => property.name === 'resource')?.options ?? []) as INodePropertyOptions[];

/** The Operation selectors shown for `resource` (one, in a node built right). */
export function operationSelectorsOf(resource: string): INodeProperties[] {
	return description.properties.filter((property) => property.name === 'operation' && property.displayOptions?.show?.resource?.includes(resource));
}

/** A Hypersender node with these parameters, as n8n's display checks take it. */
export const nodeWith = (parameters: INodeParameters): INode => ({ id: 'n', name: 'Hypersender', type: 'hypersender', typeVersion: 1, position: [0, 0], parameters });
