/**
 * One request budget per API host, shared by everything in this n8n process that talks to it:
 * action nodes, the trigger, dropdowns, and the credential's own sign-in and refresh. It admits at
 * most the budget within any rolling window and queues the rest, single calls ahead of the pages of
 * a long list. It lives beside the credential because both the credential and the nodes must reach
 * it, and the nodes already import the credential.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

/**
 * `interactive`: single calls (Book, Get, Hold, Create, a download, sign-in). `listStart`: a list's
 * first page, which is all a dropdown or a small Limit needs: queued like a single call, but it does
 * not make pages hold back the reserve. `bulk`: a list's later pages.
 */
export type RequestClass = 'interactive' | 'listStart' | 'bulk';

export interface PacerClock {
	now(): number;
	sleep(ms: number): Promise<void>;
}

export interface PacerSettings {
	/** Requests admitted within any `windowMs`. */
	budget: number;
	windowMs: number;
}

/** What a response said about the server's own count. */
export interface ServerHints {
	limit?: number;
	remaining?: number;
	retryAfterMs?: number;
	/** The response was a 429. */
	rateLimited?: boolean;
}

export const PACER_LIMITS = {
	/** Requests waiting per host; more means something upstream runs away, and each gets a clear error. */
	maxQueue: 10_000,
	/** Hosts remembered; idle ones are forgotten first. */
	maxHosts: 64,
	/** A budget above this is treated as this (keeps the window's bookkeeping small). */
	maxBudget: 10_000,
	/**
	 * Share of the budget that list pages leave to single calls while single calls are being made
	 * (in the last window), so bookings do not wait for a sync's pages to leave the window.
	 */
	reserveShare: 0.2,
	/** After a 429 the budget shrinks by this share and grows back by it each quiet window. */
	shrinkShare: 0.1,
	/** The longest the queue sleeps before looking again (a budget that grew back is noticed). */
	maxSleepMs: 1_000,
};

export const DEFAULT_REQUESTS_PER_MINUTE = 60;
export const DEFAULT_WINDOW_SECONDS = 60;

const realClock: PacerClock = { now: () => Date.now(), sleep: async (ms) => await sleep(ms) };

/** A slot in the window: from admission until the answer arrived, then counted from that moment. */
interface Slot {
	at: number;
	inFlight: boolean;
}

interface Waiter {
	/** Order of admission: arrival time, plus the aging handicap for bulk pages. */
	key: number;
	seq: number;
	cls: RequestClass;
	resolve: (ticket: PacerTicket) => void;
	reject: (error: Error) => void;
	signal?: AbortSignal;
	onAbort?: () => void;
}

/** Held by an admitted request; `finish` counts its slot from the moment the answer arrived. */
export class PacerTicket {
	constructor(
		private readonly pacer: RequestPacer,
		private readonly slot: Slot,
	) {}

	finish(hints: ServerHints = {}): void {
		this.pacer.release(this.slot, hints);
	}
}

export class RequestCancelledError extends Error {
	constructor() {
		super('The execution was cancelled while its BLS Portal request waited for the rate limit');
		this.name = 'RequestCancelledError';
	}
}

export class RequestPacer {
	private settings: PacerSettings;
	/** Budgets asked for by callers recently: the smallest applies when credentials differ. */
	private readonly askedBudgets = new Map<number, number>();
	private readonly slots = new Set<Slot>();
	/** Requests the server counted that this process did not send (another process on the IP). */
	private readonly foreign: number[] = [];
	private readonly queue: Waiter[] = [];
	private seq = 0;
	private pumping = false;
	private pausedUntil = 0;
	private lastInteractiveAt = -Infinity;
	private serverLimit: number | undefined;
	private shrunk: { budget: number; at: number } | undefined;
	/** Counters for tests and the bench. */
	readonly stats = { admitted: 0, queued: 0, cancelled: 0, rateLimited: 0 };

	constructor(
		settings: PacerSettings,
		private readonly clock: PacerClock = realClock,
	) {
		this.settings = normalizeSettings(settings);
	}

	/** The window's length and the budget a caller's credential asks for (the smallest recent one wins). */
	configure(settings: PacerSettings): void {
		const next = normalizeSettings(settings);
		const now = this.clock.now();
		this.askedBudgets.set(next.budget, now);
		for (const [budget, at] of this.askedBudgets) {
			if (at + 2 * next.windowMs < now) this.askedBudgets.delete(budget);
		}
		this.settings = { budget: Math.min(...this.askedBudgets.keys()), windowMs: next.windowMs };
	}

