/**
 * Helpers for workflow JSON as n8n exports it: shape it for the public API, point its nodes at a
 * credential, and read node outputs from a run.
 */

export const PACKAGE_NAME = 'n8n-nodes-bls-portal';
export const CREDENTIAL_TYPE = 'blsPortalApi';
/** Node type names as users' workflows reference them (the package is installed as a community package). */
export const NODE_TYPES = {
	blsPortal: `${PACKAGE_NAME}.blsPortal`,
	blsPortalTrigger: `${PACKAGE_NAME}.blsPortalTrigger`,
} as const;

export interface WorkflowNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	credentials?: Record<string, { id: string; name: string }>;
	webhookId?: string;
	[key: string]: unknown;
}

export interface WorkflowJson {
	id?: string;
	name: string;
	nodes: WorkflowNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	staticData?: unknown;
	[key: string]: unknown;
}

/** A node as a workflow is written: id and position are filled in by {@link chainWorkflow}. */
export type NodeSpec = Pick<WorkflowNode, 'name' | 'type' | 'typeVersion' | 'parameters'> &
	Partial<WorkflowNode>;

/** A workflow whose nodes run one after another, the first being its trigger. */
export function chainWorkflow(
	name: string,
	nodes: NodeSpec[],
	settings: Record<string, unknown> = { executionOrder: 'v1' },
): WorkflowJson {
	const connections: Record<string, unknown> = {};
	nodes.forEach((node, index) => {
		const next = nodes[index + 1];
		if (next) connections[node.name] = { main: [[{ node: next.name, type: 'main', index: 0 }]] };
	});
	return {
		name,
		nodes: nodes.map((node, index) => ({
			id: `node-${index + 1}`,
			position: [index * 220, 0] as [number, number],
			...node,
		})),
		connections,
		settings,
	};
}

export interface CredentialRef {
	id: string;
	name: string;
}

// The public API rejects properties it does not know (additionalProperties: false), and
// exported workflows carry many (id, active, meta, pinData, tags, versionId...). Both n8n 1.x
// and 2.x accept these.
const NODE_KEYS = [
	'id',
	'name',
	'webhookId',
	'disabled',
	'notesInFlow',
	'notes',
	'type',
	'typeVersion',
	'executeOnce',
	'alwaysOutputData',
	'retryOnFail',
	'maxTries',
	'waitBetweenTries',
	'continueOnFail',
	'onError',
	'position',
	'parameters',
	'credentials',
];
const SETTINGS_KEYS = [
	'saveExecutionProgress',
	'saveManualExecutions',
	'saveDataErrorExecution',
	'saveDataSuccessExecution',
	'executionTimeout',
	'errorWorkflow',
	'timezone',
	'executionOrder',
	'callerPolicy',
	'callerIds',
];

/** The body `POST /api/v1/workflows` accepts, from a workflow as exported by n8n. */
export function toPublicApiWorkflow(workflow: WorkflowJson): Record<string, unknown> {
	return {
		name: workflow.name,
		nodes: workflow.nodes.map((node) => pick(node, NODE_KEYS)),
		connections: workflow.connections,
		settings: pick(workflow.settings ?? {}, SETTINGS_KEYS),
		...(workflow.staticData ? { staticData: workflow.staticData } : {}),
	};
}

/**
 * A copy of `workflow` whose nodes of this package (and any node already naming a credential of
 * `credentialType`) use `credential`.
 */
export function withCredential(
	workflow: WorkflowJson,
	credential: CredentialRef,
	credentialType: string = CREDENTIAL_TYPE,
): WorkflowJson {
	const copy: WorkflowJson = JSON.parse(JSON.stringify(workflow));
	for (const node of copy.nodes) {
		const usesType = node.credentials?.[credentialType] !== undefined;
		if (usesType || node.type.startsWith(`${PACKAGE_NAME}.`)) {
			node.credentials = {
				...(node.credentials ?? {}),
				[credentialType]: { id: credential.id, name: credential.name },
			};
		}
	}
	return copy;
}

/** The run data of one execution, as n8n stores it (`IRunExecutionData`, only the parts we read). */
export interface RunExecutionData {
	resultData: {
		runData: Record<
			string,
			Array<{ data?: { main?: Array<Array<{ json: unknown }> | null> }; error?: unknown }>
		>;
		lastNodeExecuted?: string;
		error?: { message?: string; [key: string]: unknown };
	};
	[key: string]: unknown;
}

/**
 * The JSON items node `nodeName` emitted on `output` (default 0) in its `runIndex`-th run (default:
 * its last run). Without `nodeName`, the last node executed.
 */
export function nodeOutput(
	data: RunExecutionData,
	nodeName?: string,
	options: { output?: number; runIndex?: number } = {},
): unknown[] {
	const name = nodeName ?? data.resultData.lastNodeExecuted;
	if (!name) throw new Error('The run executed no node');
	const runs = data.resultData.runData[name];
	if (!runs || runs.length === 0) {
		throw new Error(
			`Node "${name}" did not run; ran: ${Object.keys(data.resultData.runData).join(', ')}`,
		);
	}
	const run = runs[options.runIndex ?? runs.length - 1];
	const items = run?.data?.main?.[options.output ?? 0] ?? [];
	return items.map((item) => item.json);
}

function pick(source: Record<string, unknown>, keys: string[]): Record<string, unknown> {
	const result: Record<string, unknown> = {};
	for (const key of keys) if (source[key] !== undefined) result[key] = source[key];
	return result;
}
