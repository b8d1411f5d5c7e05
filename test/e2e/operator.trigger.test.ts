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
import {
	startN8n,
	versionFromEnv,
	type CreatedCredential,
	type CreatedWorkflow,
	type N8nInstance,
} from '../../scripts/n8n/instance';
import {
	chainWorkflow,
	createSandboxCredential,
	NODE_TYPES,
	triggerRegistrationSaved,
	withCredential,
	type WorkflowJson,
} from './helpers';
import { editCredentialAsEditor, editEndpointInPortal } from './operatorSupport';
import {
	accountBookings,
	DeliveryRelay,
	outputOf,
	registeredEndpoint,
	settledExecutions,
	waitFor,
} from './scenarioSupport';

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
	return chainWorkflow(
		name,
		[{ name: DOWNSTREAM, type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} }],
		{
			name: TRIGGER,
			type: NODE_TYPES.blsPortalTrigger,
			typeVersion: 1,
			webhookId,
			parameters: { events: EVENTS, options: {} },
		},
	);
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
		for (const item of outputOf(execution, DOWNSTREAM))
			runs.set(String(item.event_id), (runs.get(String(item.event_id)) ?? 0) + 1);
	}
	return runs;
}

/** Cancels a booked booking of the demo account (one event: booking.cancelled); returns the event id. */
function cancelABooking(): string {
	const fired = sandbox.deliveries().events.length;
	for (const booking of accountBookings(sandbox, sandbox.accounts[0].hbClientId)) {
		if (booking.status !== 'booked') continue;
		try {
			sandbox.bookings.cancel(Number(booking.id));
		} catch {
			continue; // not cancellable (training over): the next one
		}
		const [event, ...more] = sandbox.deliveries().events.slice(fired);
		if (!event || more.length > 0)
			throw new Error('Cancelling a booking fired no event, or more than one');
		return event.eventId;
	}
	throw new Error('No booking left to cancel');
}

/** The trigger's registration as n8n stored it (the workflow's static data). */
async function storedRegistration(workflowId: string): Promise<Record<string, unknown>> {
	const staticData =
		((await n8n.getWorkflow(workflowId)) as { staticData?: Record<string, unknown> }).staticData ??
		{};
	return (staticData[`node:${TRIGGER}`] ?? {}) as Record<string, unknown>;
}

function portalEndpoint(id: number): Record<string, unknown> | undefined {
	return sandbox.state().accounts[0].webhooks.find((endpoint) => endpoint.id === id);
}

/** How many requests to `path` the sandbox answered with success since its log was cleared. */
function succeeded(method: string, path: string): number {
	return sandbox
		.requests()
		.entries.filter((entry) => entry.method === method && entry.path === path && entry.status < 300)
		.length;
}

/** What a registration is: the endpoint's identity, address, events, state and last change. */
function registrationOf(id: number): Record<string, unknown> | undefined {
	const endpoint = portalEndpoint(id);
	if (!endpoint) return undefined;
	const { name, url, events, is_active, updated_at } = endpoint;
	return { id, name, url, events, is_active, updated_at };
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
	if (userFolder && process.env.BLS_N8N_KEEP_USER_FOLDER !== '1')
		fs.rmSync(userFolder, { recursive: true, force: true });
	await sandbox?.stop();
	await relay?.stop();
}, 60_000);

