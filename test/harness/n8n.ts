import { ExecutionLifecycleHooks, LoadOptionsContext, WorkflowExecute } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	INode,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	INodeTypes,
	IRun,
	IRunExecutionData,
	IVersionedNodeType,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { BlsPortalApi } from '../../credentials/BlsPortalApi.credentials';
import { BlsPortal } from '../../nodes/BlsPortal/BlsPortal.node';
import { TestCredentialsHelper } from './credentials';

export const PACKAGE = 'n8n-nodes-bls-portal';

/** Node types by their name inside the package (`blsPortal`, `blsPortalTrigger`). */
const nodeTypes: Record<string, INodeType> = {};
export function registerNodeType(name: string, type: INodeType): void {
	nodeTypes[`${PACKAGE}.${name}`] = type;
}
registerNodeType('blsPortal', new BlsPortal());

const nodeTypesRegistry: INodeTypes = {
	getByName: (type) => lookup(type),
	getByNameAndVersion: (type) => lookup(type),
	getKnownTypes: () => ({}),
};

function lookup(type: string): INodeType {
	const found = nodeTypes[type];
	if (!found) throw new Error(`Unknown node type ${type}`);
	return found;
}

export interface RunOptions {
	/** Node parameters as the editor would store them. */
	parameters: INodeParameters;
	/** Input items; one empty item by default, like a manual trigger. */
	items?: INodeExecutionData[];
	continueOnFail?: boolean;
	/** Defaults to the harness's credential. */
	credential?: INodeCredentialsDetails;
	nodeType?: string;
	/** Receives the way to cancel the execution, as n8n's Stop button or an execution timeout does. */
	whenStarted?: (cancel: () => void) => void;
}

export interface NodeRun {
	/** Items of the first output, or undefined when the node failed. */
	items: INodeExecutionData[];
	/** The node's error (as n8n stores it) when it failed without continueOnFail. */
	error?: Error & { description?: string; httpCode?: string; context?: IDataObject };
	run: IRun;
}

/**
 * Runs nodes the way n8n does: n8n-core's WorkflowExecute over a one-node workflow, real
 * ExecuteContext helpers and HTTP, credentials through {@link TestCredentialsHelper}.
 */
export class N8nHarness {
	readonly credentials = new TestCredentialsHelper({ blsPortalApi: new BlsPortalApi() });

	private credential: INodeCredentialsDetails;

	private runs = 0;

	constructor(credentialData: ICredentialDataDecryptedObject) {
		this.credential = this.saveCredential('cred-1', credentialData);
	}

	/**
	 * Stores a credential with the hidden token fields empty, as the editor saves a new one. Pacing is
	 * off unless a test sets Requests per Minute: most suites run the sandbox without its rate limit.
	 */
	saveCredential(id: string, data: ICredentialDataDecryptedObject): INodeCredentialsDetails {
		return this.credentials.save(id, {
			requestsPerMinute: 0,
			accessToken: '',
			refreshToken: '',
			sessionExpiresAt: '',
			sessionOwner: '',
			...data,
		});
	}

	get credentialId(): string {
		return this.credential.id ?? '';
	}

	additionalData(hooks?: ExecutionLifecycleHooks): IWorkflowExecuteAdditionalData {
		return {
			credentialsHelper: this.credentials,
			hooks,
			executionId: `test-${this.runs}`,
			currentNodeExecutionIndex: 0,
			restApiUrl: 'http://127.0.0.1/rest',
			instanceBaseUrl: 'http://127.0.0.1/',
			webhookBaseUrl: 'http://127.0.0.1/webhook',
			webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
			webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
			formBaseUrl: 'http://127.0.0.1/form',
			formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
			formTestBaseUrl: 'http://127.0.0.1/form-test',
			mcpBaseUrl: 'http://127.0.0.1/mcp',
			mcpTestBaseUrl: 'http://127.0.0.1/mcp-test',
			variables: {},
			logAiEvent: () => {},
			getRunExecutionData: async () => undefined,
			getRuntimeCredential: async () => undefined,
			executeWorkflow: async () => {
				throw new Error('Sub-workflows are not available in the harness');
			},
		} as unknown as IWorkflowExecuteAdditionalData;
	}

	node(parameters: INodeParameters, options: Partial<RunOptions> = {}): INode {
		return {
			id: 'node-1',
			name: 'BLS Portal',
			type: `${PACKAGE}.${options.nodeType ?? 'blsPortal'}`,
			typeVersion: 1,
			position: [0, 0],
			parameters,
			credentials: { blsPortalApi: options.credential ?? this.credential },
			continueOnFail: options.continueOnFail,
			...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		};
	}

	workflow(node: INode): Workflow {
		return new Workflow({
			id: 'wf-test',
			name: 'harness',
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes: nodeTypesRegistry,
			staticData: {},
		});
	}

	async run(options: RunOptions): Promise<NodeRun> {
		this.runs++;
		const node = this.node(options.parameters, options);
		const workflow = this.workflow(node);
		const hooks = new ExecutionLifecycleHooks('manual', `test-${this.runs}`, {
			id: 'wf-test',
			name: 'harness',
			nodes: [node],
			connections: {},
			active: false,
			isArchived: false,
			activeVersionId: null,
			createdAt: new Date(),
			updatedAt: new Date(),
		} as never);
		let finish: (run: IRun) => void = () => {};
		const finished = new Promise<IRun>((resolve) => (finish = resolve));
		hooks.addHandler('workflowExecuteAfter', (run) => finish(run));

		const runExecutionData = {
			startData: {},
			resultData: { runData: {} },
			executionData: {
				contextData: {},
				metadata: {},
				nodeExecutionStack: [
					{ node, data: { main: [options.items ?? [{ json: {} }]] }, source: null },
				],
				waitingExecution: {},
				waitingExecutionSource: {},
			},
		} as unknown as IRunExecutionData;

		const execute = new WorkflowExecute(this.additionalData(hooks), 'manual', runExecutionData);
		const running = execute.processRunExecutionData(workflow);
		options.whenStarted?.(() => running.cancel());
		await running;
		const run = await finished;

		const taskData = run.data.resultData.runData[node.name]?.[0];
		const error = (taskData?.error ?? run.data.resultData.error) as NodeRun['error'];
		const items = taskData?.data?.main?.[0] ?? [];
		return { items, error, run };
	}

	/** Runs and fails the test with the node's own message if the node failed. */
	async output(options: RunOptions): Promise<INodeExecutionData[]> {
		const { items, error } = await this.run(options);
		if (error)
			throw new Error(
				`Node failed: ${error.message}${error.description ? ` — ${error.description}` : ''}`,
			);
		return items;
	}

	/** A context like the one n8n gives `methods.loadOptions` / `methods.listSearch`. */
	loadOptionsContext(parameters: INodeParameters, nodeType = 'blsPortal'): LoadOptionsContext {
		const node = this.node(parameters, { nodeType });
		return new LoadOptionsContext(this.workflow(node), node, this.additionalData(), 'parameters');
	}
}

export function jsonOf(items: INodeExecutionData[]): IDataObject[] {
	return items.map((item) => item.json);
}

export type { IVersionedNodeType };
