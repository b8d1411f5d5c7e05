/**
 * The package on n8n's queue mode (N8N_VERSION, default 2.41.1): private Redis and Postgres, one
 * main process (the leader: editor, activation), two `n8n webhook` processes behind a round-robin
 * relay (the load balancer) and two `n8n worker --concurrency=4`, all sharing one user folder with
 * the package installed, against the sandbox. Each scenario counts what reached the API (the
 * sandbox's request log) and what happened in n8n (executions, and a downstream sink the
 * workflows' last node calls) — and prints those counts.
 */
import { randomUUID } from 'crypto';

import { startSandbox, type Sandbox } from '../../sandbox';
import { versionFromEnv, type CreatedCredential } from '../../scripts/n8n/instance';
import { startQueueCluster, type QueueCluster } from '../../scripts/n8n/queue';
import {
	chainWorkflow,
	NODE_TYPES,
	withCredential,
	type WorkflowJson,
} from '../../scripts/n8n/workflows';
import { createSandboxCredential, triggerRegistrationSaved } from '../e2e/helpers';
import { accountBookings, outputOf, weekdaysAhead } from '../e2e/scenarioSupport';
import {
	DeliveryRelay,
	endpointsWithSecrets,
	forward,
	registeredEndpoint,
	settledExecutions,
	sleep,
	waitFor,
} from '../harness/deliveryRelay';
import {
	blsNode,
	executionError,
	postJson,
	report,
	Sink,
	sinkNode,
	tally,
	webhookWorkflow,
} from './queueSupport';

const version = versionFromEnv();
const WORKERS = 2;
const CONCURRENCY = 4;
const TRIGGER = 'BLS Portal Trigger';

let sandbox: Sandbox;
let relay: DeliveryRelay;
let sink: Sink;
let cluster: QueueCluster;
let credential: CreatedCredential;

beforeAll(async () => {
	sandbox = await startSandbox({
		port: 0,
		rateLimit: false,
		retryDelayMs: 1000,
		bookings: 400,
		slotCapacity: 50,
	});
	relay = await DeliveryRelay.start();
	sink = await Sink.start();
	cluster = await startQueueCluster({
		version,
		workers: WORKERS,
		concurrency: CONCURRENCY,
		env: {
			N8N_WEBHOOK_URL: `${relay.origin}/`,
			WEBHOOK_URL: `${relay.origin}/`,
			// The leader marks executions whose worker died as crashed at this check (default every 180 minutes).
			N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL: '1',
		},
	});
	relay.targets = cluster.webhookOrigins;
	credential = await createSandboxCredential(cluster.main, sandbox);
}, 20 * 60_000);

afterAll(async () => {
	// Everything this suite started, by process id, whatever happened above.
	await cluster?.stop();
	await Promise.allSettled([relay?.stop(), sink?.stop(), sandbox?.stop()]);
}, 120_000);

const main = () => cluster.main;
const account = () => sandbox.accounts[0];

function triggerWorkflow(
	name: string,
	events: string[],
	options: Record<string, unknown>,
	downstream: ReturnType<typeof sinkNode>,
): { workflow: WorkflowJson; webhookId: string } {
	const webhookId = randomUUID();
	const workflow = chainWorkflow(name, [
		{
			name: TRIGGER,
			type: NODE_TYPES.blsPortalTrigger,
			typeVersion: 1,
			webhookId,
			parameters: { events, options },
		},
		downstream,
	]);
	return { workflow: withCredential(workflow, credential), webhookId };
}

async function activateTrigger(
	workflow: WorkflowJson,
	webhookId: string,
): Promise<{ id: string; endpoint: Awaited<ReturnType<typeof registeredEndpoint>> }> {
	const { id } = await main().importWorkflow(workflow);
	await main().activate(id);
	const endpoint = await registeredEndpoint(sandbox, webhookId, 60_000);
	await triggerRegistrationSaved(main(), id, 60_000);
	return { id, endpoint };
}

