/** The /_sandbox control surface, and the same operations for in-process callers. */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import { serializeEndpoint } from './api';
import type { FiredEvent, ResetOptions, SandboxCore } from './core';
import { HttpError, notFound } from './errors';
import type { ActiveFault } from './faults';
import { readObjectBody, Router } from './http';
import type { Reply } from './http';
import { ConfigError } from './options';
import type { RuntimeConfig, RuntimeConfigPatch } from './options';
import type { RequestLogSummary } from './requestlog';
import { pounds } from './state';
import { isoTime } from './time';
import type { Account, EquipmentStatus } from './types';
import { Validator } from './validate';
import type { DeliveryAttempt, PendingRetry } from './webhooks';

export interface SandboxAccountInfo {
	hbClientId: string;
	apiKey: string;
	name: string;
}

export interface AccountSnapshot {
	hbClientId: string;
	name: string;
	credits: { course_id: number; course_name: string; credits: number }[];
	balance: number;
	invoicePayments: boolean;
	creditLimit: number;
	invoiceOutstanding: number;
	activeHold: {
		holdHash: string;
		courseId: number;
		date: string;
		time: string;
		expiresAt: string;
	} | null;
	bookings: number;
	bookingsByStatus: Record<string, number>;
	/** Without secrets. */
	webhooks: Record<string, unknown>[];
}

export interface StateSnapshot {
	today: string;
	seed: number;
	config: RuntimeConfig;
	accounts: AccountSnapshot[];
}

/** Changes to an account's wallet and payment settings (for testing each pay option). */
export interface AccountPatch {
	balance?: number;
	/** course id → credits */
	credits?: Record<string, number>;
	invoicePayments?: boolean;
	creditLimit?: number;
	invoiceOutstanding?: number;
}

export interface DeliveryLog {
	total: number;
	attempts: DeliveryAttempt[];
	pending: PendingRetry[];
	events: FiredEvent[];
}

type BookingJson = Record<string, unknown>;

/** Operations shared by the HTTP control surface and the in-process handle. */
export class SandboxControls {
	constructor(protected readonly core: SandboxCore) {}

	private account(hbClientId: unknown): Account | undefined {
		if (hbClientId === undefined || hbClientId === null) return undefined;
		const account =
			typeof hbClientId === 'string' ? this.core.state.accountByClientId(hbClientId) : undefined;
		if (!account) throw notFound('Account');
		return account;
	}

	listAccounts(): SandboxAccountInfo[] {
		return this.core.state.accounts.map((a) => ({
			hbClientId: a.hbClientId,
			apiKey: a.apiKey,
			name: a.name,
		}));
	}

	state(): StateSnapshot {
		const state = this.core.state;
		return {
			today: state.today(),
			seed: this.core.seedOptions.seed,
			config: this.core.config,
			accounts: state.accounts.map((a) => this.accountSnapshot(a)),
		};
	}

	private accountSnapshot(account: Account): AccountSnapshot {
		const state = this.core.state;
		const hold = state.activeHold(account.id);
		const bookings = state.bookings.filter((b) => b.accountId === account.id);
		const byStatus: Record<string, number> = {};
		for (const b of bookings) byStatus[b.status] = (byStatus[b.status] ?? 0) + 1;
		const credits = state.serializeCredits(account).booking_credits as AccountSnapshot['credits'];
		return {
			hbClientId: account.hbClientId,
			name: account.name,
			credits,
			balance: pounds(account.balancePence),
			invoicePayments: account.invoicePayments,
			creditLimit: pounds(account.creditLimitPence),
			invoiceOutstanding: pounds(account.invoiceOutstandingPence),
			activeHold: hold
				? {
						holdHash: hold.hash,
						courseId: hold.courseId,
						date: hold.date,
						time: hold.time,
						expiresAt: isoTime(hold.expiresAt),
					}
				: null,
			bookings: bookings.length,
			bookingsByStatus: byStatus,
			webhooks: state.webhooks.filter((w) => w.accountId === account.id).map(serializeEndpoint),
		};
	}

	updateAccount(hbClientId: string, patch: AccountPatch): AccountSnapshot {
		const account = this.account(hbClientId);
		if (!account) throw notFound('Account');
		const v = new Validator(patch as Record<string, unknown>);
		const money = (field: keyof AccountPatch): number | undefined => {
			const value = patch[field];
			if (value === undefined) return undefined;
			if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
				return void v.fail(field, `${field} must be a number >= 0.`);
			return Math.round(value * 100);
		};
		const balance = money('balance');
		const creditLimit = money('creditLimit');
		const outstanding = money('invoiceOutstanding');
		const invoicePayments = v.boolean('invoicePayments');
		const credits = new Map<number, number>();
		for (const [courseId, value] of Object.entries(patch.credits ?? {})) {
			if (!this.core.state.course(Number(courseId)) || !Number.isInteger(value) || value < 0) {
				v.fail(
					'credits',
					`credits.${courseId} must be a whole number >= 0 for an existing course.`,
				);
			} else credits.set(Number(courseId), value);
		}
		v.check();
		if (balance !== undefined) account.balancePence = balance;
		if (creditLimit !== undefined) account.creditLimitPence = creditLimit;
		if (outstanding !== undefined) account.invoiceOutstandingPence = outstanding;
		if (invoicePayments !== undefined) account.invoicePayments = invoicePayments;
		for (const [courseId, value] of credits) account.credits.set(courseId, value);
		return this.accountSnapshot(account);
	}

