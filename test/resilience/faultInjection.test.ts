/**
 * Fault injection through the sandbox's control surface while the BLS Portal node runs in n8n-core
 * (real WorkflowExecute, real HTTP): `Booking → Get Many` with Return All over 3 000 bookings, and
 * `Booking → Book`, under 429 bursts, 500/502/503/504, dropped connections, slow responses, the
 * access token revoked mid-run and the refresh token expired, plus answers lost after the API acted
 * (a proxy between node and sandbox). Ground truth comes from the sandbox's own state.
 */
import type { IDataObject, INode, INodeParameters } from 'n8n-workflow';

import { startSandbox, type FaultSpec, type RequestLogSummary } from '../../sandbox';
import { N8nHarness, type RunOptions } from '../harness/n8n';
import {
	accountBookings,
	ApiProxy,
	printFigures,
	seededRandom,
	Tally,
	type FigureRow,
	type Sandbox,
} from './support';

const BOOKINGS = 3000;
const random = seededRandom(4242);

let sandbox: Sandbox;
let harness: N8nHarness;
let apiProxy: ApiProxy;
let proxied: N8nHarness;
let proxiedWithRetries: N8nHarness;
let account: string;

/** n8n's "Retry On Fail" node setting, which runs a failed node again. */
class RetryOnFailHarness extends N8nHarness {
	node(parameters: INodeParameters, options: Partial<RunOptions> = {}): INode {
		return {
			...super.node(parameters, options),
			retryOnFail: true,
			maxTries: 3,
			waitBetweenTries: 0,
		};
	}
}

const listFigures: FigureRow[] = [];
const bookFigures: FigureRow[] = [];
const totals = {
	runs: 0,
	completed: 0,
	faults: 0,
	itemsLost: 0,
	itemsDuplicated: 0,
	bookRuns: 0,
	bookingsCreatedTwice: 0,
	danglingHolds: 0,
	bookingsReportedFailedButMade: 0,
	holdsLeftByLostAnswer: 0,
	reauthentications: 0,
};
const faultTypes = new Tally();

beforeAll(async () => {
	// A real rate limit too (40 requests per 3 s), so real 429 bursts mix with injected ones.
	sandbox = await startSandbox({
		port: 0,
		bookings: BOOKINGS,
		rateLimit: { max: 40, windowMs: 3000 },
	});
	const demo = sandbox.accounts[0];
	account = demo.hbClientId;
	const credential = { clientId: demo.hbClientId, apiKey: demo.apiKey };
	harness = new N8nHarness({ ...credential, baseUrl: sandbox.apiUrl });
	apiProxy = await ApiProxy.start(sandbox.origin);
	proxied = new N8nHarness({ ...credential, baseUrl: apiProxy.apiUrl });
	proxiedWithRetries = new RetryOnFailHarness({ ...credential, baseUrl: apiProxy.apiUrl });
	// Enough credits for every booking attempt of the suite; course 2 has none (an API refusal).
	sandbox.updateAccount(account, { credits: { '1': 500, '2': 0 } });
}, 120_000);

afterAll(async () => {
	printFigures(
		'Fault injection — Booking → Get Many (Return All) and Booking → Book',
		[
			['Return All runs (3 000 bookings each)', totals.runs],
			['  completed', totals.completed],
			['  faults injected', totals.faults],
			['  re-authentications (token exchanges + refreshes)', totals.reauthentications],
			['  items lost', totals.itemsLost],
			['  items duplicated', totals.itemsDuplicated],
			...listFigures,
			['Book runs', totals.bookRuns],
			['  bookings created twice', totals.bookingsCreatedTwice],
			['  holds left dangling after a failed Book', totals.danglingHolds],
			['  bookings made but reported as failed', totals.bookingsReportedFailedButMade],
			['  holds left by a lost answer to Hold (expire in 30 min)', totals.holdsLeftByLostAnswer],
			...bookFigures,
		],
		[`faults by type: ${faultTypes.summary()}`],
	);
	await apiProxy?.stop();
	await sandbox?.stop();
});