/** Booked bookings of account 1 whose training is not completed (attendance can be marked on them, again and again). */
function bookedIds(count: number): number[] {
	const ids = accountBookings(sandbox, account().hbClientId)
		.filter((booking) => booking.status === 'booked' && booking.training_status !== 'completed')
		.map((booking) => Number(booking.id));
	if (ids.length < count)
		throw new Error(`The sandbox has only ${ids.length} booked bookings, wanted ${count}`);
	return ids.slice(0, count);
}

/** A booking's certificate PDF straight from the API (with a token of its own), to compare bytes. */
async function certificateFromApi(bookingId: number): Promise<Buffer> {
	const { access_token: token } = (await (
		await fetch(`${sandbox.apiUrl}/auth/token`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ hb_client_id: account().hbClientId, api_key: account().apiKey }),
		})
	).json()) as { access_token: string };
	const response = await fetch(`${sandbox.apiUrl}/bookings/${bookingId}/certificate`, {
		headers: { authorization: `Bearer ${token}` },
	});
	if (!response.ok) throw new Error(`The API refused the certificate: ${response.status}`);
	return Buffer.from(await response.arrayBuffer());
}

/** Which worker ran each execution, from the workers' logs ("Worker started execution <id>"). */
function workerOf(executionId: string): number | undefined {
	const index = cluster.workers.findIndex((worker) =>
		new RegExp(`Worker started execution ${executionId}\\b`).test(worker.logs()),
	);
	return index < 0 ? undefined : index;
}

async function activeWebhookWorkflow(
	name: string,
	nodes: Parameters<typeof webhookWorkflow>[1],
): Promise<{ id: string; path: string }> {
	const { workflow, path } = webhookWorkflow(name, nodes);
	const { id } = await main().importWorkflow(withCredential(workflow, credential));
	await main().activate(id);
	return { id, path };
}

/** Starts `count` executions at once, alternating between the webhook processes; every call must be accepted. */
async function startAtOnce(path: string, bodies: unknown[]): Promise<void> {
	const origins = cluster.webhookOrigins;
	const statuses = await Promise.all(
		bodies.map((body, index) => postJson(origins[index % origins.length], path, body)),
	);
	expect(statuses.filter((status) => status !== 200)).toEqual([]);
}

