/**
 * The six scenarios of `npm run bench`. Each runs the BLS Portal node and the HTTP Request way
 * in the same n8n against the same in-process sandbox, one after the other, and reads call
 * counts from the sandbox's request log only (n8n's and the bench's own traffic is not in it).
 */
import { randomUUID } from 'crypto';

import type { Sandbox } from '../sandbox';
import { addDays, isWeekday } from '../sandbox/time';
import type { CreatedCredential, N8nInstance } from '../scripts/n8n/instance';
import { computeSignature, verifyDelivery } from '../nodes/BlsPortalTrigger/verifySignature';
import { deploy, Deployed, execute, itemsOf, sleep } from './exec';
import { percentile, runLoad } from './loadgen';
import type { LoadResult } from './loadgen';
import { ApiAccess, httpWay, ours, plainWebhookWorkflow, triggerWorkflow } from './workflows';

export const MAX_PAGE_SIZE = 100;

export interface BenchContext {
	n8n: N8nInstance;
	sandbox: Sandbox;
	credential: CreatedCredential;
	api: ApiAccess;
	/** Lost or duplicated items, executions n8n did not record: each makes the run exit non-zero. */
	integrity: string[];
	/** Progress lines (stderr). */
	log: (line: string) => void;
}

/** One figure of one scenario, both ways. */
export interface Row {
	scenario: string;
	figure: string;
	ours: number | null;
	http: number | null;
	/** How a value is printed. */
	format: 'int' | 'ms' | 's' | 'ratio' | 'us' | 'rate';
	/** Printed in the Minimum / goal column. */
	target?: string;
	/** Whether our figure meets it (undefined: nothing to meet). */
	meets?: boolean;
	/** Override the ratio column (default ours ÷ HTTP). */
	ratio?: string;
	/** Printed instead of a missing HTTP figure. */
	httpNote?: string;
	/** Key of the closing note that explains a miss. */
	noteKey?: string;
	/** Printed in the Met column instead of ✗ (e.g. "within noise"). */
	metNote?: string;
}

export interface ScenarioResult {
	rows: Row[];
	/** Facts the closing notes use (e.g. the HTTP way's failure message). */
	facts: Record<string, string | number>;
}

/** One uncounted run of our Get booking workflow, so the credential holds a live token (as it would in production). */
async function warmOurToken(workflow: Deployed): Promise<void> {
	const run = await execute(workflow);
	const items = itemsOf(run);
	if (items instanceof Error) throw new Error(`Warm-up run failed: ${items.message}`);
}

/** What is wrong with `items` if they are not exactly the bookings with ids 1..expected, none twice. */
function itemProblems(items: Array<Record<string, unknown>>, expected: number): string[] {
	const ids = items.map((item) => Number(item.id));
	const unique = new Set(ids);
	const problems: string[] = [];
	if (items.length !== expected) problems.push(`${items.length} items instead of ${expected}`);
	if (unique.size !== ids.length) problems.push(`${ids.length - unique.size} duplicated`);
	const missing = [];
	for (let id = 1; id <= expected && missing.length < 5; id++)
		if (!unique.has(id)) missing.push(id);
	if (missing.length) problems.push(`missing ids ${missing.join(', ')}…`);
	return problems;
}

