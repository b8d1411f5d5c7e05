/**
 * The request pacer's arithmetic and fairness on a simulated clock: fast-check generates arrivals,
 * classes, durations and cancellations; the clock jumps from one timer to the next, so a run that
 * would take minutes takes milliseconds and nothing here depends on real time.
 */
import fc from 'fast-check';

import {
	PACER_LIMITS,
	pacedRequest,
	pacerFor,
	pacerSettingsOf,
	RequestCancelledError,
	RequestPacer,
	serverHints,
	forgetPacers,
	type PacerClock,
	type PacerTicket,
	type RequestClass,
} from '../../credentials/requestPacer';

class SimulatedClock implements PacerClock {
	time = 0;
	private timers: Array<{ at: number; seq: number; resolve: () => void }> = [];
	private seq = 0;

	now = (): number => this.time;

	sleep = (ms: number): Promise<void> =>
		new Promise((resolve) =>
			this.timers.push({ at: this.time + Math.max(0, ms), seq: this.seq++, resolve }),
		);

	/** Runs `fn` at simulated time `at`. */
	at(at: number, fn: () => void): void {
		void this.sleep(at - this.time).then(fn);
	}

	/** Fires timers in order until none is left; fails past `limit` (a stall would loop forever). */
	async run(limit: number): Promise<void> {
		for (;;) {
			await settle();
			if (this.timers.length === 0) return;
			this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
			const next = this.timers.shift()!;
			if (next.at > limit)
				throw new Error(`still waiting at simulated ${next.at} ms (limit ${limit})`);
			this.time = Math.max(this.time, next.at);
			next.resolve();
		}
	}
}

/** Lets every promise that can settle settle. */
async function settle(): Promise<void> {
	for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

interface Planned {
	arrival: number;
	cls: RequestClass;
	duration: number;
	/** Where in [admission, answer] the server counts the request, as a share. */
	receivedAt: number;
	cancelAfter?: number;
}

interface Outcome {
	planned: Planned;
	key: number;
	enqueuedSeq: number;
	admittedSeq?: number;
	admittedAt?: number;
	received?: number;
	cancelled?: boolean;
}

const scenario = fc.record({
	budget: fc.integer({ min: 1, max: 15 }),
	windowMs: fc.integer({ min: 1_000, max: 10_000 }),
	requests: fc.array(
		fc.record({
			arrival: fc.integer({ min: 0, max: 30_000 }),
			cls: fc.constantFrom<RequestClass>('interactive', 'listStart', 'bulk'),
			durationShare: fc.double({ min: 0, max: 0.5, noNaN: true }),
			receivedAt: fc.double({ min: 0, max: 1, noNaN: true }),
			cancelAfter: fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined }),
		}),
		{ minLength: 1, maxLength: 60 },
	),
});

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Plays a scenario: each request waits for the pacer, is "on the wire" for its duration, then finishes. */
async function play({
	budget,
	windowMs,
	requests,
}: Scenario): Promise<{ outcomes: Outcome[]; pacer: RequestPacer; clock: SimulatedClock }> {
	const clock = new SimulatedClock();
	const pacer = new RequestPacer({ budget, windowMs }, clock);
	let events = 0;
	const outcomes: Outcome[] = requests.map((r) => ({
		planned: { ...r, duration: Math.floor(r.durationShare * windowMs) },
		key: 0,
		enqueuedSeq: -1,
	}));
	for (const outcome of outcomes) {
		const { arrival, cls, duration, receivedAt, cancelAfter } = outcome.planned;
		clock.at(arrival, () => {
			const controller = new AbortController();
			if (cancelAfter !== undefined) clock.at(arrival + cancelAfter, () => controller.abort());
			outcome.key = cls === 'bulk' ? arrival + windowMs : arrival;
			outcome.enqueuedSeq = events++;
			pacer.acquire(cls, controller.signal).then(
				(ticket) => {
					outcome.admittedSeq = events++;
					outcome.admittedAt = clock.now();
					outcome.received = clock.now() + receivedAt * duration;
					clock.at(clock.now() + duration, () => ticket.finish());
				},
				(error: unknown) => {
					expect(error).toBeInstanceOf(RequestCancelledError);
					outcome.cancelled = true;
				},
			);
		});
	}
	await clock.run(10_000_000);
	return { outcomes, pacer, clock };
}

