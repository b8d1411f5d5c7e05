/**
 * Building blocks for end-to-end tests against real n8n:
 *
 *   const n8n = useN8n();            // started in beforeAll, stopped in afterAll
 *   const sandbox = useSandbox();
 *   it('...', async () => {
 *     const credential = await createSandboxCredential(n8n(), sandbox());
 *     const workflow = await n8n().importWorkflow(withCredential(readExample('x.json'), credential));
 *     const run = await n8n().runWorkflow(workflow.id);
 *     expect(run.output('BLS Portal')).toEqual(...);
 *   });
 */
import * as fs from 'fs';
import * as path from 'path';

import { startSandbox } from '../../sandbox';
import type { SandboxOptions } from '../../sandbox';
import { repoRoot } from '../../scripts/n8n/install';
import {
	CreatedCredential,
	N8nInstance,
	startN8n,
	StartN8nOptions,
} from '../../scripts/n8n/instance';
import {
	chainWorkflow as chainNodes,
	CREDENTIAL_TYPE,
	NodeSpec,
	WorkflowJson,
} from '../../scripts/n8n/workflows';

export { nodeOutput, NODE_TYPES, withCredential } from '../../scripts/n8n/workflows';
export type { NodeSpec, WorkflowJson, WorkflowNode } from '../../scripts/n8n/workflows';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

/** Enough for a first run that must install n8n (several minutes) and then start it. */
const START_TIMEOUT_MS = 20 * 60_000;

/** One n8n for the test file: started before its tests, stopped after them. */
export function useN8n(options: StartN8nOptions = {}): () => N8nInstance {
	let instance: N8nInstance | undefined;
	beforeAll(async () => {
		instance = await startN8n(options);
	}, START_TIMEOUT_MS);
	afterAll(async () => {
		await instance?.stop();
	}, 60_000);
	return () => {
		if (!instance) throw new Error('n8n did not start (see beforeAll)');
		return instance;
	};
}

/** One sandbox for the test file, on a free port. */
export function useSandbox(options: SandboxOptions = {}): () => Sandbox {
	let sandbox: Sandbox | undefined;
	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, ...options });
	});
	afterAll(async () => {
		await sandbox?.stop();
	});
	return () => {
		if (!sandbox) throw new Error('The sandbox did not start (see beforeAll)');
		return sandbox;
	};
}

/**
 * The credential data for a sandbox account (default: demo account 1), as a user would enter it,
 * with its request pacing matching the sandbox's rate limit (off when the sandbox has none).
 */
export function sandboxCredentialData(
	sandbox: Sandbox,
	accountIndex = 0,
): {
	clientId: string;
	apiKey: string;
	baseUrl: string;
	requestsPerMinute: number;
	rateWindowSeconds?: number;
} {
	const account = sandbox.accounts[accountIndex];
	if (!account) throw new Error(`The sandbox has no account #${accountIndex + 1}`);
	const limit = sandbox.configure({}).rateLimit;
	return {
		clientId: account.hbClientId,
		apiKey: account.apiKey,
		baseUrl: sandbox.apiUrl,
		...(limit
			? { requestsPerMinute: limit.max, rateWindowSeconds: limit.windowMs / 1000 }
			: { requestsPerMinute: 0 }),
	};
}

/** Creates a "BLS Portal API" credential in n8n for a sandbox account. */
export function createSandboxCredential(
	n8n: N8nInstance,
	sandbox: Sandbox,
	options: { accountIndex?: number; name?: string } = {},
): Promise<CreatedCredential> {
	return n8n.createCredential({
		name: options.name ?? `BLS Sandbox #${(options.accountIndex ?? 0) + 1}`,
		type: CREDENTIAL_TYPE,
		data: sandboxCredentialData(sandbox, options.accountIndex),
	});
}

/** A workflow from examples/ (as exported from n8n). */
export function readExample(fileName: string): WorkflowJson {
	return JSON.parse(
		fs.readFileSync(path.join(repoRoot(), 'examples', fileName), 'utf8'),
	) as WorkflowJson;
}

/**
 * A workflow whose nodes run one after another, starting with `first` (default: a Manual
 * Trigger, so `runWorkflow` can run it).
 */
export function chainWorkflow(
	name: string,
	nodes: NodeSpec[],
	first: NodeSpec | null = MANUAL_TRIGGER,
): WorkflowJson {
	return chainNodes(name, first ? [first, ...nodes] : nodes);
}

export const MANUAL_TRIGGER: NodeSpec = {
	name: 'Start',
	type: 'n8n-nodes-base.manualTrigger',
	typeVersion: 1,
	parameters: {},
};

/** A Set node (v3.4) assigning `fields` (values may be n8n expressions such as '={{ $json.x }}'). */
export function setNode(name: string, fields: Record<string, string | number | boolean>): NodeSpec {
	return {
		name,
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		parameters: {
			assignments: {
				assignments: Object.entries(fields).map(([field, value], index) => ({
					id: `${name}-${index}`,
					name: field,
					value,
					type:
						typeof value === 'number'
							? 'number'
							: typeof value === 'boolean'
								? 'boolean'
								: 'string',
				})),
			},
		},
	};
}

/**
 * Waits until n8n has saved the trigger's registration (its static data) after activation: n8n
 * answers webhooks with the static data it has stored, so a delivery that arrives earlier is
 * refused for want of a secret (the API would retry it 15 minutes later).
 */
export async function triggerRegistrationSaved(
	n8n: N8nInstance,
	workflowId: string,
	timeoutMs = 30_000,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (
		!JSON.stringify((await n8n.getWorkflow(workflowId)).staticData ?? {}).includes('sealedSecret')
	) {
		if (Date.now() > deadline)
			throw new Error(
				`Timed out waiting for workflow ${workflowId} to save its trigger registration`,
			);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}
