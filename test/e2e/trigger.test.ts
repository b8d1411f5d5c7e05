/**
 * The BLS Portal Trigger inside real n8n (N8N_VERSION, default 2.41.1), driven by the sandbox's
 * own signed deliveries (through a relay that records them and can lose n8n's acknowledgement):
 * activation registers the endpoint; every booking event starts one successful execution with the
 * event's data; forged deliveries are answered 401 and start nothing; a retried delivery (same
 * event id, new delivery id) starts no second execution; deactivation deletes the endpoint. And
 * no API key, token or webhook secret ends up in n8n's log, files, workflows or executions.
 */
import { randomUUID } from 'crypto';

import { startSandbox, webhookSignature, type Sandbox } from '../../sandbox';
import {
	startN8n,
	versionFromEnv,
	type CreatedWorkflow,
	type N8nInstance,
} from '../../scripts/n8n/instance';
import {
	chainWorkflow,
	createSandboxCredential,
	NODE_TYPES,
	triggerRegistrationSaved,
	withCredential,
} from './helpers';
import {
	DeliveryRelay,
	endpointsWithSecrets,
	forward,
	outputOf,
	registeredEndpoint,
	SecretWatch,
	settledExecutions,
	waitFor,
	weekdaysAhead,
} from './scenarioSupport';

const version = versionFromEnv();
const START_TIMEOUT_MS = 20 * 60_000;
const TRIGGER = 'BLS Portal Trigger';
const BOOKING_EVENTS = [
	'booking.attendance_marked',
	'booking.cancelled',
	'booking.certificate_available',
	'booking.confirmed',
	'booking.created',
	'booking.equipment_late',
	'booking.rescheduled',
];

let sandbox: Sandbox;
let relay: DeliveryRelay;
let n8n: N8nInstance;
let watch: SecretWatch;
let workflow: CreatedWorkflow;
let webhookId: string;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0 });
	relay = await DeliveryRelay.start();
	n8n = await startN8n({
		version,
		env: { N8N_WEBHOOK_URL: `${relay.origin}/`, WEBHOOK_URL: `${relay.origin}/` },
	});
	relay.target = n8n.url;
	watch = new SecretWatch(sandbox);
	const credential = await createSandboxCredential(n8n, sandbox);
	webhookId = randomUUID();
	workflow = await n8n.importWorkflow(
		withCredential(
			chainWorkflow(
				'e2e: booking events',
				[{ name: 'Received', type: 'n8n-nodes-base.noOp', typeVersion: 1, parameters: {} }],
				{
					name: TRIGGER,
					type: NODE_TYPES.blsPortalTrigger,
					typeVersion: 1,
					webhookId,
					parameters: { events: BOOKING_EVENTS, options: {} },
				},
			),
			credential,
		),
	);
}, START_TIMEOUT_MS);

afterAll(async () => {
	await n8n?.stop();
	await sandbox?.stop();
	await relay?.stop();
}, 60_000);

/** The trigger item of each execution, oldest execution first. */
async function triggerItems(
	atLeast: number,
): Promise<Array<Record<string, unknown> & { status: string }>> {
	const executions = await settledExecutions(n8n, workflow.id, { atLeast });
	return executions
		.reverse()
		.flatMap((execution) =>
			outputOf(execution, TRIGGER).map((item) => ({ ...item, status: execution.status })),
		);
}