describe('RequestPacer (simulated clock)', () => {
	it('never lets the server count more than the budget in any window, wherever in its flight a request arrives', async () => {
		await fc.assert(
			fc.asyncProperty(scenario, async (s) => {
				const { outcomes } = await play(s);
				const received = outcomes
					.filter((o) => o.received !== undefined)
					.map((o) => o.received!)
					.sort((a, b) => a - b);
				// Any half-open window [t, t + W) as a fixed-window server (or a sliding one) counts it.
				for (let i = 0; i < received.length; i++) {
					let inWindow = 0;
					for (let j = i; j < received.length && received[j] < received[i] + s.windowMs; j++)
						inWindow++;
					expect(inWindow).toBeLessThanOrEqual(s.budget);
				}
			}),
			{ numRuns: 150 },
		);
	});

	it('admits every request that is not cancelled, within a bound, and leaves nothing queued', async () => {
		await fc.assert(
			fc.asyncProperty(scenario, async (s) => {
				const { outcomes, pacer } = await play(s);
				const usable = Math.max(1, s.budget - Math.floor(s.budget * PACER_LIMITS.reserveShare));
				// Each window admits at least `usable` requests while any wait; a slot is busy up to W/2 longer.
				const bound =
					(Math.ceil(outcomes.length / usable) + 1) * (1.5 * s.windowMs) +
					s.windowMs +
					PACER_LIMITS.maxSleepMs;
				for (const o of outcomes) {
					expect(o.cancelled === true || o.admittedAt !== undefined).toBe(true);
					if (o.admittedAt !== undefined)
						expect(o.admittedAt - o.planned.arrival).toBeLessThanOrEqual(bound);
				}
				expect(pacer.waiting).toBe(0);
			}),
			{ numRuns: 150 },
		);
	});

	it('admits in key order: single calls and list starts first-come first-served, pages behind them, a page aged one window ahead of later single calls', async () => {
		await fc.assert(
			fc.asyncProperty(scenario, async (s) => {
				const { outcomes } = await play(s);
				const admitted = outcomes.filter((o) => o.admittedSeq !== undefined);
				for (const a of admitted) {
					for (const b of admitted) {
						// a was waiting when b was admitted and comes first by key: a must have been admitted first.
						const aFirst = a.key < b.key || (a.key === b.key && a.enqueuedSeq < b.enqueuedSeq);
						if (aFirst && a.enqueuedSeq < b.admittedSeq!)
							expect(a.admittedSeq!).toBeLessThan(b.admittedSeq!);
					}
				}
			}),
			{ numRuns: 150 },
		);
	});

	it('a cancelled request leaves the queue at once and is never admitted', async () => {
		await fc.assert(
			fc.asyncProperty(scenario, async (s) => {
				const { outcomes, pacer } = await play(s);
				for (const o of outcomes) {
					if (o.cancelled) expect(o.admittedSeq).toBeUndefined();
				}
				expect(pacer.stats.cancelled).toBe(outcomes.filter((o) => o.cancelled).length);
				expect(pacer.stats.admitted).toBe(
					outcomes.filter((o) => o.admittedSeq !== undefined).length,
				);
			}),
			{ numRuns: 100 },
		);
	});

	it('never deadlocks when admitted requests sign in through the pacer before they are sent (budget 1 included)', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.integer({ min: 1, max: 6 }),
				fc.array(
					fc.record({ arrival: fc.integer({ min: 0, max: 5_000 }), signsIn: fc.boolean() }),
					{ minLength: 1, maxLength: 20 },
				),
				async (budget, requests) => {
					const clock = new SimulatedClock();
					const pacer = new RequestPacer({ budget, windowMs: 1_000 }, clock);
					let done = 0;
					for (const r of requests) {
						clock.at(r.arrival, () => {
							void (async () => {
								const outer = await pacer.acquire('bulk');
								if (r.signsIn) {
									// n8n calls preAuthentication from inside the outer request: it waits for a slot of its own.
									const inner = await pacer.acquire('interactive');
									await clock.sleep(50);
									inner.finish();
									// …and takes a slot for the request it signed in for (takeSlotForNextRequest).
									(await pacer.acquire('interactive')).finish();
								}
								await clock.sleep(50);
								outer.finish();
								done++;
							})();
						});
					}
					await clock.run(10_000_000);
					expect(done).toBe(requests.length);
				},
			),
			{ numRuns: 100 },
		);
	});

	it('uses the whole budget in one burst when only pages are asked for (no reserve without single calls)', async () => {
		const clock = new SimulatedClock();
		const pacer = new RequestPacer({ budget: 60, windowMs: 60_000 }, clock);
		const tickets: PacerTicket[] = [];
		for (let i = 0; i < 61; i++) void pacer.acquire('bulk').then((t) => tickets.push(t));
		await settle();
		expect(tickets).toHaveLength(60);
		expect(pacer.waiting).toBe(1);
	});

	it('keeps a fifth of the budget for single calls while they are being made, not for a list start', async () => {
		const clock = new SimulatedClock();
		const pacer = new RequestPacer({ budget: 60, windowMs: 60_000 }, clock);
		const admitted: RequestClass[] = [];
		(await pacer.acquire('listStart')).finish();
		(await pacer.acquire('interactive')).finish();
		for (let i = 0; i < 70; i++) void pacer.acquire('bulk').then(() => admitted.push('bulk'));
		await settle();
		expect(admitted).toHaveLength(60 - 2 - 12);
		for (let i = 0; i < 13; i++)
			void pacer.acquire('interactive').then(() => admitted.push('interactive'));
		await settle();
		expect(admitted.filter((c) => c === 'interactive')).toHaveLength(12);
		expect(pacer.waiting).toBe(70 - 46 + 1);

		// A list start alone leaves the whole budget to pages.
		const other = new RequestPacer({ budget: 60, windowMs: 60_000 }, clock);
		(await other.acquire('listStart')).finish();
		let pages = 0;
		for (let i = 0; i < 70; i++) void other.acquire('bulk').then(() => pages++);
		await settle();
		expect(pages).toBe(59);
	});

	it('counts what another client sent (X-RateLimit-Remaining) against the server limit, not against its own share', async () => {
		const clock = new SimulatedClock();
		// This process may use 30 of the server's 60.
		const pacer = new RequestPacer({ budget: 30, windowMs: 60_000 }, clock);
		const ticket = await pacer.acquire('interactive');
		// The server has counted 41: ours plus 40 from elsewhere, so 19 are left for everyone.
		ticket.finish({ limit: 60, remaining: 19 });
		let admitted = 0;
		for (let i = 0; i < 40; i++) void pacer.acquire('interactive').then(() => admitted++);
		await settle();
		expect(admitted).toBe(19);
		// Once those leave the window, this process's own share applies again.
		clock.time = 60_001;
		await pacer.acquire('interactive').then(() => admitted++);
		await settle();
		expect(admitted).toBeGreaterThanOrEqual(19 + 1);
	});

	it('after a 429 waits as long as Retry-After asks, then sends a tenth less per window, and grows back', async () => {
		const clock = new SimulatedClock();
		const pacer = new RequestPacer({ budget: 60, windowMs: 60_000 }, clock);
		const ticket = await pacer.acquire('interactive');
		ticket.finish({ rateLimited: true, retryAfterMs: 5_000, limit: 60, remaining: 0 });
		expect(pacer.budget()).toBe(54);
		let admitted = false;
		void pacer.acquire('interactive').then(() => (admitted = true));
		await settle();
		expect(admitted).toBe(false);
		clock.time = 4_999;
		await settle();
		expect(admitted).toBe(false);
		const run = clock.run(10_000);
		await run;
		expect(admitted).toBe(true);
		expect(clock.time).toBeGreaterThanOrEqual(5_000);
		expect(pacer.budget(60_000)).toBe(60);
	});

	it('follows a lower X-RateLimit-Limit than configured, never a higher one', () => {
		const clock = new SimulatedClock();
		const pacer = new RequestPacer({ budget: 60, windowMs: 60_000 }, clock);
		pacer.observe({ limit: 30 });
		expect(pacer.budget()).toBe(30);
		pacer.observe({ limit: 100 });
		expect(pacer.budget()).toBe(60);
	});

	it('bounds its memory: a full queue refuses with a clear error, the window holds at most the budget', async () => {
		const clock = new SimulatedClock();
		const pacer = new RequestPacer({ budget: 1, windowMs: 60_000 }, clock);
		const pending: Array<Promise<unknown>> = [];
		for (let i = 0; i < PACER_LIMITS.maxQueue + 1; i++)
			pending.push(pacer.acquire('bulk').catch(() => undefined));
		expect(pacer.waiting).toBe(PACER_LIMITS.maxQueue);
		await expect(pacer.acquire('bulk')).rejects.toThrow(
			/waiting for the rate limit.*Run fewer executions/,
		);
	});

	it('remembers a bounded number of hosts, forgetting idle ones first', () => {
		forgetPacers();
		const busy = pacerFor('http://busy:1', { budget: 1, windowMs: 60_000 });
		void busy.acquire('interactive');
		for (let i = 0; i < PACER_LIMITS.maxHosts * 2; i++)
			pacerFor(`http://idle-${i}:1`, { budget: 60, windowMs: 60_000 });
		expect(pacerFor('http://busy:1', { budget: 1, windowMs: 60_000 })).toBe(busy);
		forgetPacers();
	});

	it('the smallest budget asked for a host applies when credentials differ', () => {
		const clock = new SimulatedClock();
		const pacer = new RequestPacer({ budget: 60, windowMs: 60_000 }, clock);
		pacer.configure({ budget: 20, windowMs: 60_000 });
		pacer.configure({ budget: 60, windowMs: 60_000 });
		expect(pacer.budget()).toBe(20);
		clock.time = 200_000;
		pacer.configure({ budget: 60, windowMs: 60_000 });
		expect(pacer.budget()).toBe(60);
	});
});