	get windowMs(): number {
		return this.settings.windowMs;
	}

	get waiting(): number {
		return this.queue.length;
	}

	/** How many requests this process may have in any window right now. */
	budget(now = this.clock.now()): number {
		let budget = this.settings.budget;
		if (this.serverLimit !== undefined) budget = Math.min(budget, this.serverLimit);
		if (this.shrunk) {
			const step = Math.max(1, Math.ceil(this.settings.budget * PACER_LIMITS.shrinkShare));
			const regained =
				this.shrunk.budget + step * Math.floor((now - this.shrunk.at) / this.settings.windowMs);
			if (regained >= budget) this.shrunk = undefined;
			else budget = regained;
		}
		return Math.max(1, budget);
	}

	/** Waits for a slot; rejects when `signal` aborts first (the waiter leaves the queue). */
	acquire(cls: RequestClass, signal?: AbortSignal): Promise<PacerTicket> {
		if (signal?.aborted) return Promise.reject(new RequestCancelledError());
		if (this.queue.length >= PACER_LIMITS.maxQueue) {
			return Promise.reject(
				new Error(
					`More than ${PACER_LIMITS.maxQueue} BLS Portal requests are waiting for the rate limit in this n8n process. Run fewer executions at once, or raise Requests per Minute if your API quota allows it.`,
				),
			);
		}
		return new Promise<PacerTicket>((resolve, reject) => {
			const now = this.clock.now();
			const waiter: Waiter = {
				key: cls === 'bulk' ? now + this.settings.windowMs : now,
				seq: this.seq++,
				cls,
				resolve,
				reject,
				signal,
			};
			if (signal) {
				waiter.onAbort = () => this.cancel(waiter);
				signal.addEventListener('abort', waiter.onAbort, { once: true });
			}
			this.enqueue(waiter);
			this.drain();
			if (this.queue.includes(waiter)) this.stats.queued++;
			void this.pump();
		});
	}

	/** Counts the slot from now (the server saw the request before its answer) and learns from the answer. */
	release(slot: Slot, hints: ServerHints): void {
		const now = this.clock.now();
		slot.at = Math.max(slot.at, now);
		slot.inFlight = false;
		this.slots.add(slot);
		this.observe(hints, now);
		this.drain();
	}

	/** Follows what the server said about its own count. */
	observe(hints: ServerHints, now = this.clock.now()): void {
		if (hints.limit !== undefined && Number.isFinite(hints.limit) && hints.limit >= 1) {
			this.serverLimit = Math.floor(hints.limit);
		}
		if (hints.rateLimited) {
			this.stats.rateLimited++;
			// The server counted more than this process thinks it sent: wait as it asks, and send less.
			const wait = hints.retryAfterMs ?? this.settings.windowMs;
			this.pausedUntil = Math.max(this.pausedUntil, now + Math.min(wait, this.settings.windowMs));
			const current = this.budget(now);
			this.shrunk = {
				budget: Math.max(1, Math.floor(current * (1 - PACER_LIMITS.shrinkShare))),
				at: now,
			};
			return;
		}
		if (hints.remaining !== undefined && Number.isFinite(hints.remaining) && hints.remaining >= 0) {
			const limit = this.serverLimit ?? this.settings.budget;
			this.prune(now);
			const counted = limit - Math.floor(hints.remaining);
			const ours = this.slots.size + this.foreign.length;
			// More counted than sent: another client shares the IP. Remember its requests for a window.
			for (let extra = counted - ours; extra > 0; extra--) this.foreign.push(now);
		}
	}

	/** Whether this pacer holds nothing that still matters (it may then be forgotten). */
	isIdle(now = this.clock.now()): boolean {
		this.prune(now);
		return (
			this.queue.length === 0 &&
			this.slots.size === 0 &&
			this.foreign.length === 0 &&
			now >= this.pausedUntil
		);
	}

	private enqueue(waiter: Waiter): void {
		let low = 0;
		let high = this.queue.length;
		while (low < high) {
			const mid = (low + high) >> 1;
			const other = this.queue[mid];
			if (other.key < waiter.key || (other.key === waiter.key && other.seq < waiter.seq))
				low = mid + 1;
			else high = mid;
		}
		this.queue.splice(low, 0, waiter);
	}