describe(`an operator's month with the BLS Portal Trigger in real n8n ${version}`, () => {
	it('after a restart, the API’s retry of an event already handled starts no downstream work', async () => {
		relay.loseNextAcknowledgements(1); // n8n runs it; the API sees 503 and will retry
		cancelABooking();
		await waitFor(() => sandbox.deliveries().pending.length === 1, {
			what: 'the sandbox to schedule a retry',
		});
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
		expect(sandbox.state().accounts[0].webhooks.map((endpoint) => endpoint.id)).toEqual([
			endpointId,
		]);
	});
	it('an endpoint edited in the portal while n8n is down keeps its id, and the event that failed meanwhile arrives', async () => {
		// n8n 1.x runs the node's existence check on every start, so the trigger repairs the endpoint
		// then (PUT, and a new secret as it may have been rotated). n8n 2.x registers on start only the
		// webhooks its own table lacks, so the node is not asked until the workflow is activated again:
		// there the edit leaves the URL alone, and the point is that nothing deletes the endpoint.
		const checkedOnStart = version.startsWith('1.');
		const webhookUrl = `${relay.origin}/webhook/${workflowJson.nodes[0].webhookId}/webhook`;
		const sealedBefore = (await storedRegistration(workflow.id)).sealedSecret;
		let eventId = '';
		await restartN8n(async () => {
			// A person renames it and adds an event (and on 1.x points it elsewhere); an event fails meanwhile.
			await editEndpointInPortal(sandbox, endpointId, {
				name: 'edited in the portal',
				events: [...EVENTS, 'booking.confirmed'],
				...(checkedOnStart ? { url: 'http://127.0.0.1:9/nowhere' } : {}),
			});
			eventId = cancelABooking();
			await waitFor(() => sandbox.deliveries().pending.some((retry) => retry.eventId === eventId), {
				what: 'the failed delivery to be scheduled for a retry',
			});
			sandbox.clearRequests();
		});
		if (checkedOnStart) {
			await waitFor(
				async () => (await storedRegistration(workflow.id)).sealedSecret !== sealedBefore,
				{ what: 'n8n to store the repaired registration' },
			);
			expect(portalEndpoint(endpointId)).toMatchObject({
				name: `n8n: e2e: operator (${workflow.id})`,
				url: webhookUrl,
				events: EVENTS,
				is_active: true,
			});
			expect(succeeded('PUT', '/webhooks/{id}')).toBe(1);
			expect(succeeded('POST', '/webhooks/{id}/rotate-secret')).toBe(1);
		}
		expect(sandbox.state().accounts[0].webhooks.map((endpoint) => endpoint.id)).toEqual([
			endpointId,
		]);
		expect(sandbox.requests().byEndpoint['DELETE /webhooks/{id}'] ?? 0).toBe(0);
		expect(sandbox.requests().byEndpoint['POST /webhooks'] ?? 0).toBe(0);

		const executionsBefore = (await n8n.executions({ workflowId: workflow.id })).length;
		expect(await sandbox.flushDeliveries()).toBe(1); // the API's retry, signed with the current secret
		// The attempt during the downtime found no n8n (on 1.x it went to the edited URL instead).
		const answers = relay.deliveriesOf(eventId).map((delivery) => delivery.n8nStatus);
		expect(answers.at(-1)).toBe(200);
		expect(answers.slice(0, -1).every((status) => status < 200 || status >= 300)).toBe(true);
		expect((await downstreamRuns(workflow.id, executionsBefore + 1)).get(eventId)).toBe(1);
		expect(sandbox.deliveries().pending).toEqual([]);
	});

	it('the credential’s API key is changed: deliveries keep running, the secret is renewed once, no event is lost', async () => {
		const newKey = sandbox.replaceApiKey(sandbox.accounts[0].hbClientId);
		await editCredentialAsEditor(n8n, credential.id, { apiKey: newKey });

		// This process opened the secret before the change: deliveries still verify.
		const beforeRestart = cancelABooking();
		expect(await sandbox.waitForDeliveries(30_000)).toBe(true);
		expect(relay.deliveriesOf(beforeRestart).map((delivery) => delivery.n8nStatus)).toEqual([200]);
		await waitFor(async () => (await downstreamRuns(workflow.id, 1)).get(beforeRestart) === 1, {
			what: 'the event to run',
		});

		// After a restart the stored secret no longer opens with the new key. n8n 1.x asks the node on
		// start, and it renews the secret then; on n8n 2.x the first delivery renews it, is answered
		// 503 with an error in n8n's log, and arrives again with the API's retry.
		sandbox.clearRequests();
		const sealedBefore = (await storedRegistration(workflow.id)).sealedSecret;
		await restartN8n();
		if (version.startsWith('1.')) {
			await waitFor(
				async () => (await storedRegistration(workflow.id)).sealedSecret !== sealedBefore,
				{ what: 'n8n to store the renewed secret' },
			);
		}
		const afterRestart = cancelABooking();
		await waitFor(
			() => sandbox.deliveries().attempts.some((attempt) => attempt.eventId === afterRestart),
			{ what: 'the first delivery after the restart' },
		);
		await sandbox.flushDeliveries();
		const statuses = relay.deliveriesOf(afterRestart).map((delivery) => delivery.n8nStatus);
		expect([[200], [503, 200]]).toContainEqual(statuses);
		if (statuses[0] === 503) {
			expect(n8n.logs()).toContain(
				`in workflow "e2e: operator" (${workflow.id}): a delivery could not be verified because the credential's API key was changed`,
			);
		}
		// Once (the first try after the key change goes without the old token and is answered 401).
		expect(succeeded('POST', '/webhooks/{id}/rotate-secret')).toBe(1);
		expect(sandbox.state().accounts[0].webhooks.map((endpoint) => endpoint.id)).toEqual([
			endpointId,
		]);

		const runs = await downstreamRuns(workflow.id, 1);
		expect([runs.get(beforeRestart), runs.get(afterRestart)]).toEqual([1, 1]);
		expect(sandbox.deliveries().pending).toEqual([]);
		// The next event verifies at once with the renewed secret.
		const next = cancelABooking();
		expect(await sandbox.waitForDeliveries(30_000)).toBe(true);
		expect(relay.deliveriesOf(next).map((delivery) => delivery.n8nStatus)).toEqual([200]);
	});

	it('a copy of the workflow registers its own endpoint and leaves the original’s alone', async () => {
		const original = registrationOf(endpointId);
		const staticData = (
			(await n8n.getWorkflow(workflow.id)) as { staticData?: Record<string, unknown> }
		).staticData;
		const copyWebhookId = randomUUID();
		const copyJson = withCredential(
			triggerWorkflow('e2e: operator (copy)', copyWebhookId),
			credential,
		);
		// The copy carries the original's static data, registration included.
		const copy = await n8n.importWorkflow({ ...copyJson, staticData } as WorkflowJson);
		expect((await storedRegistration(copy.id)).endpointId).toBe(String(endpointId));

		await n8n.activate(copy.id);
		const copyEndpoint = await registeredEndpoint(sandbox, copyWebhookId);
		expect(copyEndpoint.id).not.toBe(endpointId);
		await waitFor(
			async () => (await storedRegistration(copy.id)).endpointId === String(copyEndpoint.id),
			{ what: 'the copy to store its own registration' },
		);
		expect(registrationOf(endpointId)).toEqual(original);

		await n8n.deactivate(copy.id);
		await waitFor(() => portalEndpoint(copyEndpoint.id) === undefined, {
			what: 'the copy’s endpoint to be deleted',
		});
		expect(registrationOf(endpointId)).toEqual(original);

		// The original still gets its events.
		const eventId = cancelABooking();
		expect(await sandbox.waitForDeliveries(30_000)).toBe(true);
		expect(relay.deliveriesOf(eventId).map((delivery) => delivery.n8nStatus)).toEqual([200]);
		expect((await downstreamRuns(workflow.id, 1)).get(eventId)).toBe(1);
	});
});