describe('pacer settings and server hints', () => {
	it('reads Requests per Minute from the credential: default 60, 0 is off, nonsense is a clear error', () => {
		expect(pacerSettingsOf({})).toEqual({ budget: 60, windowMs: 60_000 });
		expect(pacerSettingsOf({ requestsPerMinute: 30 })).toEqual({ budget: 30, windowMs: 60_000 });
		expect(pacerSettingsOf({ requestsPerMinute: 60, rateWindowSeconds: 10 })).toEqual({
			budget: 60,
			windowMs: 10_000,
		});
		expect(pacerSettingsOf({ requestsPerMinute: 0 })).toBeUndefined();
		expect(() => pacerSettingsOf({ requestsPerMinute: -1 })).toThrow(
			/Requests per Minute.*0 or more/,
		);
		expect(() => pacerSettingsOf({ requestsPerMinute: 'lots' })).toThrow(/Requests per Minute/);
	});

	it('reads X-RateLimit-Limit, X-RateLimit-Remaining and Retry-After in seconds or as a date', () => {
		expect(serverHints({ 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '7' }, 200)).toEqual({
			limit: 60,
			remaining: 7,
			rateLimited: false,
		});
		expect(serverHints({ 'Retry-After': '3' }, 429)).toMatchObject({
			retryAfterMs: 3000,
			rateLimited: true,
		});
		const inTen = new Date(Date.now() + 10_000).toUTCString();
		expect(serverHints({ 'retry-after': inTen }, 429).retryAfterMs).toBeGreaterThan(8_000);
		expect(serverHints(new Headers({ 'X-RateLimit-Remaining': '0' }), 200).remaining).toBe(0);
		expect(serverHints(undefined, 200)).toEqual({
			limit: undefined,
			remaining: undefined,
			rateLimited: false,
		});
	});

	it('pacing off sends at once, without a pacer', async () => {
		forgetPacers();
		await expect(
			pacedRequest(
				'http://off.example:1/api',
				undefined,
				'interactive',
				undefined,
				async () => 'sent',
			),
		).resolves.toBe('sent');
	});
});