	private cancel(waiter: Waiter): void {
		const index = this.queue.indexOf(waiter);
		if (index === -1) return;
		this.queue.splice(index, 1);
		this.stats.cancelled++;
		waiter.reject(new RequestCancelledError());
		this.drain();
	}

	private prune(now: number): void {
		const windowMs = this.settings.windowMs;
		for (const slot of this.slots) {
			// A request still in flight after a whole window is let go, so a hung call cannot block others.
			if (slot.at + windowMs <= now) this.slots.delete(slot);
		}
		while (this.foreign.length && this.foreign[0] + windowMs <= now) this.foreign.shift();
	}

	/** Free slots for the queue's head. */
	private room(waiter: Waiter, now: number): number {
		if (now < this.pausedUntil) return 0;
		const ours = this.slots.size;
		const budget = this.budget(now);
		let room = budget - ours;
		if (this.serverLimit !== undefined)
			room = Math.min(room, this.serverLimit - ours - this.foreign.length);
		const aged = waiter.key <= now;
		const reserving = now < this.lastInteractiveAt + this.settings.windowMs;
		if (waiter.cls === 'bulk' && !aged && reserving)
			room -= Math.floor(budget * PACER_LIMITS.reserveShare);
		return room;
	}

	/** Admits from the head of the queue while there is room. */
	private drain(): void {
		const now = this.clock.now();
		this.prune(now);
		while (this.queue.length && this.room(this.queue[0], now) >= 1) {
			const waiter = this.queue.shift() as Waiter;
			if (waiter.signal && waiter.onAbort)
				waiter.signal.removeEventListener('abort', waiter.onAbort);
			const slot: Slot = { at: now, inFlight: true };
			this.slots.add(slot);
			this.stats.admitted++;
			if (waiter.cls === 'interactive') this.lastInteractiveAt = now;
			waiter.resolve(new PacerTicket(this, slot));
		}
	}

	/** When the head might fit: a slot leaving the window, the pause ending, a page aging, the reserve lapsing. */
	private nextChance(now: number): number {
		const head = this.queue[0];
		const windowMs = this.settings.windowMs;
		const candidates = [now + PACER_LIMITS.maxSleepMs, this.pausedUntil];
		for (const slot of this.slots) candidates.push(slot.at + windowMs);
		if (this.foreign.length) candidates.push(this.foreign[0] + windowMs);
		if (head?.cls === 'bulk') candidates.push(head.key, this.lastInteractiveAt + windowMs);
		return Math.min(...candidates.filter((at) => at > now));
	}

	/** One loop per host while requests wait; it ends when the queue is empty. */
	private async pump(): Promise<void> {
		if (this.pumping) return;
		this.pumping = true;
		try {
			while (this.queue.length) {
				const now = this.clock.now();
				await this.clock.sleep(Math.max(1, this.nextChance(now) - now));
				this.drain();
			}
		} finally {
			this.pumping = false;
		}
	}
}

function normalizeSettings(settings: PacerSettings): PacerSettings {
	return {
		budget: Math.max(1, Math.min(PACER_LIMITS.maxBudget, Math.floor(settings.budget))),
		windowMs: Math.max(1, settings.windowMs),
	};
}

const pacers = new Map<string, RequestPacer>();

/** The pacer for a host (`https://host:port`), created on first use; idle hosts are forgotten past the cap. */
export function pacerFor(
	origin: string,
	settings: PacerSettings,
	clock?: PacerClock,
): RequestPacer {
	let pacer = pacers.get(origin);
	if (pacer) {
		// Most recently used last, so the oldest idle host is the first one forgotten.
		pacers.delete(origin);
		pacers.set(origin, pacer);
		pacer.configure(settings);
		return pacer;
	}
	if (pacers.size >= PACER_LIMITS.maxHosts) {
		for (const [key, other] of pacers) {
			if (pacers.size < PACER_LIMITS.maxHosts) break;
			if (other.isIdle()) pacers.delete(key);
		}
	}
	pacer = new RequestPacer(settings, clock);
	pacers.set(origin, pacer);
	return pacer;
}

/** For tests: forget every host. */
export function forgetPacers(): void {
	pacers.clear();
}

/**
 * The credential's pacing: undefined when Requests per Minute is 0 (off). Credentials saved before
 * the field existed get the default.
 */