	reset(options: ResetOptions = {}): StateSnapshot {
		this.core.reset(options);
		return this.state();
	}

	configure(patch: RuntimeConfigPatch): RuntimeConfig {
		return this.core.configure(patch);
	}

	addFault(spec: unknown): ActiveFault {
		return this.core.faults.add(spec);
	}

	faults(): ActiveFault[] {
		return this.core.faults.list();
	}

	clearFaults(): void {
		this.core.faults.clear();
	}

	/** Revokes every access and refresh token (of one account); returns how many pairs were live. */
	revokeAllTokens(hbClientId?: string): number {
		return this.core.tokens.revokeAll(this.account(hbClientId)?.id);
	}

	/** Marks existing tokens expired; with neither flag set, both kinds. */
	expireTokens(options: { access?: boolean; refresh?: boolean; hbClientId?: string } = {}): number {
		const both = options.access === undefined && options.refresh === undefined;
		return this.core.tokens.expire({
			access: both || options.access === true,
			refresh: both || options.refresh === true,
			accountId: this.account(options.hbClientId)?.id,
		});
	}

	/**
	 * Every endpoint with its signing secret, as the API side holds them, so in-process tests can
	 * sign deliveries the way the API does and look for leaks. Deliberately not on the HTTP surface.
	 */
	signingSecrets(): Array<{ id: number; url: string; events: string[]; secret: string }> {
		return this.core.state.webhooks.map(({ id, url, events, secret }) => ({
			id,
			url,
			events: [...events],
			secret,
		}));
	}

	webhookSecret(endpointId: number | string): string | undefined {
		return this.signingSecrets().find((endpoint) => String(endpoint.id) === String(endpointId))
			?.secret;
	}

	/**
	 * Gives an account a new API key, as rotating the key in the portal does: the old key no longer
	 * signs in; tokens already issued keep working until they expire. Returns the new key
	 * (in-process only, like the secrets).
	 */
	replaceApiKey(hbClientId: string): string {
		const account = this.account(hbClientId);
		if (!account) throw notFound('Account');
		account.apiKey = `sandbox-key-${randomBytes(12).toString('hex')}`;
		return account.apiKey;
	}

	/** Every access and refresh token issued so far (in-process only, like the secrets). */
	issuedTokens(): string[] {
		return this.core.tokens.issued();
	}

	/** Ends every active timeslot hold now. */
	expireHolds(): number {
		return this.core.state.expireHolds();
	}

	requests(): RequestLogSummary {
		return this.core.requests.summary();
	}

	clearRequests(): void {
		this.core.requests.clear();
	}

	deliveries(): DeliveryLog {
		const attempts = this.core.dispatcher.attempts();
		return {
			total: attempts.length,
			attempts,
			pending: this.core.dispatcher.pending(),
			events: [...this.core.events],
		};
	}

	clearDeliveries(): void {
		this.core.dispatcher.clearLog();
		this.core.events = [];
	}

	/** Fires every pending retry now and waits for those attempts; returns how many fired. */
	flushDeliveries(): Promise<number> {
		return this.core.dispatcher.flush();
	}

	/** Resolves true once no delivery is in flight or scheduled (false after the timeout). */
	waitForDeliveries(timeoutMs = 10_000): Promise<boolean> {
		return this.core.dispatcher.idle(timeoutMs);
	}

	private booking(change: (id: number) => unknown, id: number): BookingJson {
		change(id);
		return this.core.state.serializeBooking(this.core.state.booking(id));
	}

	/** Staff and candidate actions on bookings; each fires its webhooks. */
	readonly bookings = {
		pay: (id: number): BookingJson => this.booking((b) => this.core.state.pay(b), id),
		reschedule: (id: number, date: string, time: string): BookingJson =>
			this.booking((b) => this.core.state.reschedule(b, date, time), id),
		cancel: (id: number): BookingJson => this.booking((b) => this.core.state.cancel(b), id),
		attendance: (id: number, attended: boolean): BookingJson =>
			this.booking((b) => this.core.state.markAttendance(b, attended), id),
		complete: (id: number): BookingJson => this.booking((b) => this.core.state.complete(b), id),
		equipment: (id: number, status: Exclude<EquipmentStatus, 'not_sent'>): BookingJson =>
			this.booking((b) => this.core.state.setEquipment(b, status), id),
	};
}

export interface ControlContext {
	core: SandboxCore;
	controls: SandboxControls;
	req: IncomingMessage;
}

const body = (ctx: ControlContext): Promise<Record<string, unknown>> => readObjectBody(ctx.req);

