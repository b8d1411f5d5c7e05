/**
 * Soak: the BLS Portal Trigger inside real n8n (N8N_VERSION, default 2.41.1) receives a steady
 * stream of real sandbox deliveries for several minutes (BLS_SOAK_SECONDS, default 180), with the
 * API's retry mechanism at work: a proxy in front of n8n loses n8n's answer to some first attempts
 * (n8n got the event, the API retries it: the retry must be acknowledged without a second
 * execution) and fails others before n8n sees them (the retry must be processed, once). Every event
 * must be processed exactly once, read back from n8n's executions; n8n's memory is sampled.
 */
import { startSandbox } from '../../sandbox';
import { startN8n, versionFromEnv, type N8nInstance } from '../../scripts/n8n/instance';
import { createSandboxCredential } from '../e2e/helpers';
import {
	accountBookings,
	DeliveryRelay,
	formatSeconds,
	n8nPid,
	printFigures,
	registeredEndpoint,
	triggerRegistrationSaved,
	rssMiB,
	seededRandom,
	settledExecutions,
	sleep,
	Tally,
	triggerItems,
	triggerWorkflow,
	type RelayAction,
	type Sandbox,
} from './support';

const version = versionFromEnv();
const SOAK_MS = Number(process.env.BLS_SOAK_SECONDS || 180) * 1000;
const EVENT_INTERVAL_MS = 250;
const RETRY_DELAY_MS = 400;
const random = seededRandom(777);

let sandbox: Sandbox;
let proxy: DeliveryRelay;
let n8n: N8nInstance;
let workflowId = '';
let endpointId = 0;
let pid: number | undefined;

const memory = { idle: 0, warm: 0, peak: 0, end: 0 };
const figures = {
	durationMs: 0,
	eventsFired: 0,
	attempts: 0,
	retries: 0,
	answersLost: 0,
	outages: 0,
	duplicatesAcknowledged: 0,
	executions: 0,
	processedOnce: 0,
	missing: -1,
	duplicated: -1,
	failedExecutions: -1,
	unacknowledged: -1,
};

/** Per event, what the proxy did to its first attempt (later attempts always go through). */
const firstAction = new Map<string, RelayAction>();

beforeAll(async () => {
	sandbox = await startSandbox({
		port: 0,
		rateLimit: false,
		retryDelayMs: RETRY_DELAY_MS,
		bookings: 200,
	});
	proxy = await DeliveryRelay.start();
	proxy.policy = ({ headers }) => {
		const eventId = String(headers['x-tdta-event-id']);
		if (firstAction.has(eventId)) return 'forward';
		const roll = random();
		const action: RelayAction = roll < 0.1 ? 'lose-answer' : roll < 0.2 ? 'refuse' : 'forward';
		firstAction.set(eventId, action);
		return action;
	};
	n8n = await startN8n({
		version,
		env: { N8N_WEBHOOK_URL: `${proxy.origin}/`, WEBHOOK_URL: `${proxy.origin}/` },
	});
	proxy.target = n8n.url;
	pid = n8nPid(n8n);
	const credential = await createSandboxCredential(n8n, sandbox);
	const { workflow, webhookId } = triggerWorkflow(
		'soak',
		['booking.equipment_late', 'booking.attendance_marked'],
		credential,
	);
	workflowId = (await n8n.importWorkflow(workflow)).id;
	await n8n.activate(workflowId);
	endpointId = (await registeredEndpoint(sandbox, webhookId)).id;
	await triggerRegistrationSaved(n8n, workflowId);
	memory.idle = rssMiB(pid);
}, 20 * 60_000);

afterAll(async () => {
	printFigures(`Soak — BLS Portal Trigger in n8n ${version}`, [
		['duration of the stream', formatSeconds(figures.durationMs)],
		['events fired', figures.eventsFired],
		['delivery attempts (sandbox)', figures.attempts],
		['  retries by the API', figures.retries],
		['  answers lost after n8n got the event', figures.answersLost],
		['  outages before n8n (503 to the API)', figures.outages],
		['  retries acknowledged as duplicates', figures.duplicatesAcknowledged],
		['executions (n8n API)', figures.executions],
		['events processed exactly once', figures.processedOnce],
		['events missing', figures.missing],
		['events processed twice or more', figures.duplicated],
		['failed executions', figures.failedExecutions],
		['events never acknowledged', figures.unacknowledged],
		[
			'n8n RSS idle / warm / peak / end (MiB)',
			`${memory.idle} / ${memory.warm} / ${memory.peak} / ${memory.end}`,
		],
		[
			'RSS growth warm → end',
			memory.warm ? `${Math.round(((memory.end - memory.warm) / memory.warm) * 100)} %` : 'n/a',
		],
	]);
	await n8n?.stop();
	await proxy?.stop();
	await sandbox?.stop();
}, 120_000);

