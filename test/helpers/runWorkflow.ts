/**
 * Runs the Hypersender node the way n8n does: a workflow of an item source and our node,
 * executed by n8n-core's WorkflowExecute (which hands declarative nodes to RoutingNode), with
 * the node description completed by n8n's own loader and the credential's real `authenticate`
 * applied to every request. Only HTTP to the fake server on 127.0.0.1 leaves the process.
 */
import { DirectoryLoader, ExecutionLifecycleHooks, RoutingNode, WorkflowExecute } from 'n8n-core';
import {
	createRunExecutionData,
	ICredentialsHelper,
	NodeConnectionTypes,
	Workflow,
} from 'n8n-workflow';
import type {
	IBinaryKeyData,
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	NodeParameterValueType,
	IRun,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { HypersenderApi } from '../../credentials/HypersenderApi.credentials';
import { Hypersender } from '../../nodes/Hypersender/Hypersender.node';

export const HYPERSENDER_NODE_TYPE = 'n8n-nodes-hypersender.hypersender';
const SOURCE_NODE_TYPE = 'test.itemSource';

/** Emits the items given in its `items` parameter, like a CRM trigger would, with the binary data of its `binary` parameter (by position). */
class ItemSource implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Item Source',
		name: 'itemSource',
		group: ['input'],
		version: 1,
		description: 'Emits test items',
		defaults: { name: 'Item Source' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{ displayName: 'Items', name: 'items', type: 'json', default: '[]' },
			{ displayName: 'Binary', name: 'binary', type: 'json', default: '[]' },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = JSON.parse(this.getNodeParameter('items', 0) as string) as IDataObject[];
		const binaries = JSON.parse(this.getNodeParameter('binary', 0, '[]') as string) as Array<IBinaryKeyData | null>;
		return [items.map((json, i) => (binaries[i] ? { json, binary: binaries[i] } : { json }))];
	}
}

/** A declarative node type made ready as n8n's loader and NodeTypes make it. */
export function declarativeNodeType(nodeType: INodeType): INodeType {
	// n8n's loader adds "Request Options" (batching, timeout, proxy) to every declarative node.
	DirectoryLoader.applyDeclarativeNodeOptionParameters(nodeType);
	// As n8n's own NodeTypes does for a declarative node: `execute` runs RoutingNode with the
	// execution's context, so the node sees the execution's cancel signal like in real n8n.
	nodeType.execute = async function (this: IExecuteFunctions) {
		return (await new RoutingNode(this as unknown as ConstructorParameters<typeof RoutingNode>[0], nodeType).runNode()) ?? [];
	};
	return nodeType;
}

export class TestNodeTypes implements INodeTypes {
	private readonly types: Record<string, INodeType | IVersionedNodeType>;

	constructor(extraTypes: Record<string, INodeType | IVersionedNodeType> = {}) {
		this.types = {
			[HYPERSENDER_NODE_TYPE]: declarativeNodeType(new Hypersender()),
			[SOURCE_NODE_TYPE]: new ItemSource(),
			...extraTypes,
		};
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const type = this.types[nodeType];
		if (!type) throw new Error(`Unknown node type ${nodeType}`);
		return type;
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		const type = this.getByName(nodeType);
		return 'nodeVersions' in type ? type.getNodeType(version) : type;
	}

	getKnownTypes() {
		return {};
	}
}

const credentialType = new HypersenderApi();

/** Applies the credential's declared generic auth, resolving its expressions as n8n does. */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly credentials: ICredentialDataDecryptedObject) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		if (typeName !== credentialType.name) throw new Error(`Unexpected credential type ${typeName}`);
		const headers: IDataObject = { ...(requestOptions.headers as IDataObject) };
		for (const [name, value] of Object.entries(credentialType.authenticate.properties.headers ?? {})) {
			headers[name] = workflow.expression.getParameterValue(
				value as NodeParameterValueType,
				null,
				0,
				0,
				node.name,
				[],
				'internal',
				{ $credentials: credentials },
			) as string;
		}
		return { ...requestOptions, headers };
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	getCredentialsProperties() {
		return credentialType.properties;
	}

	async getDecrypted() {
		return { ...this.credentials };
	}

	async getCredentials(): Promise<never> {
		throw new Error('not used by these tests');
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}

	getOAuth2Options() {
		return undefined;
	}

	isCredentialUsableByNode() {
		return true;
	}
}

export interface RunOptions {
	items: IDataObject[];
	/** Binary data per item, by position, as n8n holds it in memory: `{ data: base64, mimeType, fileName }`. */
	binary?: RunNodeOptions['binary'];
	parameters: IDataObject;
	credentials: ICredentialDataDecryptedObject;
	continueOnFail?: boolean;
	onStart?: RunNodeOptions['onStart'];
}