// ---- Return All -------------------------------------------------------------------------------

/** A number: that many requests pass untouched (a 1 ms latency fault as a spacer); `marker`: a 400 ms pause during which `midRun` acts. */
type Step = number | 'marker' | FaultSpec;

function label(spec: FaultSpec): string {
	if (spec.drop) return 'dropped connection';
	if (spec.status) return `HTTP ${spec.status}`;
	return 'slow response';
}

/** Adds the steps as faults on GET /bookings, in order; returns the marker fault's id and the faults injected. */
function plan(steps: Step[]): { markerId?: number; injected: number } {
	let markerId: number | undefined;
	let injected = 0;
	for (const step of steps) {
		if (typeof step === 'number') {
			if (step > 0)
				sandbox.addFault({ latencyMs: 1, count: step, method: 'GET', path: '/bookings' });
		} else if (step === 'marker') {
			markerId = sandbox.addFault({
				latencyMs: 400,
				count: 1,
				method: 'GET',
				path: '/bookings',
			}).id;
		} else {
			const fault = sandbox.addFault({ method: 'GET', path: '/bookings', ...step });
			injected += fault.count;
			faultTypes.add(label(step), fault.count);
		}
	}
	return { markerId, injected };
}

async function returnAll(
	name: string,
	steps: Step[],
	midRun?: { label: string; act: () => void },
	target = harness,
): Promise<void> {
	sandbox.clearFaults();
	sandbox.clearRequests();
	const { markerId, injected } = plan(steps);
	let acted = 0;
	const watcher =
		markerId === undefined || !midRun
			? undefined
			: setInterval(() => {
					if (acted === 0 && !sandbox.faults().some((fault) => fault.id === markerId)) {
						acted++;
						midRun.act();
						faultTypes.add(midRun.label);
					}
				}, 5);
	const expected = accountBookings(sandbox, account).map((booking) => booking.id);
	const { items, error } = await target.run({
		parameters: { resource: 'booking', operation: 'getMany', returnAll: true },
	});
	if (watcher) clearInterval(watcher);

	const ids = items.map((item) => Number(item.json.id));
	const got = new Set(ids);
	const lost = expected.filter((id) => !got.has(id)).length;
	const duplicated = ids.length - got.size;
	const log = sandbox.requests();
	const reauth = log.tokenExchanges + log.refreshes;
	const faults = injected + acted;
	totals.runs++;
	if (!error) totals.completed++;
	totals.faults += faults;
	totals.itemsLost += lost;
	totals.itemsDuplicated += duplicated;
	totals.reauthentications += reauth;
	listFigures.push([
		`  · ${name}`,
		`${faults} f, ${error ? 'FAILED' : 'ok'}, ${lost}/${duplicated} lost/dup`,
	]);

	expect(error?.message).toBeUndefined();
	expect(expected.length).toBeGreaterThanOrEqual(BOOKINGS);
	expect(lost).toBe(0);
	expect(duplicated).toBe(0);
	expect(ids.length).toBe(expected.length);
	// Every planned fault was met (the plan did not run past the end of the list).
	expect(sandbox.faults()).toEqual([]);
	if (midRun) expect(acted).toBe(1);
}

