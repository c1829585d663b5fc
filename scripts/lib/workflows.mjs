// Building blocks for the workflows the scripts import into n8n (e2e scenarios, queue mode,
// screenshots), and reading a run's output.

/** A workflow node; its id comes from its name, so each name is used once per workflow. */
export function node(name, type, parameters, extra = {}) {
	return { id: name.toLowerCase().replace(/\W+/g, '-'), name, type, typeVersion: 1, position: [0, 0], parameters, ...extra };
}

export const manualTrigger = () => node('Manual Trigger', 'n8n-nodes-base.manualTrigger', {});

/** A Webhook node taking POSTs at `path`; `parameters` add to its own (responseMode, ...). */
export const webhookNode = (name, path, webhookId, parameters = {}) =>
	node(name, 'n8n-nodes-base.webhook', { httpMethod: 'POST', path, ...parameters, options: {} }, { typeVersion: 2, webhookId });

/** A Code node that puts out `rows`, one item each. */
export const codeNode = (name, rows) =>
	node(name, 'n8n-nodes-base.code', { jsCode: `return ${JSON.stringify(rows)}.map((json) => ({ json }));` }, { typeVersion: 2 });

/** A Hypersender node of the install way's `nodeType`, using `credential`. */
export const workflowNode = (name, nodeType, credential, parameters, extra = {}) =>
	node(name, nodeType, parameters, { credentials: { hypersenderApi: { id: credential.id, name: credential.name } }, ...extra });

/**
 * A Hypersender node upserting one contact per item: Chat ID from the item's `phone`, the names
 * from its `first` and `last`; `parameters` override or add to these.
 */
export const upsertNode = (nodeType, credential, parameters = {}, extra = {}) =>
	workflowNode('Hypersender', nodeType, credential, { resource: 'contact', operation: 'upsert', chatId: '={{ $json.phone }}', firstName: '={{ $json.first }}', lastName: '={{ $json.last }}', options: {}, ...parameters }, extra);

/** The chat ID of row `row` of batch `batch` in `webhookUpsertWorkflow` (the batch digit names the run). */
export const batchRowChatId = (batch, row) => `1213373${batch}${String(row).padStart(3, '0')}@c.us`;

/**
 * A production webhook at `path` whose body { batch, count, label } becomes `count` rows (phone
 * +1 213 373 <batch><row in 3 digits>, first name "<label> <batch>", last name the row), each
 * upserted by the Hypersender node (its `extra`: onError, ...).
 */
export function webhookUpsertWorkflow({ id, name, path, webhookId, nodeType, credential, extra = {} }) {
	const rows = `const { batch, count, label } = $json.body;
return Array.from({ length: count }, (_, i) => ({ json: { phone: '+1 213 373 ' + batch + String(i).padStart(3, '0'), first: label + ' ' + batch, last: String(i) } }));`;
	return chainWorkflow(id, name, [
		webhookNode('Webhook', path, webhookId, { responseMode: 'onReceived' }),
		node('Rows', 'n8n-nodes-base.code', { jsCode: rows }, { typeVersion: 2 }),
		upsertNode(nodeType, credential, {}, extra),
	]);
}

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