/** Any node under test, fed by the item source; the benchmark runs n8n's HTTP Request node this way too. */
export interface RunNodeOptions {
	items: IDataObject[];
	binary?: Array<IBinaryKeyData | null>;
	node: Pick<INode, 'type' | 'typeVersion' | 'parameters'> & Partial<INode>;
	credentials?: ICredentialDataDecryptedObject;
	continueOnFail?: boolean;
	extraNodeTypes?: Record<string, INodeType | IVersionedNodeType>;
	/** Receives the execution's cancel function, as n8n's Stop button calls it. */
	onStart?: (cancelExecution: () => void) => void;
}

export interface RunResult {
	run: IRun;
	/** The Hypersender node's output items, or undefined when the node failed. */
	output: INodeExecutionData[] | undefined;
	/** The error that stopped the workflow, if any. */
	error: IRun['data']['resultData']['error'];
}

export async function runHypersender({ items, binary, parameters, credentials, continueOnFail, onStart }: RunOptions): Promise<RunResult> {
	return await runNode({
		items,
		binary,
		credentials,
		continueOnFail,
		onStart,
		node: {
			type: HYPERSENDER_NODE_TYPE,
			typeVersion: 1,
			parameters: { resource: 'contact', ...parameters },
			credentials: { hypersenderApi: { id: '1', name: 'Hypersender account' } },
		},
	});
}

let executionCounter = 0;

export async function runNode({ items, binary = [], node, credentials = {}, continueOnFail = false, extraNodeTypes, onStart }: RunNodeOptions): Promise<RunResult> {
	const source: INode = {
		id: 'source',
		name: 'CRM Rows',
		type: SOURCE_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: JSON.stringify(items), binary: JSON.stringify(binary) },
	};
	const hypersender: INode = {
		id: 'target',
		name: 'Hypersender',
		position: [200, 0],
		...node,
		...(continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
	const workflow = new Workflow({
		id: 'test',
		nodes: [source, hypersender],
		connections: {
			[source.name]: { main: [[{ node: hypersender.name, type: NodeConnectionTypes.Main, index: 0 }]] },
		},
		nodeTypes: new TestNodeTypes(extraNodeTypes),
		active: false,
	});

	// Like n8n, every run is its own execution, with its own id.
	const executionId = `test-execution-${++executionCounter}`;
	const hooks = new ExecutionLifecycleHooks('manual', executionId, {
		id: 'test',
		name: 'test',
		active: false,
		nodes: workflow.nodes ? Object.values(workflow.nodes) : [],
		connections: workflow.connectionsBySourceNode,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
	} as never);
	let resolveRun: (run: IRun) => void = () => {};
	const finished = new Promise<IRun>((resolve) => (resolveRun = resolve));
	hooks.addHandler('workflowExecuteAfter', (run) => resolveRun(run));

	const additionalData = additionalDataFor(hooks, credentials, executionId);

	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: source, data: { main: [[{ json: {} }]] }, source: null }],
		},
	});

	const execution = new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
	onStart?.(() => execution.cancel());
	const run = await finished;
	const taskData = run.data.resultData.runData[hypersender.name]?.[0];
	return {
		run,
		output: taskData?.data?.main[0] ?? undefined,
		error: run.data.resultData.error,
	};
}

/**
 * What WorkflowExecute needs of n8n around an execution: its hooks, the credential helper and n8n's
 * own URLs under `baseUrl` (the instance a webhook or a resume link is served on, where a test serves one).
 */
export function additionalDataFor(
	hooks: ExecutionLifecycleHooks | undefined,
	credentials: ICredentialDataDecryptedObject,
	executionId: string,
	baseUrl = 'http://127.0.0.1',
): IWorkflowExecuteAdditionalData {
	return {
		hooks,
		credentialsHelper: new TestCredentialsHelper(credentials),
		executionId,
		restApiUrl: `${baseUrl}/rest`,
		instanceBaseUrl: `${baseUrl}/`,
		webhookBaseUrl: `${baseUrl}/webhook`,
		webhookWaitingBaseUrl: `${baseUrl}/webhook-waiting`,
		webhookTestBaseUrl: `${baseUrl}/webhook-test`,
		formWaitingBaseUrl: `${baseUrl}/form-waiting`,
		variables: {},
		currentNodeParameters: undefined,
		executeWorkflow: async () => {
			throw new Error('not used');
		},
		logAiEvent: () => {},
		getRunExecutionData: async () => undefined,
	} as unknown as IWorkflowExecuteAdditionalData;
}
