// Building blocks for the workflows the e2e scenarios import, and reading a run's output.

/** A workflow node; its id comes from its name, so each name is used once per workflow. */
export function node(name, type, parameters, extra = {}) {
	return { id: name.toLowerCase().replace(/\W+/g, '-'), name, type, typeVersion: 1, position: [0, 0], parameters, ...extra };
}

export const manualTrigger = () => node('Manual Trigger', 'n8n-nodes-base.manualTrigger', {});

/** A Code node that puts out `rows`, one item each. */
export const codeNode = (name, rows) =>
	node(name, 'n8n-nodes-base.code', { jsCode: `return ${JSON.stringify(rows)}.map((json) => ({ json }));` }, { typeVersion: 2 });

/** A Hypersender node of the install way's `nodeType`, using `credential`. */
export const workflowNode = (name, nodeType, credential, parameters, extra = {}) =>
	node(name, nodeType, parameters, { credentials: { hypersenderApi: { id: credential.id, name: credential.name } }, ...extra });

/** A workflow whose nodes run one after the other. */
export function chainWorkflow(id, name, nodes) {
	nodes.forEach((n, i) => (n.position = [i * 220, 0]));
	const connections = {};
	for (let i = 0; i + 1 < nodes.length; i++) {
		connections[nodes[i].name] = { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] };
	}
	return { id, name, nodes, connections, settings: {}, active: false, pinData: {} };
}

/** The items a node put out on one of its outputs in a run (`n8n execute --rawOutput` JSON). */
export function outputOf(run, nodeName, branch = 0) {
	return run?.data?.resultData?.runData?.[nodeName]?.[0]?.data?.main?.[branch] ?? [];
}