export function pacerSettingsOf(
	credentials: ICredentialDataDecryptedObject,
): PacerSettings | undefined {
	const perWindow = numberField(
		credentials.requestsPerMinute,
		DEFAULT_REQUESTS_PER_MINUTE,
		'Requests per Minute',
	);
	if (perWindow === 0) return undefined;
	const windowSeconds = numberField(
		credentials.rateWindowSeconds,
		DEFAULT_WINDOW_SECONDS,
		'Rate Limit Window (Seconds)',
	);
	if (windowSeconds === 0) return undefined;
	return { budget: perWindow, windowMs: windowSeconds * 1000 };
}

function numberField(value: unknown, fallback: number, label: string): number {
	if (value === undefined || value === null || value === '') return fallback;
	const number = Number(value);
	if (!Number.isFinite(number) || number < 0) {
		throw new Error(
			`"${label}" in the BLS Portal API credential must be a number of 0 or more (0 turns pacing off), not "${String(value)}"`,
		);
	}
	return number;
}

/** Reads the server's rate-limit headers (plain object or Headers), and a 429's Retry-After. */
export function serverHints(headers: unknown, status: number | undefined): ServerHints {
	const read = (name: string): string | undefined => {
		if (!headers || typeof headers !== 'object') return undefined;
		const h = headers as Record<string, unknown> & { get?: (n: string) => unknown };
		if (typeof h.get === 'function') {
			const value = h.get(name);
			return value === undefined || value === null ? undefined : String(value);
		}
		const key = Object.keys(h).find((k) => k.toLowerCase() === name);
		return key === undefined || h[key] === undefined || h[key] === null
			? undefined
			: String(h[key]);
	};
	const number = (text: string | undefined) =>
		text === undefined || text.trim() === '' ? undefined : Number(text);
	const hints: ServerHints = {
		limit: number(read('x-ratelimit-limit')),
		remaining: number(read('x-ratelimit-remaining')),
		rateLimited: status === 429,
	};
	const retryAfter = read('retry-after');
	if (retryAfter !== undefined) {
		const seconds = Number(retryAfter);
		const date = Date.parse(retryAfter);
		if (retryAfter.trim() !== '' && Number.isFinite(seconds) && seconds >= 0)
			hints.retryAfterMs = seconds * 1000;
		else if (Number.isFinite(date)) hints.retryAfterMs = Math.max(0, date - Date.now());
	}
	return hints;
}

/**
 * Takes a slot for a request about to be sent without one of its own. n8n signs in from inside the
 * request that needed the token, and sends that request the moment sign-in returns; its own slot was
 * taken before sign-in waited, so it may have left the window already.
 */
export async function takeSlotForNextRequest(
	url: string,
	settings: PacerSettings | undefined,
): Promise<void> {
	if (!settings) return;
	(await pacerFor(new URL(url).origin, settings).acquire('interactive')).finish();
}

/** The response (or the error's response) of n8n's request helpers: its status and headers. */
function responseOf(outcome: unknown): { status?: number; headers?: unknown } | undefined {
	const o = outcome as {
		statusCode?: number;
		headers?: unknown;
		httpCode?: string;
		response?: { status?: number; headers?: unknown };
		cause?: { response?: { status?: number; headers?: unknown } };
	};
	if (!o || typeof o !== 'object') return undefined;
	const response = o.cause?.response ?? o.response;
	if (response) return { status: response.status, headers: response.headers };
	if (o.headers !== undefined) return { status: o.statusCode, headers: o.headers };
	return o.httpCode ? { status: Number(o.httpCode) } : undefined;
}

/**
 * Sends one request through the host's pacer (or straight away when pacing is off), then tells the
 * pacer what the answer said about the server's count.
 */
export async function pacedRequest<T>(
	url: string,
	settings: PacerSettings | undefined,
	cls: RequestClass,
	signal: AbortSignal | undefined,
	send: () => Promise<T>,
): Promise<T> {
	if (!settings) return await send();
	const pacer = pacerFor(new URL(url).origin, settings);
	const ticket = await pacer.acquire(cls, signal);
	// Whatever the outcome, the slot is counted from now and the answer's headers are read.
	const outcome = await send().then(
		(value) => ({ failed: false as const, value }),
		(error: unknown) => ({ failed: true as const, error }),
	);
	const response = responseOf(outcome.failed ? outcome.error : outcome.value);
	ticket.finish(response ? serverHints(response.headers, response.status) : {});
	if (outcome.failed) throw outcome.error;
	return outcome.value;
}