describe('Return All of 3 000 bookings under faults', () => {
	it('baseline: every booking exactly once', async () => {
		await returnAll('no faults', []);
	});

	it('429 bursts (with Retry-After), on top of the real rate limit', async () => {
		await returnAll('429 bursts', [
			3,
			{ status: 429, count: 3, retryAfter: 1 },
			10,
			{ status: 429, count: 2, retryAfter: 2 },
			5,
			{ status: 429, count: 1, retryAfter: 0 },
		]);
	});

	it('500, 502, 503 and 504 answers', async () => {
		await returnAll('5xx answers', [
			2,
			{ status: 500, count: 2 },
			5,
			{ status: 502, count: 3 },
			5,
			{ status: 503, count: 1, retryAfter: 1 },
			5,
			{ status: 504, count: 1 },
		]);
	});

	it('dropped connections', async () => {
		await returnAll('dropped connections', [
			1,
			{ drop: true, count: 2 },
			10,
			{ drop: true, count: 1 },
			6,
			{ drop: true, count: 3 },
		]);
	});

	it('slow responses', async () => {
		await returnAll('slow responses', [
			4,
			{ latencyMs: 3000, count: 1 },
			10,
			{ latencyMs: 1500, count: 3 },
		]);
	});

	it('the access token revoked mid-run (with its refresh token)', async () => {
		await returnAll('token revoked mid-run', [12, 'marker'], {
			label: 'tokens revoked',
			act: () => sandbox.revokeAllTokens(),
		});
	});

	it('access and refresh tokens expired mid-run', async () => {
		await returnAll('tokens expired mid-run', [8, 'marker'], {
			label: 'tokens expired',
			act: () => sandbox.expireTokens({ access: true, refresh: true }),
		});
	});

	it('the refresh token expired earlier, then the access token revoked mid-run, then a 503', async () => {
		sandbox.expireTokens({ refresh: true });
		await returnAll('refresh expired + revoke + 503', [5, 'marker', { status: 503, count: 1 }], {
			label: 'tokens revoked',
			act: () => sandbox.revokeAllTokens(),
		});
	});

	it('faults on the token exchange itself (429, then 503) after every token was revoked', async () => {
		sandbox.revokeAllTokens();
		sandbox.clearFaults();
		sandbox.addFault({ status: 429, count: 1, method: 'POST', path: '/auth/token', retryAfter: 1 });
		sandbox.addFault({ status: 503, count: 1, method: 'POST', path: '/auth/token' });
		faultTypes.add('HTTP 429 on /auth/token');
		faultTypes.add('HTTP 503 on /auth/token');
		const { items, error } = await harness.run({
			parameters: { resource: 'booking', operation: 'getMany', returnAll: true },
		});
		totals.runs++;
		totals.faults += 2;
		if (!error) totals.completed++;
		const expected = accountBookings(sandbox, account).length;
		const got = new Set(items.map((item) => item.json.id)).size;
		totals.itemsLost += Math.max(0, expected - got);
		totals.itemsDuplicated += items.length - got;
		listFigures.push([
			'  · faults on the token exchange',
			`2 f, ${error ? 'FAILED' : 'ok'}, ${expected - got}/${items.length - got} lost/dup`,
		]);
		expect(error?.message).toBeUndefined();
		expect(got).toBe(expected);
		expect(items).toHaveLength(expected);
	});

	it('chaos: a seeded mix of every fault across the run', async () => {
		for (let round = 0; round < 3; round++) {
			const steps: Step[] = [];
			for (let page = 0; page < 28; page++) {
				const roll = random();
				if (roll < 0.12)
					steps.push({ status: 429, count: 1 + Math.floor(random() * 3), retryAfter: 1 });
				else if (roll < 0.24)
					steps.push({
						status: [500, 502, 503, 504][Math.floor(random() * 4)],
						count: 1 + Math.floor(random() * 2),
					});
				else if (roll < 0.32) steps.push({ drop: true, count: 1 + Math.floor(random() * 2) });
				// Each page is either slow or passes; a page meets at most one group of failures.
				steps.push(random() < 0.1 ? { latencyMs: 300 + Math.floor(random() * 1200), count: 1 } : 1);
			}
			const midRun =
				round === 1 ? { label: 'tokens revoked', act: () => sandbox.revokeAllTokens() } : undefined;
			if (midRun) steps.splice(20, 0, 'marker');
			await returnAll(`chaos round ${round + 1}`, steps, midRun);
		}
	});
});

// ---- Book ---------------------------------------------------------------------------------------

let slots: Array<{ date: string; time: string }> = [];
let attempt = 0;