/** Booked bookings whose training is not completed, so attendance and equipment can change again and again. */
function eventSources(): number[] {
	return accountBookings(sandbox, sandbox.accounts[0].hbClientId)
		.filter((booking) => booking.status === 'booked')
		.map((booking) => booking.id)
		.filter((id) => {
			try {
				sandbox.bookings.equipment(id, 'out');
				return true;
			} catch {
				return false;
			}
		});
}

describe(`soak: a steady stream of deliveries into n8n ${version}`, () => {
	it('processes every event exactly once, acknowledges every retry, and keeps memory stable', async () => {
		const sources = eventSources();
		expect(sources.length).toBeGreaterThan(10);
		const late = new Map<number, boolean>();
		let turn = 0;
		const fire = () => {
			const id = sources[turn % sources.length];
			turn++;
			try {
				if (turn % 2 === 0) {
					const isLate = late.get(id) === true;
					if (isLate) sandbox.bookings.equipment(id, 'out');
					sandbox.bookings.equipment(id, 'late');
					late.set(id, true);
				} else {
					sandbox.bookings.attendance(id, turn % 3 !== 0);
				}
				figures.eventsFired++;
			} catch {
				// a booking that cannot change any more (completed meanwhile): skip it
			}
		};

		const started = Date.now();
		const sampler = setInterval(() => {
			memory.peak = Math.max(memory.peak, rssMiB(pid));
			if (!memory.warm && Date.now() - started > 20_000) memory.warm = rssMiB(pid);
		}, 1000);
		while (Date.now() - started < SOAK_MS) {
			const tick = Date.now();
			fire();
			await sleep(Math.max(0, EVENT_INTERVAL_MS - (Date.now() - tick)));
		}
		figures.durationMs = Date.now() - started;

		// Let every retry run, then wait for n8n to store the last executions.
		for (let round = 0; round < 10 && sandbox.deliveries().pending.length > 0; round++) {
			await sandbox.waitForDeliveries(RETRY_DELAY_MS * 4);
			await sandbox.flushDeliveries();
		}
		expect(await sandbox.waitForDeliveries(30_000)).toBe(true);
		await proxy.settled();
		clearInterval(sampler);

		const log = sandbox.deliveries();
		const ours = log.events.filter((event) => event.endpointIds.includes(endpointId));
		const attempts = log.attempts.filter((attempt) => attempt.endpointId === endpointId);
		figures.attempts = attempts.length;
		figures.retries = attempts.filter((attempt) => attempt.attempt > 1).length;
		figures.answersLost = proxy.deliveries.filter(
			(delivery) => delivery.action === 'lose-answer',
		).length;
		figures.outages = proxy.deliveries.filter((delivery) => delivery.action === 'refuse').length;
		figures.duplicatesAcknowledged = proxy.deliveries.filter(
			(delivery) => delivery.n8nStatus === 200 && /already received/.test(delivery.n8nBody),
		).length;
		const acknowledged = new Set(
			attempts.filter((attempt) => attempt.ok).map((attempt) => attempt.eventId),
		);
		figures.unacknowledged = ours.filter((event) => !acknowledged.has(event.eventId)).length;

		const executions = await settledExecutions(n8n, workflowId, {
			atLeast: ours.length,
			quietMs: 3000,
			timeoutMs: 300_000,
		});
		memory.end = rssMiB(pid);
		memory.peak = Math.max(memory.peak, memory.end);
		const items = triggerItems(executions);
		figures.executions = executions.length;
		figures.failedExecutions = executions.filter(
			(execution) => execution.status !== 'success',
		).length;
		const processed = new Tally();
		for (const item of items) processed.add(String(item.event_id));
		const expected = new Set(ours.map((event) => event.eventId));
		figures.missing = ours.filter((event) => processed.get(event.eventId) === 0).length;
		figures.duplicated = processed.entries().filter(([, count]) => count > 1).length;
		figures.processedOnce = processed
			.entries()
			.filter(([eventId, count]) => count === 1 && expected.has(eventId)).length;
		const unexpected = processed.entries().filter(([eventId]) => !expected.has(eventId));

		expect(figures.eventsFired).toBeGreaterThan(100);
		expect(ours.length).toBe(figures.eventsFired);
		expect(figures.retries).toBeGreaterThan(0);
		expect(figures.answersLost).toBeGreaterThan(0);
		expect(figures.outages).toBeGreaterThan(0);
		// Every lost answer came back as a retry that n8n acknowledged without running the workflow again.
		expect(figures.duplicatesAcknowledged).toBe(figures.answersLost);
		expect(figures.unacknowledged).toBe(0);
		expect(log.pending).toEqual([]);
		expect(figures.missing).toBe(0);
		expect(figures.duplicated).toBe(0);
		expect(unexpected).toEqual([]);
		expect(figures.failedExecutions).toBe(0);
		expect(figures.processedOnce).toBe(ours.length);
		expect(executions).toHaveLength(ours.length);
		// Memory: a generous bound, not a timing. The soak must not make n8n grow without limit.
		expect(memory.warm).toBeGreaterThan(0);
		expect(memory.end).toBeLessThan(memory.warm * 2);
	});
});