describe(`BLS Portal Trigger in real n8n ${version}`, () => {
	let endpointId = 0;

	it('activation registers a webhook endpoint for the workflow in BLS Portal', async () => {
		await n8n.activate(workflow.id);
		const endpoint = await registeredEndpoint(sandbox, webhookId);
		await triggerRegistrationSaved(n8n, workflow.id);
		endpointId = endpoint.id;
		watch.collect();
		expect(endpoint.url).toBe(`${relay.origin}/webhook/${webhookId}/webhook`);
		expect([...endpoint.events].sort()).toEqual(BOOKING_EVENTS);
		const [listed] = sandbox.state().accounts[0].webhooks;
		expect(listed).toMatchObject({
			id: endpoint.id,
			name: `n8n: e2e: booking events (${workflow.id})`,
			is_active: true,
		});
		expect(endpointsWithSecrets(sandbox)).toHaveLength(1);
	});

	it('every booking event starts one successful execution carrying that event', async () => {
		sandbox.bookings.pay(5); // candidate paid: booking.created + booking.confirmed
		rescheduleToAFreeSlot(3);
		sandbox.bookings.cancel(13);
		sandbox.bookings.attendance(23, true);
		sandbox.bookings.equipment(18, 'late');
		sandbox.bookings.equipment(12, 'in'); // completed earlier: certificate available
		expect(await sandbox.waitForDeliveries(30_000)).toBe(true);

		const fired = sandbox
			.deliveries()
			.events.filter((event) => event.endpointIds.includes(endpointId));
		expect(fired.map((event) => [event.eventType, event.bookingId])).toEqual([
			['booking.created', 5],
			['booking.confirmed', 5],
			['booking.rescheduled', 3],
			['booking.cancelled', 13],
			['booking.attendance_marked', 23],
			['booking.equipment_late', 18],
			['booking.certificate_available', 12],
		]);
		const items = await triggerItems(fired.length);
		expect(items).toHaveLength(fired.length);
		for (const event of fired) {
			const [delivery, ...more] = relay.deliveriesOf(event.eventId);
			expect(more).toEqual([]);
			expect(delivery.n8nStatus).toBe(200);
			// The item is the delivered envelope plus its delivery id, and its execution succeeded.
			const matching = items.filter((item) => item.event_id === event.eventId);
			expect(matching).toEqual([
				{
					...JSON.parse(delivery.rawBody.toString('utf8')),
					delivery_id: String(delivery.deliveryId),
					status: 'success',
				},
			]);
			expect(matching[0]).toMatchObject({ event_type: event.eventType });
			// The booking is data.id, or data.booking_id on a server that names it so (event-booking-id).
			const data = (matching[0] as { data?: { id?: unknown; booking_id?: unknown } }).data;
			expect(data?.id ?? data?.booking_id).toBe(event.bookingId);
		}
		expect(items.find((item) => item.event_type === 'booking.rescheduled')?.data).toMatchObject({
			previous_date: expect.any(String),
			previous_time: expect.any(String),
		});
	});

	it('forged deliveries are answered 401 and start no execution', async () => {
		const before = (await n8n.executions({ workflowId: workflow.id })).length;
		const real = relay.deliveries[0];
		const url = n8n.nodeWebhookUrl(workflow, TRIGGER);
		const envelope = JSON.parse(real.rawBody.toString('utf8')) as { data: Record<string, unknown> };

		// A real delivery's headers on a changed body (another candidate's email).
		const tampered = JSON.stringify({
			...envelope,
			event_id: randomUUID(),
			data: { ...envelope.data, email: 'attacker@example.com' },
		});
		const answers = [await forward(url, 'POST', real.headers, tampered)];
		// A well-formed delivery signed with a secret that is not the endpoint's.
		const timestamp = Math.floor(Date.now() / 1000);
		const forgedEventId = randomUUID();
		const forged = JSON.stringify({ ...envelope, event_id: forgedEventId });
		answers.push(
			await forward(
				url,
				'POST',
				{
					...real.headers,
					'x-tdta-event-id': forgedEventId,
					'x-tdta-delivery-id': '999999',
					'x-tdta-timestamp': String(timestamp),
					'x-tdta-signature': webhookSignature('whsec_not_the_endpoint_secret', timestamp, forged),
				},
				forged,
			),
		);

		expect(answers.map((answer) => answer.status)).toEqual([401, 401]);
		for (const answer of answers)
			expect(JSON.parse(answer.body)).toMatchObject({ received: false });
		expect(await settledExecutions(n8n, workflow.id, { atLeast: before })).toHaveLength(before);
	});

	it('a retried delivery (same event id, new delivery id) starts no second execution', async () => {
		const before = (await n8n.executions({ workflowId: workflow.id })).length;
		relay.loseNextAcknowledgements(1); // n8n handles it, the sandbox sees 503 and retries
		sandbox.bookings.equipment(22, 'in'); // certificate available
		await waitFor(() => sandbox.deliveries().pending.length === 1, {
			what: 'the sandbox to schedule a retry',
		});
		const [{ eventId }] = sandbox.deliveries().pending;
		expect(await sandbox.flushDeliveries()).toBe(1); // the retry, 15 minutes later in production

		const attempts = sandbox.deliveries().attempts.filter((attempt) => attempt.eventId === eventId);
		expect(attempts.map((attempt) => [attempt.attempt, attempt.status])).toEqual([
			[1, 503],
			[2, 200],
		]);
		const [first, retry] = relay.deliveriesOf(eventId);
		expect(retry.deliveryId).not.toBe(first.deliveryId);
		expect(retry.rawBody.equals(first.rawBody)).toBe(true);
		expect([first.n8nStatus, retry.n8nStatus]).toEqual([200, 200]);
		expect(JSON.parse(retry.n8nBody)).toMatchObject({
			received: true,
			ignored: expect.stringContaining('already received'),
		});

		const items = await triggerItems(before + 1);
		expect(items).toHaveLength(before + 1);
		expect(items.filter((item) => item.event_id === eventId)).toEqual([
			expect.objectContaining({ delivery_id: String(first.deliveryId), status: 'success' }),
		]);
	});

	it('deactivation deletes the endpoint in BLS Portal', async () => {
		watch.collect();
		await n8n.deactivate(workflow.id);
		await waitFor(() => endpointsWithSecrets(sandbox).length === 0, {
			what: 'the endpoint to be deleted',
		});
		expect(sandbox.state().accounts[0].webhooks).toEqual([]);
		// Later events have nowhere to go.
		sandbox.bookings.cancel(23);
		expect(sandbox.deliveries().events.at(-1)).toMatchObject({
			eventType: 'booking.cancelled',
			endpointIds: [],
		});
	});

	it('leaves no API key, token or webhook secret in n8n’s log, files, workflows or executions', async () => {
		expect(watch.collect().summary()).toMatchObject({ apiKeys: 2, webhookSecrets: 1 });
		expect(watch.summary().tokens).toBeGreaterThanOrEqual(2);
		expect(await watch.leaks(n8n)).toEqual([]);
	});
});

/** Moves a booking to the first slot it fits in, a few weekdays ahead. */
function rescheduleToAFreeSlot(bookingId: number): void {
	for (const date of weekdaysAhead(10, 20)) {
		for (const time of ['13:00', '14:00', '15:00']) {
			try {
				sandbox.bookings.reschedule(bookingId, date, time);
				return;
			} catch {
				// full or the booking's own slot: try the next
			}
		}
	}
	throw new Error(`No free slot to reschedule booking ${bookingId} to`);
}