interface BookCase {
	name: string;
	faults?: FaultSpec[];
	/** Whether the candidate should end up booked (and the node succeed). */
	booked: boolean;
	courseId?: number;
	/** Lose the API's answers to these requests after it acted. */
	lose?: Array<[method: string, path: string]>;
	midRun?: () => void;
	target?: () => N8nHarness;
	/**
	 * The API made the hold but its answer was lost: nothing can tell the node the hold's hash (the
	 * API has no idempotency key), so the hold stays until it expires; the error must say so.
	 */
	holdLeftByLostAnswer?: boolean;
	/** Further checks on what the node sent and heard (the sandbox's request log of this run). */
	check?: (run: {
		log: RequestLogSummary;
		error?: { message: string; description?: string | null };
		midRunFired: boolean;
	}) => void;
}

/** Sign-ins and refreshes the API granted: each one a new token pair. */
const grantedTokens = (log: RequestLogSummary) =>
	log.entries.filter(
		(entry) =>
			['/auth/token', '/auth/refresh'].includes(entry.path) &&
			entry.method === 'POST' &&
			entry.status === 200,
	).length;

async function book(testCase: BookCase): Promise<void> {
	if (slots.length === 0) {
		sandbox.configure({ rateLimit: false });
		const items = await harness.output({
			parameters: {
				resource: 'timeslot',
				operation: 'getMany',
				courseId: 1,
				monthsAhead: 3,
				returnAll: true,
			},
		});
		slots = items.map((item) => ({ date: String(item.json.date), time: String(item.json.time) }));
		sandbox.configure({ rateLimit: { max: 40, windowMs: 3000 } });
	}
	const slot = slots.shift()!;
	const email = `fault-${++attempt}@example.com`;
	sandbox.clearFaults();
	sandbox.clearRequests();
	let markerId: number | undefined;
	for (const fault of testCase.faults ?? []) {
		const added = sandbox.addFault(fault);
		if (fault.latencyMs === 400 && testCase.midRun) markerId = added.id;
		faultTypes.add(`${label(fault)} on ${fault.method} ${fault.path}`, added.count);
		totals.faults += added.count;
	}
	for (const [method, path] of testCase.lose ?? []) {
		apiProxy.loseAnswers(method, path);
		faultTypes.add(`answer lost after ${method} ${path}`);
		totals.faults++;
	}
	let acted = false;
	const watcher =
		markerId === undefined
			? undefined
			: setInterval(() => {
					if (!acted && !sandbox.faults().some((fault) => fault.id === markerId)) {
						acted = true;
						testCase.midRun?.();
						faultTypes.add('tokens revoked');
						totals.faults++;
					}
				}, 5);

	const parameters: INodeParameters = {
		resource: 'booking',
		operation: 'book',
		courseId: testCase.courseId ?? 1,
		...slot,
		firstName: 'Fault',
		lastName: `Case ${attempt}`,
		email,
		payOption: 'credits',
		additionalFields: {},
	};
	const { items, error } = await (testCase.target?.() ?? harness).run({ parameters });
	if (watcher) clearInterval(watcher);

	const made = accountBookings(sandbox, account).filter((booking) => booking.email === email);
	const activeHold = sandbox.state().accounts[0].activeHold;
	totals.bookRuns++;
	if (made.length > 1) totals.bookingsCreatedTwice++;
	if (activeHold && !testCase.holdLeftByLostAnswer) totals.danglingHolds++;
	if (activeHold && testCase.holdLeftByLostAnswer) totals.holdsLeftByLostAnswer++;
	if (made.length === 1 && error) totals.bookingsReportedFailedButMade++;
	bookFigures.push([
		`  · ${testCase.name}`,
		`${made.length} made, ${error ? 'error' : 'ok'}${activeHold ? ', HOLD LEFT' : ''}`,
	]);
	if (activeHold) sandbox.expireHolds();

	expect(made.length).toBeLessThanOrEqual(1);
	if (!testCase.holdLeftByLostAnswer) expect(activeHold).toBeNull();
	if (testCase.booked) {
		expect(error?.message).toBeUndefined();
		expect(made).toHaveLength(1);
		expect((items[0]?.json as IDataObject).id).toBe(made[0].id);
	} else {
		expect(error).toBeDefined();
		expect(made).toHaveLength(0);
		// The user is told what happened to the hold.
		expect(error?.description ?? '').toMatch(/hold/i);
	}
	expect(sandbox.faults()).toEqual([]);
	testCase.check?.({ log: sandbox.requests(), error, midRunFired: acted });
}

