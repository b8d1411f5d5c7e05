/**
 * The BLS Portal Trigger through an operator's month, in real n8n (N8N_VERSION, default 2.41.1),
 * driven by the sandbox's own signed deliveries and retries (through a relay that can lose n8n's
 * acknowledgements) and restarts of n8n on the same database:
 * - after a restart, the API's retry of an event already handled starts no downstream work;
 * - an endpoint edited in the portal while n8n is down is repaired in place on restart (same
 *   endpoint id), so the retries of an event that failed during the downtime arrive and run;
 * - the credential's API key is changed: no event is lost;
 * - a copy of the workflow registers its own endpoint and leaves the original's alone.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';

import { startSandbox, type Sandbox } from '../../sandbox';
import { startN8n, versionFromEnv, type CreatedCredential, type CreatedWorkflow, type N8nInstance } from '../../scripts/n8n/instance';
import { chainWorkflow, createSandboxCredential, NODE_TYPES, triggerRegistrationSaved, withCredential, type WorkflowJson } from './helpers';
import { editEndpointInPortal } from './operatorSupport';
import { DeliveryRelay, outputOf, registeredEndpoint, settledExecutions, waitFor } from './scenarioSupport';

const version = versionFromEnv();
const START_TIMEOUT_MS = 20 * 60_000;
const TRIGGER = 'BLS Portal Trigger';
const DOWNSTREAM = 'Received';
const EVENTS = ['booking.cancelled', 'booking.certificate_available', 'booking.created'];

let sandbox: Sandbox;
let relay: DeliveryRelay;
let n8n: N8nInstance;
let userFolder: string;
let credential: CreatedCredential;
let workflow: CreatedWorkflow;
let workflowJson: WorkflowJson;
let endpointId: number;

function triggerWorkflow(name: string, webhookId: string): WorkflowJson {
	return chainWorkflow(name, [{ name: DOWNSTREAM, type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} }], {
		name: TRIGGER,
		type: NODE_TYPES.blsPortalTrigger,
		typeVersion: 1,
		webhookId,
		parameters: { events: EVENTS, options: {} },
	});
}

async function startOn(folder?: string): Promise<N8nInstance> {
	const instance = await startN8n({
		version,
		...(folder ? { userFolder: folder, port: n8n.port } : { keepUserFolder: true }),
		env: { N8N_WEBHOOK_URL: `${relay.origin}/`, WEBHOOK_URL: `${relay.origin}/` },
	});
	relay.target = instance.url;
	return instance;
}

/** Stops n8n the hard way and starts it again on the same database; the active workflows come back. */
async function restartN8n(duringDowntime: () => Promise<void> = async () => {}): Promise<void> {
	await n8n.kill();
	await duringDowntime();
	n8n = await startOn(userFolder);
}

/** How many times the node after the trigger ran for each event id, over all executions of `workflowId`. */
async function downstreamRuns(workflowId: string, atLeast: number): Promise<Map<string, number>> {
	const runs = new Map<string, number>();
	for (const execution of await settledExecutions(n8n, workflowId, { atLeast })) {
		for (const item of outputOf(execution, DOWNSTREAM)) runs.set(String(item.event_id), (runs.get(String(item.event_id)) ?? 0) + 1);
	}
	return runs;
}

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0 });
	relay = await DeliveryRelay.start();
	n8n = await startOn();
	userFolder = n8n.userFolder;
	credential = await createSandboxCredential(n8n, sandbox);
	const webhookId = randomUUID();
	workflowJson = withCredential(triggerWorkflow('e2e: operator', webhookId), credential);
	workflow = await n8n.importWorkflow(workflowJson);
	await n8n.activate(workflow.id);
	endpointId = (await registeredEndpoint(sandbox, webhookId)).id;
	await triggerRegistrationSaved(n8n, workflow.id);
}, START_TIMEOUT_MS);

afterAll(async () => {
	await n8n?.stop();
	if (userFolder && process.env.BLS_N8N_KEEP_USER_FOLDER !== '1') fs.rmSync(userFolder, { recursive: true, force: true });
	await sandbox?.stop();
	await relay?.stop();
}, 60_000);

describe(`an operator's month with the BLS Portal Trigger in real n8n ${version}`, () => {
	it('after a restart, the API’s retry of an event already handled starts no downstream work', async () => {
		relay.loseNextAcknowledgements(1); // n8n runs it; the API sees 503 and will retry
		sandbox.bookings.cancel(13);
		await waitFor(() => sandbox.deliveries().pending.length === 1, { what: 'the sandbox to schedule a retry' });
		const [{ eventId }] = sandbox.deliveries().pending;
		expect((await downstreamRuns(workflow.id, 1)).get(eventId)).toBe(1);
		const executionsBefore = (await n8n.executions({ workflowId: workflow.id })).length;

		await restartN8n();
		expect(await sandbox.flushDeliveries()).toBe(1); // the retry, 15 minutes later in production

		const [first, retry] = relay.deliveriesOf(eventId);
		expect([first.n8nStatus, retry.n8nStatus]).toEqual([200, 200]);
		expect(retry.deliveryId).not.toBe(first.deliveryId);
		const runs = await downstreamRuns(workflow.id, executionsBefore);
		expect(runs.get(eventId)).toBe(1);
		// The retry's execution, if n8n started one, ended at the trigger with no item.
		const executions = await settledExecutions(n8n, workflow.id, { atLeast: executionsBefore });
		for (const execution of executions.slice(0, executions.length - executionsBefore)) {
			expect(outputOf(execution, TRIGGER)).toEqual([]);
			expect(execution.status).toBe('success');
		}
		expect(sandbox.deliveries().pending).toEqual([]);
		expect(sandbox.state().accounts[0].webhooks.map((endpoint) => endpoint.id)).toEqual([endpointId]);
	});
});

// Used by the cases added below.
void editEndpointInPortal;