describe(`queue mode on n8n ${version}: main, 2 webhook processes, ${WORKERS} workers × ${CONCURRENCY}, Redis and Postgres`, () => {
	afterEach(() => {
		// A scenario's own routing and losses end with it.
		let turn = 0;
		relay.route = (_delivery, targets) => targets[turn++ % targets.length];
		relay.policy = () => 'forward';
		sandbox.clearFaults();
		sandbox.configure({ retryDelayMs: 1000 });
	});

	it('(1) activation registers exactly one endpoint, from the leader; deactivation deletes it', async () => {
		sandbox.clearRequests();
		const { workflow, webhookId } = triggerWorkflow(
			'queue: lifecycle',
			['booking.attendance_marked'],
			{},
			sinkNode('Downstream', sink, 'lifecycle', '$json.event_id'),
		);
		const { id, endpoint } = await activateTrigger(workflow, webhookId);
		// Five n8n processes load the package; activation runs on the main process only. Give any
		// other process time to register a second endpoint, were it to.
		await sleep(5000);
		const afterActivation = sandbox.requests().byEndpoint;
		const registered = endpointsWithSecrets(sandbox).filter((candidate) =>
			candidate.url.includes(webhookId),
		);
		expect(registered).toHaveLength(1);
		expect(endpoint.url).toBe(`${relay.origin}/webhook/${webhookId}/webhook`);
		expect(afterActivation['POST /webhooks']).toBe(1);

		await main().deactivate(id);
		await waitFor(
			() => endpointsWithSecrets(sandbox).every((candidate) => !candidate.url.includes(webhookId)),
			{ timeoutMs: 60_000, what: 'the endpoint to be deleted' },
		);
		const afterDeactivation = sandbox.requests().byEndpoint;
		expect(afterDeactivation['POST /webhooks']).toBe(1);
		expect(afterDeactivation['DELETE /webhooks/{id}']).toBe(1);
		expect(sandbox.state().accounts[0].webhooks).toEqual([]);
		report('(1) lifecycle', {
			registrations: afterActivation['POST /webhooks'],
			deletions: afterDeactivation['DELETE /webhooks/{id}'],
			requests: afterDeactivation,
		});
	});

	it('(2) 300 signed deliveries round-robin over both webhook processes: each event’s downstream work runs once; a retry on the other process, or a copy sent to both at the same instant, starts no second run', async () => {
		const EVENTS = 300;
		const LOST_ACKNOWLEDGEMENTS = 30;
		const SIMULTANEOUS_COPIES = 30;
		const { workflow, webhookId } = triggerWorkflow(
			'queue: 300 deliveries',
			['booking.attendance_marked'],
			{},
			sinkNode('Downstream', sink, 'event', '$json.event_id'),
		);
		const { id, endpoint } = await activateTrigger(workflow, webhookId);
		// First deliveries alternate; a retry goes to the process that did not get the event before.
		let turn = 0;
		// Every 10th event's first delivery reaches n8n, but the API hears 503 and retries it. The API
		// retries 15 minutes later, when the first run has long finished: here the retries wait
		// until every first run has finished, then go out at once (flushDeliveries).
		// Every 10th event (another one) also goes, byte for byte, to the webhook process the relay
		// does not pick, at the same instant: a load balancer that sends one request twice. Both
		// processes see the event for the first time, so both start an execution.
		const firstSeen = new Set<string>();
		const copied = new Map<
			string,
			{ path: string; headers: Record<string, string>; rawBody: Buffer }
		>();
		const copies: Array<Promise<{ status: number }>> = [];
		let lost = 0;
		relay.policy = ({ path, headers, rawBody }) => {
			const eventId = headers['x-tdta-event-id'] ?? '';
			if (firstSeen.has(eventId)) return 'forward';
			firstSeen.add(eventId);
			if (firstSeen.size % 10 === 5 && copied.size < SIMULTANEOUS_COPIES) {
				copied.set(eventId, { path, headers, rawBody });
			}
			return firstSeen.size % 10 === 0 && lost++ < LOST_ACKNOWLEDGEMENTS
				? 'lose-answer'
				: 'forward';
		};
		relay.route = (delivery, targets) => {
			const earlier = relay.deliveriesOf(delivery.eventId).filter((previous) => previous.target);
			if (earlier.length > 0)
				return targets.find((target) => target !== earlier.at(-1)!.target) ?? targets[0];
			const target = targets[turn++ % targets.length];
			const copy = copied.get(delivery.eventId);
			if (copy) {
				const other = targets.find((candidate) => candidate !== target) ?? target;
				copies.push(
					forward(`${other}${copy.path}`, 'POST', copy.headers, copy.rawBody).catch(() => ({
						status: 0,
					})),
				);
			}
			return target;
		};
		sandbox.configure({ retryDelayMs: 3_600_000 });
		const bookings = bookedIds(50);
		const ourDeliveries = () =>
			relay.deliveries.filter((delivery) => delivery.path.includes(webhookId)).length;
		for (let fired = 0; fired < EVENTS; fired += 20) {
			for (let i = fired; i < fired + 20; i++)
				sandbox.bookings.attendance(bookings[i % bookings.length], i % 2 === 0);
			await waitFor(() => ourDeliveries() >= fired + 20, {
				timeoutMs: 120_000,
				what: `the first deliveries of events ${fired + 1}–${fired + 20}`,
			});
		}
		await relay.settled();
		const copyStatuses = (await Promise.all(copies)).map((answer) => answer.status);
		const firstRuns = await settledExecutions(main(), id, {
			atLeast: EVENTS + SIMULTANEOUS_COPIES,
			quietMs: 5000,
			timeoutMs: 600_000,
		});
		expect(firstRuns).toHaveLength(EVENTS + SIMULTANEOUS_COPIES);
		// How many ids the trigger's record in n8n's database holds once every first run has finished.
		const lockRowsLeft = () =>
			Number(
				cluster.sql(
					`select count(*) from processed_data where "workflowId" = '${id}' and context = ''`,
				)[0],
			);
		const recordedAfterFirstRuns = cluster
			.sql(`select value from processed_data where "workflowId" = '${id}' and context like 'n:%'`)
			.reduce(
				(sum, value) => sum + ((JSON.parse(value) as { data?: unknown[] }).data?.length ?? 0),
				0,
			);
		expect(sandbox.deliveries().pending).toHaveLength(LOST_ACKNOWLEDGEMENTS);
		expect(await sandbox.flushDeliveries()).toBe(LOST_ACKNOWLEDGEMENTS);
		await relay.settled();
		const events = sandbox
			.deliveries()
			.events.filter((event) => event.endpointIds.includes(endpoint.id));
		expect(events).toHaveLength(EVENTS);
		const executions = await settledExecutions(main(), id, {
			atLeast: EVENTS + SIMULTANEOUS_COPIES + LOST_ACKNOWLEDGEMENTS,
			quietMs: 5000,
			timeoutMs: 600_000,
		});

		const ours = relay.deliveries.filter((delivery) =>
			events.some((event) => event.eventId === delivery.eventId),
		);
		const retried = [...tally(ours.map((delivery) => delivery.eventId))]
			.filter(([, count]) => count > 1)
			.map(([eventId]) => eventId);
		const firstDeliveries = ours.filter(
			(delivery, index) => ours.findIndex((other) => other.eventId === delivery.eventId) === index,
		);
		const retries = ours.filter((delivery) => !firstDeliveries.includes(delivery));
		const downstream = sink.countsOf('event');
		const ranDownstream = executions.filter(
			(execution) => outputOf(execution, 'Downstream').length > 0,
		);
		const figures = {
			events: events.length,
			deliveries: ours.length,
			firstDeliveriesByWebhookProcess: cluster.webhookOrigins.map(
				(origin) => firstDeliveries.filter((delivery) => delivery.target === origin).length,
			),
			retriesByWebhookProcess: cluster.webhookOrigins.map(
				(origin) => retries.filter((delivery) => delivery.target === origin).length,
			),
			copiesSentToBothAtOnce: copied.size,
			copyStatuses: [...tally(copyStatuses)],
			idsInProcessedDataStoreAfterFirstRuns: recordedAfterFirstRuns,
			lockRowsLeft: lockRowsLeft(),
			acknowledgementsLost: ours.filter((delivery) => delivery.action === 'lose-answer').length,
			retriedEvents: retried.length,
			executions: executions.length,
			executionsReachingDownstream: ranDownstream.length,
			downstreamCalls: [...downstream.values()].reduce((sum, count) => sum + count, 0),
			eventsRunTwice: [...downstream.values()].filter((count) => count > 1).length,
		};
		report('(2) 300 deliveries', figures);
		expect(ours.filter((delivery) => delivery.n8nStatus !== 200)).toEqual([]);
		expect(figures.acknowledgementsLost).toBe(LOST_ACKNOWLEDGEMENTS);
		expect(copied.size).toBe(SIMULTANEOUS_COPIES);
		expect(copyStatuses.filter((status) => status !== 200)).toEqual([]);
		// Every event's id is in the record once the first runs are done, and no lock is left behind.
		expect(recordedAfterFirstRuns).toBe(EVENTS);
		expect(figures.lockRowsLeft).toBe(0);
		expect(executions).toHaveLength(EVENTS + SIMULTANEOUS_COPIES + LOST_ACKNOWLEDGEMENTS);
		expect(retried).toHaveLength(LOST_ACKNOWLEDGEMENTS);
		for (const eventId of retried) {
			const [first, retry] = relay.deliveriesOf(eventId);
			expect(retry.target).not.toBe(first.target);
		}
		expect(
			Math.abs(
				figures.firstDeliveriesByWebhookProcess[0] - figures.firstDeliveriesByWebhookProcess[1],
			),
		).toBeLessThanOrEqual(1);
		// n8n's queue recovery (every minute here, for scenario 6) reads the executions in progress
		// from the database and then the jobs from Redis, so it can mark an execution stored but not
		// yet queued as crashed before any worker starts it (seen once in 8 runs, a copy's execution).
		// Such an execution ran nothing; the counts below still say every event ran exactly once.
		const crashedUnstarted = executions.filter(
			(execution) =>
				execution.status === 'crashed' &&
				!execution.startedAt &&
				Object.keys((execution.data?.resultData as { runData?: object } | undefined)?.runData ?? {})
					.length === 0,
		);
		report('(2) executions n8n marked crashed before they started', {
			count: crashedUnstarted.length,
		});
		expect(
			executions.filter(
				(execution) => execution.status !== 'success' && !crashedUnstarted.includes(execution),
			),
		).toEqual([]);
		// Exactly once per event, downstream and in n8n.
		expect([...downstream.keys()].sort()).toEqual(events.map((event) => event.eventId).sort());
		expect(figures.eventsRunTwice).toBe(0);
		expect(figures.downstreamCalls).toBe(EVENTS);
		expect(ranDownstream).toHaveLength(EVENTS);
		await main().deactivate(id);
	});

	it('(2b) the record lock: one left behind by a dead worker is taken over (after 20 s); a Remove Duplicates row with Scope "Workflow" is never touched, the trigger records without the lock and says so', async () => {
		const { workflow, webhookId } = triggerWorkflow(
			'queue: record lock',
			['booking.attendance_marked'],
			{},
			sinkNode('Downstream', sink, 'lock', '$json.event_id'),
		);
		const { id, endpoint } = await activateTrigger(workflow, webhookId);
		const workflowRow = () =>
			cluster.sql(`select value from processed_data where "workflowId" = '${id}' and context = ''`);
		const [booking] = bookedIds(1);
		const fire = async (fired: number) => {
			sandbox.bookings.attendance(booking, fired % 2 === 0);
			await waitFor(
				() =>
					sandbox.deliveries().events.filter((event) => event.endpointIds.includes(endpoint.id))
						.length >= fired,
				{ timeoutMs: 60_000, what: `event ${fired}` },
			);
			return await settledExecutions(main(), id, { atLeast: fired, timeoutMs: 120_000 });
		};
		const logs = () => cluster.workers.map((worker) => worker.logs()).join('\n');

		// A lock row as a worker killed while holding it leaves it.
		cluster.sql(
			`insert into processed_data ("workflowId", context, value) values ('${id}', '', '{"mode":"latestIncrementalKey","data":"bls-portal-trigger-lock"}')`,
		);
		const [taken] = await fire(1);
		const afterTakeOver = workflowRow();
		// A Remove Duplicates node with Scope "Workflow" (mode "Value is Higher than Any Previous Value") owns the row.
		const foreignValue = '{"mode":"latestIncrementalKey","data":"41"}';
		cluster.sql(
			`insert into processed_data ("workflowId", context, value) values ('${id}', '', '${foreignValue}')`,
		);
		const [unlocked] = await fire(2);
		const foreignAfter = workflowRow();
		const figures = {
			takenOverStatus: taken.status,
			takenOverReachedDownstream: outputOf(taken, 'Downstream').length,
			lockRowsAfterTakeOver: afterTakeOver.length,
			takeOverWarnings: (logs().match(/was taken over/g) ?? []).length,
			foreignRowStatus: unlocked.status,
			foreignRowReachedDownstream: outputOf(unlocked, 'Downstream').length,
			foreignRowAfter: foreignAfter,
			foreignRowWarnings: (logs().match(/Remove Duplicates with Scope/g) ?? []).length,
			downstreamCalls: [...sink.countsOf('lock').values()],
		};
		report('(2b) record lock', figures);
		expect(taken.status).toBe('success');
		expect(figures.takenOverReachedDownstream).toBe(1);
		expect(afterTakeOver).toEqual([]);
		expect(figures.takeOverWarnings).toBe(1);
		expect(unlocked.status).toBe('success');
		expect(figures.foreignRowReachedDownstream).toBe(1);
		expect(foreignAfter).toEqual([foreignValue]);
		expect(figures.foreignRowWarnings).toBeGreaterThanOrEqual(1);
		expect(figures.downstreamCalls).toEqual([1, 1]);
		await main().deactivate(id);
	});

	it('(3) token under concurrency: after a forced expiry, 20 and then 60 executions at once all succeed, with sign-ins and refreshes bounded by the executions running at once', async () => {
		const { id, path } = await activeWebhookWorkflow('queue: token', [
			blsNode('Credits', { resource: 'account', operation: 'getCredits' }),
		]);
		// A first run stores a token with the credential.
		await startAtOnce(path, [{ warm: true }]);
		let expected = (await settledExecutions(main(), id, { atLeast: 1 })).length;
		const slots = WORKERS * CONCURRENCY;
		const rounds: Array<Record<string, unknown>> = [];
		for (const count of [20, 60]) {
			sandbox.expireTokens({ access: true, hbClientId: account().hbClientId });
			sandbox.clearRequests();
			await startAtOnce(
				path,
				Array.from({ length: count }, (_, index) => ({ index })),
			);
			expected += count;
			const executions = (
				await settledExecutions(main(), id, { atLeast: expected, timeoutMs: 300_000 })
			).slice(0, count);
			const log = sandbox.requests();
			const round = {
				executions: count,
				succeeded: executions.filter((execution) => execution.status === 'success').length,
				signIns: log.tokenExchanges,
				refreshes: log.refreshes,
				unauthorised: log.byStatus['401'] ?? 0,
				creditReads: log.byEndpoint['GET /credits'] ?? 0,
				byWorker: [0, 1].map(
					(worker) =>
						executions.filter((execution) => workerOf(String(execution.id)) === worker).length,
				),
			};
			rounds.push(round);
			report(`(3) token, ${count} executions at once`, round);
			expect(
				executions
					.map((execution) => `${execution.id}: ${execution.status} ${executionError(execution)}`)
					.filter((line) => !line.includes('success')),
			).toEqual([]);
			expect(round.succeeded).toBe(count);
			// Each execution read credits once with a valid token in the end.
			expect(log.byStatus['200'] ?? 0).toBeGreaterThanOrEqual(count);
			// New tokens were needed, but no more than the executions running at once could each ask for: no ping-pong.
			expect(round.signIns + round.refreshes).toBeGreaterThanOrEqual(1);
			expect(round.signIns + round.refreshes).toBeLessThanOrEqual(slots);
		}
		expect((rounds[1].byWorker as number[]).every((ran) => ran > 0)).toBe(true);
		await main().deactivate(id);
	});

	it('(4) Book from both workers at once on one account: no candidate booked twice, no hold left, losers get the one-hold-per-account error', async () => {
		const CANDIDATES = 8;
		sandbox.updateAccount(account().hbClientId, { credits: { 1: 100 } });
		const [date] = weekdaysAhead(15, 1);
		const { id, path } = await activeWebhookWorkflow('queue: book', [
			blsNode('Book', {
				resource: 'booking',
				operation: 'book',
				courseId: 1,
				date,
				time: '10:00',
				firstName: '={{ $json.body.firstName }}',
				lastName: '={{ $json.body.lastName }}',
				email: '={{ $json.body.email }}',
				payOption: 'credits',
				additionalFields: {},
			}),
		]);
		// Hold → book takes a while at the API, so holds from different executions overlap.
		sandbox.addFault({ method: 'POST', path: '/bookings', latencyMs: 1500, count: CANDIDATES });
		const candidates = Array.from({ length: CANDIDATES }, (_, index) => ({
			firstName: 'Queue',
			lastName: `Candidate ${index + 1}`,
			email: `queue.candidate.${index + 1}.${Date.now()}@example.com`,
		}));
		sandbox.clearRequests();
		await startAtOnce(path, candidates);
		const executions = await settledExecutions(main(), id, {
			atLeast: CANDIDATES,
			timeoutMs: 300_000,
		});
		sandbox.clearFaults();

		const emails = new Set(candidates.map((candidate) => candidate.email));
		const booked = accountBookings(sandbox, account().hbClientId).filter((booking) =>
			emails.has(String(booking.email)),
		);
		const winners = executions.filter((execution) => execution.status === 'success');
		const losers = executions.filter((execution) => execution.status !== 'success');
		const holdConflicts = losers.filter((execution) =>
			/Another timeslot hold is active on this account/.test(executionError(execution)),
		);
		const log = sandbox.requests();
		const figures = {
			executions: executions.length,
			booked: winners.length,
			holdConflicts: holdConflicts.length,
			otherFailures: losers.length - holdConflicts.length,
			bookingsMade: booked.length,
			candidatesBookedTwice: [...tally(booked.map((booking) => booking.email))].filter(
				([, count]) => count > 1,
			).length,
			holdsTried: log.byEndpoint['POST /timeslots/hold'] ?? 0,
			holdsReleased:
				log.byEndpoint['DELETE /timeslots/hold/{holdHash}'] ??
				log.byEndpoint['DELETE /timeslots/hold'] ??
				0,
			activeHoldAfter: sandbox.state().accounts[0].activeHold,
			byWorker: [0, 1].map(
				(worker) =>
					executions.filter((execution) => workerOf(String(execution.id)) === worker).length,
			),
			crashed: executions.filter((execution) => execution.status === 'crashed').length,
		};
		report('(4) book at once', figures);
		expect(executions).toHaveLength(CANDIDATES);
		expect(figures.candidatesBookedTwice).toBe(0);
		expect(figures.bookingsMade).toBe(winners.length);
		expect(figures.activeHoldAfter).toBeNull();
		expect(winners.length).toBeGreaterThanOrEqual(1);
		expect(holdConflicts.length).toBeGreaterThanOrEqual(1);
		expect(
			losers
				.map((execution) => `${execution.status}: ${executionError(execution)}`)
				.filter((line) => !/^error: Another timeslot hold is active/.test(line)),
		).toEqual([]);
		expect(figures.byWorker.every((ran) => ran > 0)).toBe(true);
		for (const winner of winners)
			expect(outputOf(winner, 'Book')).toEqual([
				expect.objectContaining({ status: 'booked', course_id: 1, date, time: '10:00' }),
			]);
		await main().deactivate(id);
	});

	it('(5) trigger with Attach Certificate: the PDF reaches the downstream node as binary', async () => {
		const webhookId = randomUUID();
		const workflow = withCredential(
			chainWorkflow('queue: certificate', [
				{
					name: TRIGGER,
					type: NODE_TYPES.blsPortalTrigger,
					typeVersion: 1,
					webhookId,
					parameters: {
						events: ['booking.certificate_available'],
						options: { attachCertificate: true },
					},
				},
				{
					name: 'Upload',
					type: 'n8n-nodes-base.httpRequest',
					typeVersion: 4.2,
					parameters: {
						method: 'POST',
						url: `={{ "${sink.origin}/certificate/" + $json.event_id }}`,
						sendBody: true,
						contentType: 'binaryData',
						inputDataFieldName: 'certificate',
						options: {},
					},
				},
			]),
			credential,
		);
		const { id, endpoint } = await activateTrigger(workflow, webhookId);
		const candidate = accountBookings(sandbox, account().hbClientId).find(
			(booking) =>
				booking.status !== 'cancelled' &&
				booking.training_status === 'completed' &&
				booking.equipment_status !== 'in',
		);
		if (!candidate) throw new Error('The sandbox has no completed booking whose kit is still out');
		sandbox.bookings.equipment(Number(candidate.id), 'in');
		expect(await sandbox.waitForDeliveries(60_000)).toBe(true);
		const [event] = sandbox
			.deliveries()
			.events.filter((fired) => fired.endpointIds.includes(endpoint.id));
		expect(event).toMatchObject({
			eventType: 'booking.certificate_available',
			bookingId: Number(candidate.id),
		});
		const [execution] = await settledExecutions(main(), id, { atLeast: 1 });
		await waitFor(() => sink.countsOf('certificate').size > 0, {
			timeoutMs: 60_000,
			what: 'the certificate upload',
		});

		const uploads = sink.hits.filter((hit) => hit.path === `/certificate/${event.eventId}`);
		const pdf = await certificateFromApi(Number(candidate.id));
		const figures = {
			executions: (await main().executions({ workflowId: id })).length,
			status: execution.status,
			deliveries: relay.deliveriesOf(event.eventId).map((delivery) => delivery.n8nStatus),
			uploads: uploads.length,
			uploadBytes: uploads[0]?.body.length,
			contentType: uploads[0]?.headers['content-type'],
			sameBytesAsTheApi: uploads[0]?.body.equals(pdf),
		};
		report('(5) certificate', figures);
		expect(execution.status).toBe('success');
		expect(uploads).toHaveLength(1);
		expect(uploads[0].body.subarray(0, 5).toString('latin1')).toBe('%PDF-');
		expect(uploads[0].headers['content-type']).toContain('application/pdf');
		expect(figures.sameBytesAsTheApi).toBe(true);
		await main().deactivate(id);
	});

	it('(6) a worker killed (SIGKILL) during a Return All: n8n reports the execution failed or runs it again, and no item reaches the sink twice', async () => {
		const { id, path } = await activeWebhookWorkflow('queue: killed worker', [
			blsNode('All bookings', {
				resource: 'booking',
				operation: 'getMany',
				returnAll: true,
				filters: {},
			}),
			sinkNode('Sink', sink, 'booking', '$json.id'),
		]);
		const total = accountBookings(sandbox, account().hbClientId).length;
		// Each page takes 3 s at the API: the run is mid-way for long enough to kill its worker.
		sandbox.addFault({ method: 'GET', path: '/bookings', latencyMs: 3000, count: 100 });
		sandbox.clearRequests();
		await startAtOnce(path, [{ run: 1 }]);
		let executionId = '';
		await waitFor(
			async () => {
				const [running] = await main().executions({ workflowId: id });
				executionId = running ? String(running.id) : '';
				return (
					executionId !== '' &&
					workerOf(executionId) !== undefined &&
					(sandbox.requests().byEndpoint['GET /bookings'] ?? 0) >= 1
				);
			},
			{ timeoutMs: 120_000, pollMs: 250, what: 'the Return All to be under way on a worker' },
		);
		const victim = workerOf(executionId)!;
		const pagesBeforeKill = sandbox.requests().byEndpoint['GET /bookings'] ?? 0;
		await cluster.workers[victim].kill();

		let finalStatus = '';
		await waitFor(
			async () => {
				const execution = (await main().executions({ workflowId: id })).find(
					(candidate) => String(candidate.id) === executionId,
				);
				finalStatus = execution?.status ?? '';
				return ['success', 'error', 'crashed', 'canceled'].includes(finalStatus);
			},
			{
				timeoutMs: 300_000,
				pollMs: 1000,
				what: `execution ${executionId} to be reported finished after its worker was killed`,
			},
		);
		sandbox.clearFaults();
		const executions = await settledExecutions(main(), id, { atLeast: 1 });
		const counts = sink.countsOf('booking');
		const figures = {
			bookingsAtTheApi: total,
			pagesBeforeKill,
			killedWorker: victim + 1,
			status: finalStatus,
			executions: executions.map((execution) => `${execution.id}:${execution.status}`),
			rerunBy:
				workerOf(executionId) === victim
					? 'none seen'
					: `worker ${(workerOf(executionId) ?? -1) + 1}`,
			itemsInSink: counts.size,
			itemsInSinkTwice: [...counts.values()].filter((count) => count > 1).length,
		};
		report('(6) worker killed mid Return All', figures);
		expect(figures.itemsInSinkTwice).toBe(0);
		expect(['success', 'error', 'crashed']).toContain(finalStatus);
		// A run n8n finished again delivered every item once; a failed run none.
		if (finalStatus === 'success') expect(counts.size).toBe(total);
		else expect(counts.size).toBe(0);
		await main()
			.deactivate(id)
			.catch(() => undefined);
	});
});