const POST_BOOKINGS = { method: 'POST', path: '/bookings' } as const;
const POST_HOLD = { method: 'POST', path: '/timeslots/hold' } as const;
const DELETE_HOLD = { method: 'DELETE', path: '/timeslots/hold' } as const;

describe('Book under faults: never twice, never a dangling hold', () => {
	it.each<BookCase>([
		{ name: 'no faults', booked: true },
		{ name: '500 on create', faults: [{ status: 500, ...POST_BOOKINGS }], booked: false },
		{ name: '502 on create', faults: [{ status: 502, ...POST_BOOKINGS }], booked: false },
		{ name: '503 on create', faults: [{ status: 503, ...POST_BOOKINGS }], booked: false },
		{
			name: 'connection dropped on create',
			faults: [{ drop: true, ...POST_BOOKINGS }],
			booked: false,
		},
		{
			name: '429 ×2 on create',
			faults: [{ status: 429, count: 2, retryAfter: 1, ...POST_BOOKINGS }],
			booked: true,
		},
		{
			name: '429 ×2 on hold',
			faults: [{ status: 429, count: 2, retryAfter: 1, ...POST_HOLD }],
			booked: true,
		},
		{ name: '503 on hold', faults: [{ status: 503, ...POST_HOLD }], booked: false },
		{ name: 'connection dropped on hold', faults: [{ drop: true, ...POST_HOLD }], booked: false },
		{ name: 'slow create (2.5 s)', faults: [{ latencyMs: 2500, ...POST_BOOKINGS }], booked: true },
		{
			name: '500 on create, 503 ×2 on release',
			faults: [
				{ status: 500, ...POST_BOOKINGS },
				{ status: 503, count: 2, ...DELETE_HOLD },
			],
			booked: false,
		},
		{
			name: 'dropped create, dropped release',
			faults: [
				{ drop: true, ...POST_BOOKINGS },
				{ drop: true, ...DELETE_HOLD },
			],
			booked: false,
		},
		{
			name: 'API refuses (no credits), 502 on release',
			courseId: 2,
			faults: [{ status: 502, ...DELETE_HOLD }],
			booked: false,
		},
		{
			name: 'token revoked between hold and create',
			faults: [{ latencyMs: 400, ...POST_BOOKINGS }],
			midRun: () => sandbox.revokeAllTokens(),
			booked: true,
			check: ({ log, midRunFired }) => {
				expect(midRunFired).toBe(true);
				// The create met the revoked token (401), the node signed in once more and sent it again.
				expect(
					log.entries
						.filter((entry) => entry.method === 'POST' && entry.path === '/bookings')
						.map((entry) => entry.status),
				).toEqual([401, 201]);
				expect(grantedTokens(log)).toBe(1);
			},
		},
		{
			name: 'tokens expired, 429 on the exchange',
			faults: [{ status: 429, retryAfter: 1, method: 'POST', path: '/auth/token' }],
			midRun: undefined,
			booked: true,
		},
		{
			name: 'answer to create lost (API booked)',
			lose: [['POST', '/bookings']],
			booked: true,
			target: () => proxied,
		},
		{
			name: 'answer to hold lost (API held)',
			lose: [['POST', '/timeslots/hold']],
			booked: false,
			target: () => proxied,
			holdLeftByLostAnswer: true,
			// What the README promises: the hold expires by itself after 30 minutes, and the error says so.
			check: ({ error }) =>
				expect(error?.description ?? '').toMatch(/until it expires \(30 minutes\)/),
		},
		{
			name: 'answer to create lost, n8n Retry On Fail on',
			lose: [['POST', '/bookings']],
			booked: true,
			target: () => proxiedWithRetries,
		},
	])('$name', async (testCase) => {
		if (testCase.name.startsWith('tokens expired'))
			sandbox.expireTokens({ access: true, refresh: true });
		await book(testCase);
	});
});