/** Records lost or duplicated items as an integrity failure (the bench then exits non-zero). */
function checkItems(
	ctx: BenchContext,
	label: string,
	items: Array<Record<string, unknown>>,
	expected: number,
): void {
	const problems = itemProblems(items, expected);
	if (problems.length) ctx.integrity.push(`${label}: ${problems.join('; ')}`);
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// ---- 1. Token economy ---------------------------------------------------------------------------

export async function tokenEconomy(
	ctx: BenchContext,
	executions: number,
	getOurs: Deployed,
): Promise<ScenarioResult> {
	const { sandbox } = ctx;
	const theirs = await deploy(ctx.n8n, httpWay.getBooking('bench-http-get', ctx.api, 1));
	const measure = async (workflow: Deployed, label: string) => {
		sandbox.clearRequests();
		for (let i = 0; i < executions; i++) {
			const items = itemsOf(await execute(workflow));
			// Our node unwraps the booking; the HTTP Request node returns the API's `{ data: booking }`.
			const booking =
				items instanceof Error
					? undefined
					: ((items[0]?.data as Record<string, unknown> | undefined) ?? items[0]);
			if (items instanceof Error || items.length !== 1 || booking?.id !== 1) {
				ctx.integrity.push(
					`${label}: execution ${i + 1} did not return booking 1 (${items instanceof Error ? items.message : JSON.stringify(items).slice(0, 200)})`,
				);
			}
		}
		return sandbox.requests();
	};
	const o = await measure(getOurs, 'token economy, BLS Portal node');
	const h = await measure(theirs, 'token economy, HTTP Request way');
	const minimumCalls = executions + 1;
	const scenario = `1. Token economy (${executions} executions of "get one booking")`;
	return {
		rows: [
			{
				scenario,
				figure: 'token exchanges',
				ours: o.tokenExchanges + o.refreshes,
				http: h.tokenExchanges + h.refreshes,
				format: 'int',
				target: '1',
				meets: o.tokenExchanges + o.refreshes <= 1,
				noteKey: 'tokenExchanges',
			},
			{
				scenario,
				figure: 'API calls in total',
				ours: o.total,
				http: h.total,
				format: 'int',
				target: String(minimumCalls),
				meets: o.total <= minimumCalls,
				noteKey: 'tokenCalls',
			},
			{
				scenario,
				figure: 'API calls without sign-ins',
				ours: o.total - o.tokenExchanges - o.refreshes,
				http: h.total - h.tokenExchanges - h.refreshes,
				format: 'int',
				target: String(executions),
				meets: o.total - o.tokenExchanges - o.refreshes <= executions,
			},
		],
		facts: {},
	};
}

// ---- 2. List everything -----------------------------------------------------------------------

export async function listEverything(
	ctx: BenchContext,
	totals: number[],
	repeats: number,
	getOurs: Deployed,
): Promise<ScenarioResult> {
	const { sandbox } = ctx;
	const oursList = await deploy(ctx.n8n, ours.listAll('bench-ours-list'), ctx.credential);
	const http100 = await deploy(ctx.n8n, httpWay.listAll('bench-http-list-100', ctx.api, 100));
	const httpDefault = await deploy(
		ctx.n8n,
		httpWay.listAll('bench-http-list-default', ctx.api, undefined),
	);
	const rows: Row[] = [];
	for (const total of totals) {
		sandbox.reset({ bookings: total });
		await warmOurToken(getOurs);
		const measure = async (workflow: Deployed, label: string) => {
			const calls: number[] = [];
			const signIns: number[] = [];
			const times: number[] = [];
			let items = 0;
			for (let r = 0; r < repeats; r++) {
				sandbox.clearRequests();
				const run = await execute(workflow);
				const result = itemsOf(run);
				if (result instanceof Error) {
					ctx.integrity.push(`${label}: ${result.message}`);
					continue;
				}
				checkItems(ctx, `${label} (run ${r + 1})`, result, total);
				items = result.length;
				const log = sandbox.requests();
				calls.push(log.total);
				signIns.push(log.tokenExchanges + log.refreshes);
				times.push(run.ms);
			}
			if (new Set(calls).size > 1)
				ctx.log(`  note: ${label} made ${calls.join(' / ')} calls in its ${repeats} runs`);
			return { calls: Math.max(...calls), signIns: Math.max(...signIns), items, ms: median(times) };
		};
		ctx.log(`  Return All over ${total} bookings`);
		const o = await measure(oursList, `return all ${total}, BLS Portal node`);
		const h = await measure(http100, `return all ${total}, HTTP Request way per_page=100`);
		const d = await measure(httpDefault, `return all ${total}, HTTP Request way per_page default`);
		const minimum = Math.ceil(total / MAX_PAGE_SIZE);
		const scenario = `2. Return All, ${total.toLocaleString('en-GB')} bookings`;
		rows.push(
			{
				scenario,
				figure: 'API calls (HTTP way: per_page=100)',
				ours: o.calls,
				http: h.calls,
				format: 'int',
				target: String(minimum),
				meets: o.calls <= minimum,
				noteKey: 'listCalls',
			},
			{
				scenario,
				figure: 'API calls (HTTP way: per_page left at the default 20)',
				ours: o.calls,
				http: d.calls,
				format: 'int',
				target: String(minimum),
				meets: o.calls <= minimum,
				noteKey: 'listCalls',
			},
			{
				scenario,
				figure: 'API calls without sign-ins (HTTP way: per_page=100)',
				ours: o.calls - o.signIns,
				http: h.calls - h.signIns,
				format: 'int',
				target: String(minimum),
				meets: o.calls - o.signIns <= minimum,
			},
			{
				scenario,
				figure: 'items returned (unique)',
				ours: o.items,
				http: h.items,
				format: 'int',
				target: `${total} (= total)`,
				meets: o.items === total,
			},
			{
				scenario,
				figure: `wall time per execution, median of ${repeats} (HTTP way: per_page=100)`,
				ours: o.ms,
				http: h.ms,
				format: 'ms',
				target: '—',
			},
		);
	}
	return { rows, facts: {} };
}

// ---- 3. Limit -----------------------------------------------------------------------------------

/** Items the GET /bookings requests in the log fetched, from their page and per_page, with `total` bookings. */
function fetchedItems(sandbox: Sandbox, total: number): number {
	let fetched = 0;
	for (const entry of sandbox.requests().entries) {
		if (entry.method !== 'GET' || entry.path !== '/bookings' || entry.status !== 200) continue;
		const url = new URL(entry.url, 'http://x');
		const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
		const perPage = Math.min(
			MAX_PAGE_SIZE,
			Math.max(1, Number(url.searchParams.get('per_page') ?? 20) || 20),
		);
		fetched += Math.max(0, Math.min(perPage, total - (page - 1) * perPage));
	}
	return fetched;
}

/**
 * The fewest items beyond `limit` that any plan of `pages` page-number requests (page p at per_page
 * s ≤ 100 covers items (p−1)·s … p·s − 1, each page starting where the previous one ended) must
 * fetch: 0 when an exact plan exists (101 = 100 + page 101 of 1), more when none does (137, 999).
 */
export function leastSurplus(limit: number, pages: number): number {
	// reachable[k]: the offsets k pages can end at, starting from 0.
	let reachable = new Set<number>([0]);
	for (let k = 0; k < pages; k++) {
		const next = new Set<number>();
		for (const offset of reachable) {
			for (let size = 1; size <= MAX_PAGE_SIZE; size++)
				if (offset % size === 0 && offset < limit) next.add(offset + size);
		}
		reachable = next;
	}
	const ends = [...reachable].filter((end) => end >= limit);
	return ends.length ? Math.min(...ends) - limit : Number.NaN;
}

export async function limits(
	ctx: BenchContext,
	limitValues: number[],
	total: number,
	getOurs: Deployed,
): Promise<ScenarioResult> {
	const { sandbox } = ctx;
	sandbox.reset({ bookings: total });
	await warmOurToken(getOurs);
	const rows: Row[] = [];
	for (const limit of limitValues) {
		const oursWorkflow = await deploy(
			ctx.n8n,
			ours.listLimit(`bench-ours-limit-${limit}`, limit),
			ctx.credential,
		);
		const theirs = await deploy(
			ctx.n8n,
			httpWay.listLimit(`bench-http-limit-${limit}`, ctx.api, limit),
		);
		const measure = async (workflow: Deployed, label: string) => {
			sandbox.clearRequests();
			const result = itemsOf(await execute(workflow));
			if (result instanceof Error) {
				ctx.integrity.push(`${label}: ${result.message}`);
				return { calls: NaN, signIns: NaN, over: NaN };
			}
			checkItems(ctx, label, result, limit);
			const log = sandbox.requests();
			return {
				calls: log.total,
				signIns: log.tokenExchanges + log.refreshes,
				over: fetchedItems(sandbox, total) - limit,
			};
		};
		const o = await measure(oursWorkflow, `limit ${limit}, BLS Portal node`);
		const h = await measure(theirs, `limit ${limit}, HTTP Request way`);
		const minimum = Math.ceil(limit / MAX_PAGE_SIZE);
		const surplus = leastSurplus(limit, minimum);
		const scenario = `3. Limit = ${limit}`;
		rows.push(
			{
				scenario,
				figure: 'API calls',
				ours: o.calls,
				http: h.calls,
				format: 'int',
				target: String(minimum),
				meets: o.calls <= minimum,
				noteKey: 'limitCalls',
			},
			{
				scenario,
				figure: 'API calls without sign-ins',
				ours: o.calls - o.signIns,
				http: h.calls - h.signIns,
				format: 'int',
				target: String(minimum),
				meets: o.calls - o.signIns <= minimum,
			},
			{
				scenario,
				figure: `items fetched but not returned (least possible in ${minimum} call${minimum === 1 ? '' : 's'}: ${surplus})`,
				ours: o.over,
				http: h.over,
				format: 'int',
				target: String(surplus),
				meets: o.over <= surplus,
				ratio: '—',
				noteKey: 'overFetch',
			},
		);
	}
	return { rows, facts: {} };
}

// ---- 4. Under the rate limit ----------------------------------------------------------------------

export interface RateLimitSettings {
	quota: number;
	windowMs: number;
	/** Windows of work the list needs (3 per the issue). */
	windows: number;
}

interface RateRun {
	ok: boolean;
	/** Items the run returned (0 when it failed with an error). */
	items: number;
	message: string;
	calls: number;
	status429: number;
	spanMs: number;
	floorMs: number;
	executionMs: number;
}

/** Time from the first API request's arrival to the end of the last one's answer, from the request log. */
function logSpanMs(sandbox: Sandbox): number {
	const entries = sandbox.requests().entries;
	if (entries.length === 0) return 0;
	const first = Date.parse(entries[0].at);
	const last = Math.max(...entries.map((entry) => Date.parse(entry.at) + entry.durationMs));
	return last - first;
}

export async function underRateLimit(
	ctx: BenchContext,
	settings: RateLimitSettings,
	getOurs: Deployed,
): Promise<ScenarioResult> {
	const { sandbox } = ctx;
	const { quota, windowMs, windows } = settings;
	// Our node's token is reused, so its job is pages only: windows × quota − 1 pages keeps the HTTP
	// way (token + pages) at exactly windows × quota calls, the same number of windows for both.
	const total = (windows * quota - 1) * MAX_PAGE_SIZE;
	sandbox.reset({ bookings: total, rateLimit: false });
	await warmOurToken(getOurs);

	const oursList = await deploy(ctx.n8n, ours.listAll('bench-ours-rate'), ctx.credential);
	// Retry On Fail at n8n's most patient setting (5 tries, 5 s apart: the editor's maximums).
	const retryOnly = await deploy(
		ctx.n8n,
		httpWay.listAll('bench-http-rate-retry', ctx.api, 100, {
			retry: { maxTries: 5, waitBetweenTriesMs: 5000 },
		}),
	);
	// The careful user also spaces the pages to the quota. At exactly window ÷ quota (1 s at the real
	// 60/min) the token call right before page 1 makes the 61st request land inside the first
	// window, so the pace that never meets a 429 is window ÷ (quota − 1): 1 017 ms at 60/min.
	const intervalMs = Math.ceil(windowMs / (quota - 1));
	const paced = await deploy(
		ctx.n8n,
		httpWay.listAll('bench-http-rate-paced', ctx.api, 100, {
			requestIntervalMs: intervalMs,
			retry: { maxTries: 5, waitBetweenTriesMs: 5000 },
		}),
	);

	// For the closing note only: a user who makes the completion expression check the status first,
	// so that a 429 fails the node (loudly) and Retry On Fail gets its chance.
	const strict = await deploy(
		ctx.n8n,
		httpWay.listAll('bench-http-rate-strict', ctx.api, 100, {
			completeExpression:
				'={{ $response.statusCode === 200 && $response.body.links.next === null }}',
			retry: { maxTries: 5, waitBetweenTriesMs: 5000 },
		}),
	);

	const measure = async (
		workflow: Deployed,
		label: string,
		countAsIntegrity: boolean,
	): Promise<RateRun> => {
		// A fresh limiter (new windows) and log for each run.
		sandbox.configure({ rateLimit: { max: quota, windowMs } });
		sandbox.clearRequests();
		const run = await execute(workflow);
		const items = itemsOf(run);
		const summary = sandbox.requests();
		const calls = summary.total - summary.status429;
		const floorMs = (Math.ceil(calls / quota) - 1) * windowMs;
		// A run that answers 200 with items missing failed just as much as one that errors, only silently.
		const problems = items instanceof Error ? [items.message] : itemProblems(items, total);
		const result: RateRun = {
			ok: problems.length === 0,
			items: items instanceof Error ? 0 : items.length,
			message:
				items instanceof Error
					? items.message
					: problems.length
						? `answered 200 OK with ${problems.join('; ')}`
						: '',
			calls,
			status429: summary.status429,
			spanMs: logSpanMs(sandbox),
			floorMs,
			executionMs: run.ms,
		};
		if (!result.ok && countAsIntegrity) ctx.integrity.push(`${label}: ${result.message}`);
		ctx.log(
			`  ${label}: ${result.ok ? 'ok' : `failed (${result.message.slice(0, 120)})`}, ${calls} calls + ${result.status429} × 429, ${(result.spanMs / 1000).toFixed(1)} s`,
		);
		return result;
	};
	const o = await measure(oursList, 'rate limit, BLS Portal node', true);
	const r = await measure(retryOnly, 'rate limit, HTTP Request way (Retry On Fail)', false);
	const p = await measure(
		paced,
		`rate limit, HTTP Request way (Retry On Fail + ${intervalMs} ms interval)`,
		false,
	);
	const s = await measure(
		strict,
		'rate limit, HTTP Request way (Retry On Fail, status-checking completion)',
		false,
	);
	sandbox.configure({ rateLimit: false });

	const ratio = (run: RateRun) => (run.ok && run.floorMs > 0 ? run.spanMs / run.floorMs : null);
	const scenario = `4. Return All of ${total.toLocaleString('en-GB')} bookings at ${quota} requests / ${windowMs / 1000} s`;
	const rows: Row[] = [];
	for (const [variant, theirs] of [
		['Retry On Fail 5 × 5 s', r],
		[`same + ${intervalMs} ms between pages`, p],
	] as const) {
		const silent = theirs.message.startsWith('answered 200 OK');
		rows.push(
			{
				scenario,
				figure: `failed executions (HTTP way: ${variant})`,
				ours: o.ok ? 0 : 1,
				http: theirs.ok ? 0 : silent ? null : 1,
				httpNote: silent
					? `1 (silent: 200 OK, ${theirs.items.toLocaleString('en-GB')} of ${total.toLocaleString('en-GB')} items)`
					: undefined,
				format: 'int',
				target: '0',
				meets: o.ok,
				ratio: '—',
			},
			{
				scenario,
				figure: `429 answers received (HTTP way: ${variant})`,
				ours: o.status429,
				http: theirs.status429,
				format: 'int',
				target: '—',
				ratio: '—',
			},
			{
				scenario,
				figure: `wall time, first to last API call (HTTP way: ${variant})`,
				ours: o.spanMs,
				http: theirs.ok ? theirs.spanMs : null,
				httpNote: theirs.ok ? undefined : 'failed',
				format: 's',
				target: `floor ${(o.floorMs / 1000).toFixed(0)} s`,
			},
			{
				scenario,
				figure: `wall time ÷ quota floor (HTTP way: ${variant})`,
				ours: ratio(o),
				http: ratio(theirs),
				httpNote: theirs.ok ? undefined : 'failed',
				format: 'ratio',
				target: '≤ 1.15',
				meets: (ratio(o) ?? Infinity) <= 1.15,
				noteKey: 'rateRatio',
			},
		);
	}
	return {
		rows,
		facts: {
			total,
			quota,
			windowMs,
			intervalMs,
			oursCalls: o.calls,
			oursSpanMs: Math.round(o.spanMs),
			oursFloorMs: o.floorMs,
			oursExecutionMs: Math.round(o.executionMs),
			retryMessage: r.message,
			retryItems: r.items,
			pacedItems: p.items,
			retryCalls: r.calls,
			retry429: r.status429,
			retryMs: Math.round(r.executionMs),
			pacedMessage: p.message,
			strictMessage: s.message,
			strictCalls: s.calls,
			strict429: s.status429,
			strictMs: Math.round(s.executionMs),
			strictOk: s.ok ? 1 : 0,
			paced429: p.status429,
			pacedCalls: p.calls,
			pacedSpanMs: Math.round(p.spanMs),
			pacedFloorMs: p.floorMs,
		},
	};
}

// ---- 5. Book a candidate ------------------------------------------------------------------------

/** A weekday at least two days after the sandbox's today, so its slots are offered. */
function bookableDay(today: string): string {
	let day = addDays(today, 2);
	while (!isWeekday(day)) day = addDays(day, 1);
	return day;
}

export async function bookCandidates(
	ctx: BenchContext,
	count: number,
	getOurs: Deployed,
): Promise<ScenarioResult> {
	const { sandbox } = ctx;
	sandbox.reset({ bookings: 25 });
	const account = sandbox.accounts[0];
	sandbox.updateAccount(account.hbClientId, { credits: { '1': count * 4 } });
	await warmOurToken(getOurs);
	const slot = { courseId: 1, date: bookableDay(sandbox.state().today), time: '09:00' };
	const oursBook = await deploy(ctx.n8n, ours.book('bench-ours-book', slot), ctx.credential);
	const theirs = await deploy(ctx.n8n, httpWay.book('bench-http-book', ctx.api, slot));

	const measure = async (workflow: Deployed, label: string, tag: string) => {
		sandbox.clearRequests();
		const before = sandbox.state().accounts[0].bookings;
		const ids = new Set<unknown>();
		for (let i = 0; i < count; i++) {
			const email = `bench.${tag}.${i}@example.com`;
			const items = itemsOf(await execute(workflow, { lastName: `${tag}${i}`, email }));
			const booking =
				items instanceof Error
					? undefined
					: ((items[0]?.data as Record<string, unknown> | undefined) ?? items[0]);
			if (items instanceof Error || !booking || booking.email !== email) {
				ctx.integrity.push(
					`${label}: booking ${i + 1} not made (${items instanceof Error ? items.message : JSON.stringify(items).slice(0, 200)})`,
				);
			} else {
				ids.add(booking.id);
			}
		}
		const made = sandbox.state().accounts[0].bookings - before;
		if (made !== count || ids.size !== count)
			ctx.integrity.push(
				`${label}: ${made} bookings made (${ids.size} distinct ids returned) for ${count} executions`,
			);
		if (sandbox.state().accounts[0].activeHold)
			ctx.integrity.push(`${label}: a hold was left active`);
		const log = sandbox.requests();
		return {
			calls: log.total / count,
			withoutSignIns: (log.total - log.tokenExchanges - log.refreshes) / count,
		};
	};
	const o = await measure(oursBook, 'book, BLS Portal node (Booking → Book)', 'ours');
	const h = await measure(theirs, 'book, HTTP Request way (token + hold + create)', 'http');
	const scenario = `5. Book a candidate (${count} bookings each way)`;
	return {
		rows: [
			{
				scenario,
				figure: 'API calls per booking',
				ours: o.calls,
				http: h.calls,
				format: 'ratio',
				target: '2 (hold + create)',
				meets: o.calls <= 2,
				noteKey: 'bookCalls',
			},
			{
				scenario,
				figure: 'API calls per booking without sign-ins',
				ours: o.withoutSignIns,
				http: h.withoutSignIns,
				format: 'ratio',
				target: '2 (hold + create)',
				meets: o.withoutSignIns <= 2,
			},
		],
		facts: {},
	};
}

// ---- 6. Trigger throughput ------------------------------------------------------------------------

export interface TriggerSettings {
	concurrency: number;
	/** Alternating rounds per receiver (trigger, plain, trigger, plain…), to cancel out drift. */
	rounds: number;
	roundMs: number;
	warmupMs: number;
	verifyIterations: number;
}

/** A fixed sample booking, as the API sends one in booking events (the size of a real delivery); every delivery carries this same one. */
const SAMPLE_BOOKING = {
	id: 1042,
	reference: 'BLS-001042',
	status: 'booked',
	course_id: 1,
	course_name: 'BLS Practical',
	date: '2026-07-15',
	time: '10:00',
	first_name: 'Amelia',
	last_name: 'Okafor',
	email: 'amelia.okafor17@example.com',
	phone: '+447700900123',
	address: '42 Station Road',
	city: 'Leeds',
	postcode: 'LS1 4AP',
	job_role: 'Registered Nurse',
	pay_option: 'credits',
	agency_contact_name: 'Priya Shah',
	agency_contact_email: 'priya.shah@demo-care.example',
	agency_email: 'invoices@demo-care.example',
	training_status: 'scheduled',
	equipment_status: 'not_sent',
	certificate_available: false,
	created_at: '2026-06-01T09:30:00.000Z',
	updated_at: '2026-06-01T09:30:00.000Z',
};

let deliveryCounter = 1_000_000;

/** A delivery exactly as the API signs it: a new event id each time, signed with `secret`. */
export function signedDelivery(
	secret: string,
	eventIds: Set<string>,
): { headers: Record<string, string>; body: Buffer } {
	const eventId = randomUUID();
	eventIds.add(eventId);
	const body = Buffer.from(
		JSON.stringify({
			event_id: eventId,
			event_type: 'booking.created',
			occurred_at: new Date().toISOString().replace('Z', '+00:00'),
			data: SAMPLE_BOOKING,
		}),
	);
	const timestamp = String(Math.floor(Date.now() / 1000));
	return {
		headers: {
			'content-type': 'application/json',
			'x-tdta-event': 'booking.created',
			'x-tdta-event-id': eventId,
			'x-tdta-delivery-id': String(deliveryCounter++),
			'x-tdta-timestamp': timestamp,
			'x-tdta-signature': computeSignature(secret, timestamp, body),
			'user-agent': 'TDTA-Webhooks/1.0 (bench)',
		},
		body,
	};
}

/** Waits until n8n has recorded `expected` executions of the workflow (or they stop coming); returns their event ids. */
async function recordedEventIds(
	ctx: BenchContext,
	workflowId: string,
	expected: number,
	eventIdOf: (execution: { data?: unknown }) => string | undefined,
): Promise<{ count: number; eventIds: string[]; failed: number }> {
	let last = -1;
	let stableSince = Date.now();
	const deadline = Date.now() + 180_000;
	for (;;) {
		const count = (await ctx.n8n.executions({ workflowId })).length;
		if (count !== last) {
			last = count;
			stableSince = Date.now();
		}
		if (count >= expected || Date.now() - stableSince > 15_000 || Date.now() > deadline) break;
		await sleep(1000);
	}
	const executions = await ctx.n8n.executions({ workflowId, includeData: true });
	const eventIds: string[] = [];
	let failed = 0;
	for (const execution of executions) {
		if (execution.status !== 'success') failed++;
		const id = eventIdOf(execution);
		if (id) eventIds.push(id);
	}
	return { count: executions.length, eventIds, failed };
}

/** Finished executions of a workflow, from n8n's own count (one cheap request). */
export async function finishedExecutions(ctx: BenchContext, workflowId: string): Promise<number> {
	const filter = encodeURIComponent(
		JSON.stringify({ workflowId, status: ['success', 'error', 'crashed'] }),
	);
	const page = await ctx.n8n.rest<{ count: number }>('GET', `/executions?filter=${filter}&limit=1`);
	return page.count;
}

function firstItemJson(
	execution: { data?: unknown },
	nodeName: string,
): Record<string, unknown> | undefined {
	const data = execution.data as
		| {
				resultData?: {
					runData?: Record<
						string,
						Array<{ data?: { main?: Array<Array<{ json: Record<string, unknown> }>> } }>
					>;
				};
		  }
		| undefined;
	return data?.resultData?.runData?.[nodeName]?.[0]?.data?.main?.[0]?.[0]?.json;
}

/** Microbenchmark: µs per verifyDelivery call (the trigger's full check) and per bare HMAC, on a real-size delivery. */
export function verificationCost(iterations: number): { verifyUs: number; hmacUs: number } {
	const secret = `whsec_${'ab12'.repeat(12)}`;
	const delivery = signedDelivery(secret, new Set());
	const nowSeconds = Math.floor(Date.now() / 1000);
	const input = { headers: delivery.headers, rawBody: delivery.body, secret, nowSeconds };
	const time = (run: () => void): number => {
		for (let i = 0; i < Math.min(20_000, iterations); i++) run(); // warm-up (JIT)
		const started = process.hrtime.bigint();
		for (let i = 0; i < iterations; i++) run();
		return Number(process.hrtime.bigint() - started) / 1e3 / iterations;
	};
	const verifyUs = time(() => {
		if (!verifyDelivery(input).valid) throw new Error('verifyDelivery refused a valid delivery');
	});
	const hmacUs = time(
		() => void computeSignature(secret, delivery.headers['x-tdta-timestamp'], delivery.body),
	);
	return { verifyUs, hmacUs };
}

type Receiver = 'trigger' | 'plain' | 'control';
const RECEIVERS: readonly Receiver[] = ['trigger', 'plain', 'control'];

export async function triggerThroughput(
	ctx: BenchContext,
	settings: TriggerSettings,
): Promise<ScenarioResult> {
	const { n8n } = ctx;
	const trigger = await deploy(n8n, triggerWorkflow(), ctx.credential);
	const plain = await deploy(n8n, plainWebhookWorkflow('bench-plain-webhook'));
	const control = await deploy(
		n8n,
		plainWebhookWorkflow('bench-plain-webhook-control', true),
		ctx.credential,
	);
	// The trigger registered itself with the API on activation; the load generator signs with that
	// endpoint's secret as the API holds it (the trigger keeps only a sealed copy in static data).
	let endpoint: { url: string; secret: string } | undefined;
	const deadline = Date.now() + 30_000;
	while (!endpoint && Date.now() < deadline) {
		const stored = ((await n8n.getWorkflow(trigger.id)).staticData ?? {}) as Record<
			string,
			Record<string, unknown>
		>;
		const endpointId = stored['node:BLS Portal Trigger']?.endpointId;
		endpoint = ctx.sandbox
			.signingSecrets()
			.find((candidate) => String(candidate.id) === String(endpointId));
		if (!endpoint) await sleep(250);
	}
	if (!endpoint) throw new Error('The BLS Portal Trigger did not register its endpoint');
	const secret = endpoint.secret;
	const triggerUrl = endpoint.url;
	const signingSecret = secret;

	const workflows: Record<Receiver, Deployed> = { trigger, plain, control };
	const urls: Record<Receiver, string> = {
		trigger: triggerUrl,
		plain: plain.url,
		control: control.url,
	};
	const sentIds: Record<Receiver, Set<string>> = {
		trigger: new Set(),
		plain: new Set(),
		control: new Set(),
	};
	const sentSoFar: Record<Receiver, number> = { trigger: 0, plain: 0, control: 0 };
	const warm: Partial<Record<Receiver, LoadResult>> = {};
	const results: Record<Receiver, LoadResult[]> = { trigger: [], plain: [], control: [] };
	/**
	 * n8n answers a delivery as soon as its execution has started, so a round only ends once n8n
	 * has recorded every execution it accepted: the rate is of executions finished, not of answers.
	 */
	const round = async (name: Receiver, durationMs: number): Promise<LoadResult> => {
		const result = await runLoad(urls[name], () => signedDelivery(signingSecret, sentIds[name]), {
			concurrency: settings.concurrency,
			durationMs,
		});
		sentSoFar[name] += result.sent;
		const drainStarted = process.hrtime.bigint();
		const drainDeadline = Date.now() + 60_000;
		while (
			(await finishedExecutions(ctx, workflows[name].id)) < sentSoFar[name] &&
			Date.now() < drainDeadline
		)
			await sleep(50);
		result.elapsedMs += Number(process.hrtime.bigint() - drainStarted) / 1e6;
		return result;
	};
	// Warm-up (counted in the totals, not in the rates), then alternating measured rounds.
	for (const name of RECEIVERS) warm[name] = await round(name, settings.warmupMs);
	// Order A B C, then C B A, …: drift over time (the machine, n8n's database growing) hits each alike.
	for (let index = 0; index < settings.rounds; index++) {
		for (const name of index % 2 === 0 ? RECEIVERS : [...RECEIVERS].reverse()) {
			const result = await round(name, settings.roundMs);
			results[name].push(result);
			ctx.log(
				`  ${name}: round ${index + 1}: ${result.ok}/${result.sent} accepted, ${(result.ok / (result.elapsedMs / 1000)).toFixed(0)} executions/s`,
			);
		}
	}

	const summarise = (name: Receiver) => {
		const all = [warm[name]!, ...results[name]];
		const sent = all.reduce((sum, r) => sum + r.sent, 0);
		const accepted = all.reduce((sum, r) => sum + r.ok, 0);
		const measuredOk = results[name].reduce((sum, r) => sum + r.ok, 0);
		const measuredMs = results[name].reduce((sum, r) => sum + r.elapsedMs, 0);
		const latencies = results[name].flatMap((r) => r.latenciesMs);
		const statuses: Record<string, number> = {};
		for (const r of all)
			for (const [status, n] of Object.entries(r.byStatus))
				statuses[status] = (statuses[status] ?? 0) + n;
		return {
			sent,
			accepted,
			statuses,
			rate: measuredOk / (measuredMs / 1000),
			p50: percentile(latencies, 50),
			p99: percentile(latencies, 99),
		};
	};
	const summary = {
		trigger: summarise('trigger'),
		plain: summarise('plain'),
		control: summarise('control'),
	};

	// Every delivery sent must be one execution, none lost and none twice.
	const eventIdOf: Record<Receiver, (execution: { data?: unknown }) => string | undefined> = {
		trigger: (e) => firstItemJson(e, 'BLS Portal Trigger')?.event_id as string | undefined,
		plain: (e) =>
			(firstItemJson(e, 'Webhook')?.body as Record<string, unknown> | undefined)?.event_id as
				string | undefined,
		control: (e) =>
			(firstItemJson(e, 'Webhook')?.body as Record<string, unknown> | undefined)?.event_id as
				string | undefined,
	};
	const recordedCount: Partial<Record<Receiver, number>> = {};
	for (const name of RECEIVERS) {
		const sent = summary[name];
		const recorded = await recordedEventIds(ctx, workflows[name].id, sent.sent, eventIdOf[name]);
		recordedCount[name] = recorded.count;
		const distinct = new Set(recorded.eventIds);
		const problems: string[] = [];
		if (sent.accepted !== sent.sent)
			problems.push(
				`${sent.sent - sent.accepted} of ${sent.sent} deliveries not accepted (${JSON.stringify(sent.statuses)})`,
			);
		if (recorded.count !== sent.sent)
			problems.push(`${recorded.count} executions recorded for ${sent.sent} deliveries`);
		if (distinct.size !== recorded.eventIds.length)
			problems.push(`${recorded.eventIds.length - distinct.size} event ids executed twice`);
		const unknown = [...distinct].filter((id) => !sentIds[name].has(id)).length;
		if (unknown) problems.push(`${unknown} executions for event ids never sent`);
		if (distinct.size !== sentIds[name].size)
			problems.push(`${sentIds[name].size - distinct.size} sent event ids never executed`);
		if (recorded.failed) problems.push(`${recorded.failed} executions did not succeed`);
		if (problems.length)
			ctx.integrity.push(`webhook deliveries, ${workflows[name].name}: ${problems.join('; ')}`);
	}
	for (const name of RECEIVERS) await n8n.deactivate(workflows[name].id).catch(() => undefined);

	const cost = verificationCost(settings.verifyIterations);
	const t = summary.trigger;
	const p = summary.plain;
	const c = summary.control;
	const scenario = `6. Webhook deliveries (${settings.concurrency} connections, ${settings.rounds} × ${settings.roundMs / 1000} s per receiver)`;
	// Rates of rounds run back to back share the machine's conditions, so the ratio is the median of
	// the rounds' own ratios: steadier than one total over another when the machine is shared.
	const roundRate = (result: LoadResult) => result.ok / (result.elapsedMs / 1000);
	const roundRatios = (other: Receiver) =>
		results.trigger.map((result, index) => roundRate(result) / roundRate(results[other][index]));
	const plainRatios = roundRatios('plain');
	const ratio = median(plainRatios);
	const ratioMin = Math.min(...plainRatios);
	const ratioMax = Math.max(...plainRatios);
	const controlRatios = roundRatios('control');
	const controlRatio = median(controlRatios);
	// ✓ only when even the worst round meets the goal; a spread that straddles it is noise, not a result.
	const goal = 0.95;
	const verdictOf = (ratios: number[]) =>
		Math.min(...ratios) >= goal ? '✓' : Math.max(...ratios) >= goal ? 'within noise' : '✗';
	const verdict = verdictOf(plainRatios);
	const controlVerdict = verdictOf(controlRatios);
	return {
		rows: [
			{
				scenario,
				figure: `signed deliveries executed per second (HTTP way: plain Webhook node, verifies nothing); ratio: median of ${plainRatios.length} paired rounds (min–max)`,
				ours: t.rate,
				http: p.rate,
				format: 'rate',
				ratio: `${ratio.toFixed(2)} (${ratioMin.toFixed(2)}–${ratioMax.toFixed(2)})`,
				target: `ratio ≥ ${goal} in every round`,
				meets: verdict === '✓',
				metNote: verdict === '✓' ? undefined : verdict,
				noteKey: 'throughput',
			},
			{ scenario, figure: 'latency p50', ours: t.p50, http: p.p50, format: 'ms', target: '—' },
			{ scenario, figure: 'latency p99', ours: t.p99, http: p.p99, format: 'ms', target: '—' },
			{
				scenario,
				figure:
					'control: deliveries per second (HTTP way: plain Webhook with an expression option, in a workflow that also holds a credential)',
				ours: t.rate,
				http: c.rate,
				format: 'rate',
				ratio: `${controlRatio.toFixed(2)} (${Math.min(...controlRatios).toFixed(2)}–${Math.max(...controlRatios).toFixed(2)})`,
				// The trigger's own cost: what it adds beyond what n8n adds to any such webhook node.
				target: `ratio ≥ ${goal} in every round`,
				meets: controlVerdict === '✓',
				metNote: controlVerdict === '✓' ? undefined : controlVerdict,
			},
			{
				scenario,
				figure: 'control: latency p50 / p99 (same control)',
				ours: null,
				http: null,
				httpNote: `${c.p50.toFixed(0)} / ${c.p99.toFixed(0)} ms`,
				format: 'ms',
				target: '—',
				ratio: '—',
			},
			{
				scenario,
				figure: 'executions recorded (must equal deliveries sent)',
				ours: recordedCount.trigger ?? 0,
				http: recordedCount.plain ?? 0,
				format: 'int',
				target: `= sent (${t.sent} / ${p.sent})`,
				meets: recordedCount.trigger === t.sent,
				ratio: '—',
			},
			{
				scenario,
				figure: 'one signature verification (verifyDelivery), µs',
				ours: cost.verifyUs,
				http: null,
				httpNote: 'n/a',
				format: 'us',
				target: '—',
				ratio: '—',
			},
		],
		facts: {
			hmacUs: cost.hmacUs,
			verifyUs: cost.verifyUs,
			triggerSent: t.sent,
			plainSent: p.sent,
			controlSent: c.sent,
			ratio,
			ratioMin,
			ratioMax,
			controlRatio,
			plainRate: p.rate,
			controlRate: c.rate,
			triggerRate: t.rate,
		},
	};
}