/** Runs a config change, answering 422 for a bad value. */
function configured<T>(change: () => T): T {
	try {
		return change();
	} catch (error) {
		if (error instanceof ConfigError) throw new HttpError(422, error.message);
		throw error;
	}
}

/** The booking actions, answering `{ data: booking }`. */
function bookingRoutes(router: Router<ControlContext>): void {
	const action = (
		name: string,
		run: (ctx: ControlContext, id: number, input: Record<string, unknown>) => BookingJson,
	) =>
		router.add('POST', `/bookings/{id}/${name}`, async (ctx, params) => ({
			body: { data: run(ctx, Number(params.id), await body(ctx)) },
		}));
	action('pay', (ctx, id) => ctx.controls.bookings.pay(id));
	action('cancel', (ctx, id) => ctx.controls.bookings.cancel(id));
	action('complete', (ctx, id) => ctx.controls.bookings.complete(id));
	action('reschedule', (ctx, id, input) => {
		const v = new Validator(input);
		const date = v.date('date', { required: true });
		const time = v.time('time', { required: true });
		v.check();
		return ctx.controls.bookings.reschedule(id, date ?? '', time ?? '');
	});
	action('attendance', (ctx, id, input) => {
		const v = new Validator(input);
		const attended = v.boolean('attended', { required: true });
		v.check();
		return ctx.controls.bookings.attendance(id, attended ?? false);
	});
	action('equipment', (ctx, id, input) => {
		const v = new Validator(input);
		const status = v.oneOf('status', ['out', 'in', 'late'] as const, { required: true });
		v.check();
		return ctx.controls.bookings.equipment(id, status ?? 'out');
	});
}

export function controlRouter(): Router<ControlContext> {
	const router = new Router<ControlContext>();
	const ok = (extra: Record<string, unknown> = {}): Reply => ({ body: { ok: true, ...extra } });
	const optionalString = (value: unknown): string | undefined =>
		typeof value === 'string' ? value : undefined;

	router.add('GET', '', () => ({
		body: {
			message: 'BLS Portal sandbox control surface',
			docs: 'docs/api-assumptions.md#sandbox',
		},
	}));
	router.add('GET', '/accounts', (ctx) => ({ body: { accounts: ctx.controls.listAccounts() } }));
	router.add('POST', '/accounts/{hbClientId}', async (ctx, params) => ({
		body: {
			account: ctx.controls.updateAccount(params.hbClientId, (await body(ctx)) as AccountPatch),
		},
	}));
	router.add('GET', '/state', (ctx) => ({ body: ctx.controls.state() }));
	router.add('POST', '/reset', async (ctx) => {
		const input = await body(ctx);
		return { body: configured(() => ctx.controls.reset(input as ResetOptions)) };
	});
	router.add('GET', '/config', (ctx) => ({ body: { config: ctx.core.config } }));
	router.add('POST', '/config', async (ctx) => {
		const input = await body(ctx);
		return {
			body: { config: configured(() => ctx.controls.configure(input as RuntimeConfigPatch)) },
		};
	});

	router.add('GET', '/faults', (ctx) => ({ body: { faults: ctx.controls.faults() } }));
	router.add('POST', '/faults', async (ctx) => ({
		status: 201,
		body: { fault: ctx.controls.addFault(await body(ctx)) },
	}));
	router.add('DELETE', '/faults', (ctx) => {
		ctx.controls.clearFaults();
		return ok();
	});

	router.add('POST', '/tokens/revoke-all', async (ctx) => {
		const input = await body(ctx);
		return ok({ revoked: ctx.controls.revokeAllTokens(optionalString(input.hbClientId)) });
	});
	router.add('POST', '/tokens/expire', async (ctx) => {
		const input = await body(ctx);
		const v = new Validator(input);
		const access = v.boolean('access');
		const refresh = v.boolean('refresh');
		v.check();
		return ok({
			expired: ctx.controls.expireTokens({
				access,
				refresh,
				hbClientId: optionalString(input.hbClientId),
			}),
		});
	});
	router.add('POST', '/holds/expire', (ctx) => ok({ expired: ctx.controls.expireHolds() }));

	router.add('GET', '/requests', (ctx) => ({ body: ctx.controls.requests() }));
	router.add('DELETE', '/requests', (ctx) => {
		ctx.controls.clearRequests();
		return ok();
	});

	router.add('GET', '/deliveries', (ctx) => ({ body: ctx.controls.deliveries() }));
	router.add('DELETE', '/deliveries', (ctx) => {
		ctx.controls.clearDeliveries();
		return ok();
	});
	router.add('POST', '/deliveries/flush', async (ctx) =>
		ok({ fired: await ctx.controls.flushDeliveries() }),
	);
	router.add('POST', '/deliveries/wait', async (ctx) => {
		const v = new Validator(await body(ctx));
		const timeoutMs = v.integer('timeoutMs', { min: 0, max: 600_000 });
		v.check();
		return ok({ idle: await ctx.controls.waitForDeliveries(timeoutMs) });
	});

	bookingRoutes(router);
	return router;
}
