/** The documented /api/v1 endpoints. */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

import type { SandboxCore } from './core';
import { HttpError, notFound } from './errors';
import { paginate, readObjectBody, Router } from './http';
import type { Reply } from './http';
import { certificatePdf } from './pdf';
import { bookingReference, MAX_MONTHS_AHEAD, pounds } from './state';
import { addDays, addMonths, isoDate, isoTime, isoTimeOrNull } from './time';
import type { TokenPair } from './tokens';
import { PAY_OPTIONS, WEBHOOK_EVENTS } from './types';
import type { Account, Booking, PayOption, WebhookEndpoint, WebhookEventType } from './types';
import { Validator } from './validate';
import { acceptedTime } from './dialectFields';
import type { Dialect } from './dialects';

export interface ApiContext {
	core: SandboxCore;
	req: IncomingMessage;
	/** The request URL, with the Host the client used (list links are built from it). */
	url: URL;
	/** Filled in for the request log. */
	clientId: string | null;
	tokenId: string | null;
}

interface Authed extends ApiContext {
	account: Account;
	pair: TokenPair;
}

type AuthedHandler = (ctx: Authed, params: Record<string, string>) => Reply | Promise<Reply>;

const unauthenticated = () => new HttpError(401, 'Unauthenticated.');

/** Wraps a handler that needs a live bearer token. */
function authed(handler: AuthedHandler) {
	return (ctx: ApiContext, params: Record<string, string>): Reply | Promise<Reply> => {
		const header = ctx.req.headers.authorization ?? '';
		const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
		if (!match) throw unauthenticated();
		const pair = ctx.core.tokens.authenticate(match[1]);
		const account = pair && ctx.core.state.accounts.find((a) => a.id === pair.accountId);
		if (!pair || !account) throw unauthenticated();
		ctx.clientId = account.hbClientId;
		ctx.tokenId = pair.id;
		return handler({ ...ctx, account, pair }, params);
	};
}

const sameSecret = (a: string, b: string): boolean =>
	timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());

function tokenReply(pair: TokenPair): Reply {
	return {
		body: {
			access_token: pair.accessToken,
			refresh_token: pair.refreshToken,
			token_type: 'Bearer',
			expires_in: Math.round((pair.accessExpiresAt - pair.issuedAt) / 1000),
			refresh_expires_in: Math.round((pair.refreshExpiresAt - pair.issuedAt) / 1000),
			expires_at: isoTime(pair.accessExpiresAt),
			refresh_expires_at: isoTime(pair.refreshExpiresAt),
		},
	};
}

function query(ctx: ApiContext): Record<string, unknown> {
	return Object.fromEntries(ctx.url.searchParams);
}

export function serializeEndpoint(w: WebhookEndpoint): Record<string, unknown> {
	return {
		id: w.id,
		name: w.name,
		url: w.url,
		events: [...w.events],
		is_active: w.isActive,
		timeout_seconds: w.timeoutSeconds,
		max_retries: w.maxRetries,
		failure_count: w.failureCount,
		last_called_at: isoTimeOrNull(w.lastCalledAt),
		last_failed_at: isoTimeOrNull(w.lastFailedAt),
		created_at: isoTime(w.createdAt),
		updated_at: isoTime(w.updatedAt),
	};
}

const newWebhookSecret = (): string => `whsec_${randomBytes(24).toString('hex')}`;

function ownedEndpoint(ctx: Authed, id: string): WebhookEndpoint {
	const endpoint = ctx.core.state.webhooks.find(
		(w) => w.id === Number(id) && w.accountId === ctx.account.id,
	);
	if (!endpoint) throw notFound('Webhook endpoint');
	return endpoint;
}

type EndpointInput = Partial<
	Pick<WebhookEndpoint, 'name' | 'url' | 'events' | 'isActive' | 'timeoutSeconds' | 'maxRetries'>
>;

/** Create (`partial` false: url and events required) or update input of a webhook endpoint. */
function endpointInput(body: Record<string, unknown>, partial: boolean): EndpointInput {
	const v = new Validator(body);
	const input: EndpointInput = {};
	const name = v.string('name');
	if (name !== undefined) input.name = name;
	const url = v.string('url', { required: !partial, max: 2048 });
	if (url !== undefined) {
		if (/^https?:\/\/[^\s/]+/i.test(url) && URL.canParse(url)) input.url = url;
		else v.fail('url', 'The url field must be a valid http:// or https:// URL.');
	}
	const events = body.events;
	if (events === undefined || events === null) {
		if (!partial) v.fail('events', 'The events field is required.');
	} else if (!Array.isArray(events) || events.length === 0) {
		v.fail('events', 'The events field must be a non-empty array.');
	} else {
		const unknown = events.filter(
			(e) => typeof e !== 'string' || !(WEBHOOK_EVENTS as readonly string[]).includes(e),
		);
		if (unknown.length > 0)
			v.fail('events', `The selected events are invalid: ${unknown.map(String).join(', ')}.`);
		else input.events = [...new Set(events as WebhookEventType[])];
	}
	input.timeoutSeconds = v.integer('timeout_seconds', { min: 1, max: 60 });
	input.maxRetries = v.integer('max_retries', { min: 0, max: 5 });
	input.isActive = v.boolean('is_active');
	v.check();
	for (const key of Object.keys(input) as (keyof EndpointInput)[])
		if (input[key] === undefined) delete input[key];
	return input;
}

/** PUT /webhooks/{id} of a server that replaces the whole endpoint: every setting must be sent. */
function requireWholeEndpoint(body: Record<string, unknown>): void {
	const v = new Validator(body);
	for (const field of ['url', 'events', 'timeout_seconds', 'is_active']) {
		if (body[field] === undefined || body[field] === null || body[field] === '')
			v.fail(field, `The ${field.replace(/_/g, ' ')} field is required.`);
	}
	v.check();
}

/**
 * `pay_option`: the documented four; TDTA's `inv` for its invoice under the tdta dialect. BLS
 * refuses `inv` saying what to send instead, as its docs warn ("BLS uses invoice (not inv)").
 */
function payOptionField(
	v: Validator,
	body: Record<string, unknown>,
	dialect: Dialect,
): PayOption | undefined {
	if (body.pay_option === 'inv') {
		if (dialect.has('tdta')) return 'invoice';
		v.fail('pay_option', 'The selected pay option is invalid. BLS uses invoice (not inv).');
		return undefined;
	}
	return v.oneOf('pay_option', PAY_OPTIONS, { required: true });
}

/** GET /bookings filters. */
function bookingFilter(ctx: Authed): (b: Booking) => boolean {
	// A server that does not know the filters neither checks nor applies them.
	if (ctx.core.dialect.has('filters-ignored')) return (b) => b.accountId === ctx.account.id;
	const v = new Validator(query(ctx));
	const status = v.oneOf('status', ['booked', 'pending', 'cancelled'] as const);
	const courseId = v.integer('course_id', { min: 1 });
	const from = v.date('date_from');
	const to = v.date('date_to');
	const email = v.string('email')?.toLowerCase();
	const search = v.string('search')?.toLowerCase();
	const training = v.oneOf('training_status', [
		'scheduled',
		'attended',
		'no_show',
		'completed',
	] as const);
	const equipment = v.oneOf('equipment_status', ['not_sent', 'out', 'in', 'late'] as const);
	v.check();
	return (b) =>
		b.accountId === ctx.account.id &&
		(status === undefined || b.status === status) &&
		(courseId === undefined || b.courseId === courseId) &&
		(from === undefined || b.date >= from) &&
		(to === undefined || b.date <= to) &&
		(email === undefined || b.details.email.toLowerCase() === email) &&
		(training === undefined || b.trainingStatus === training) &&
		(equipment === undefined || b.equipmentStatus === equipment) &&
		(search === undefined ||
			[
				`${b.details.first_name} ${b.details.last_name}`,
				b.details.email,
				bookingReference(b.id),
			].some((field) => field.toLowerCase().includes(search)));
}

function certificateReply(ctx: Authed, booking: Booking): Reply {
	const errors: Record<string, string[]> = {};
	if (booking.trainingStatus !== 'completed') {
		errors.training_status = [
			`Training is not completed (training_status: ${booking.trainingStatus}).`,
		];
	}
	if (booking.equipmentStatus !== 'in') {
		errors.equipment_status = [
			`Equipment has not been returned (equipment_status: ${booking.equipmentStatus}).`,
		];
	}
	if (Object.keys(errors).length > 0) {
		const missing = Object.values(errors).flat().join(' ');
		throw new HttpError(422, `Certificate not available: ${missing}`, { errors });
	}
	const reference = bookingReference(booking.id);
	const pdf = certificatePdf({
		candidateName: `${booking.details.first_name} ${booking.details.last_name}`,
		courseName: ctx.core.state.course(booking.courseId)?.name ?? 'Basic Life Support',
		trainingDate: booking.date,
		reference,
		issuedOn: isoDate(booking.updatedAt),
	});
	return {
		raw: pdf,
		headers: {
			'Content-Type': 'application/pdf',
			'Content-Disposition': ctx.core.dialect.has('certificate-name-percent')
				? `attachment; filename="BLS-Certificate-${reference} (100%).pdf"`
				: `attachment; filename="BLS-Certificate-${reference}.pdf"`,
		},
	};
}

export function apiRouter(): Router<ApiContext> {
	const router = new Router<ApiContext>();

	// ---- Auth -----------------------------------------------------------------------------
	router.add('POST', '/auth/token', async (ctx) => {
		const v = new Validator(await readObjectBody(ctx.req));
		const clientId = v.string('hb_client_id', { required: true });
		const apiKey = v.string('api_key', { required: true });
		v.check();
		const account = ctx.core.state.accountByClientId(clientId ?? '');
		ctx.clientId = account?.hbClientId ?? null;
		if (!account || !sameSecret(account.apiKey, apiKey ?? '')) {
			throw new HttpError(401, 'Invalid client credentials');
		}
		const pair = ctx.core.tokens.issue(account.id, ctx.core.config);
		ctx.tokenId = pair.id;
		return tokenReply(pair);
	});
	router.add('POST', '/auth/refresh', async (ctx) => {
		const v = new Validator(await readObjectBody(ctx.req));
		const refreshToken = v.string('refresh_token', { required: true, max: 4096 }) ?? '';
		v.check();
		const previous = ctx.core.tokens.findByRefresh(refreshToken);
		ctx.tokenId = previous?.id ?? null;
		ctx.clientId =
			ctx.core.state.accounts.find((a) => a.id === previous?.accountId)?.hbClientId ?? null;
		const pair = ctx.core.tokens.refresh(refreshToken, ctx.core.config);
		if (!pair) throw new HttpError(401, 'Invalid or expired refresh token.');
		return tokenReply(pair);
	});
	router.add(
		'GET',
		'/auth/token-info',
		authed(({ account, pair }) => ({
			body: {
				data: {
					hb_client_id: account.hbClientId,
					client_name: account.name,
					token_type: 'Bearer',
					issued_at: isoTime(pair.issuedAt),
					expires_at: isoTime(pair.accessExpiresAt),
					expires_in: Math.max(0, Math.floor((pair.accessExpiresAt - Date.now()) / 1000)),
				},
			},
		})),
	);
	router.add(
		'POST',
		'/auth/revoke',
		authed(({ core, pair }) => {
			core.tokens.revoke(pair);
			return { body: { message: 'Token revoked.' } };
		}),
	);

	// ---- Client ---------------------------------------------------------------------------
	router.add(
		'GET',
		'/booking-url',
		authed(({ account, url }) => ({
			body: { data: { booking_url: `${url.origin}/book/${account.bookingSlug}` } },
		})),
	);
	router.add(
		'GET',
		'/credits',
		authed(({ core, account }) => ({ body: core.state.serializeCredits(account) })),
	);
	router.add(
		'GET',
		'/transactions',
		authed(({ core, account, url }) => ({
			body: paginate(
				core.state.transactions.filter((t) => t.accountId === account.id),
				url,
				(t) => ({
					id: t.id,
					type: t.type,
					description: t.description,
					amount: pounds(t.amountPence),
					currency: 'GBP',
					credits: t.credits,
					course_id: t.courseId,
					booking_id: t.bookingId,
					balance_after: pounds(t.balanceAfterPence),
					created_at: isoTime(t.createdAt),
				}),
				core.dialect,
			),
		})),
	);

	// ---- Courses and timeslots ------------------------------------------------------------
	router.add(
		'GET',
		'/courses',
		authed(({ core, url }) => ({
			body: paginate(
				core.state.courses,
				url,
				(c) => ({
					id: c.id,
					name: c.name,
					description: c.description,
					price: pounds(c.pricePence),
					currency: 'GBP',
					duration_minutes: c.durationMinutes,
					active: true,
				}),
				core.dialect,
			),
		})),
	);
	const courseIdField = (v: Validator, ctx: ApiContext): number | undefined => {
		const courseId = v.integer('course_id', { required: true });
		if (courseId !== undefined && !ctx.core.state.course(courseId)) {
			v.fail('course_id', 'The selected course id is invalid.');
			return undefined;
		}
		return courseId;
	};
	router.add(
		'GET',
		'/timeslots',
		authed((ctx) => {
			const v = new Validator(query(ctx));
			const courseId = courseIdField(v, ctx);
			const monthsAhead = v.integer('months_ahead', { min: 1, max: MAX_MONTHS_AHEAD }) ?? 1;
			const date = v.date('date');
			v.check();
			const state = ctx.core.state;
			const course = state.course(courseId ?? 0);
			if (!course) throw new HttpError(500, 'Server Error');
			const today = state.today();
			const slots = date
				? state.slots(course.id, date, date)
				: state.slots(course.id, addDays(today, 1), addMonths(today, monthsAhead));
			return {
				body: paginate(
					slots,
					ctx.url,
					(s) => ({
						date: s.date,
						time: s.time,
						course: { id: course.id, name: course.name },
						spaces_available: s.spacesAvailable,
					}),
					ctx.core.dialect,
				),
			};
		}),
	);
	router.add(
		'POST',
		'/timeslots/hold',
		authed(async (ctx) => {
			const body = await readObjectBody(ctx.req);
			body.time = acceptedTime(ctx.core.dialect, body.time) ?? body.time;
			const v = new Validator(body);
			const courseId = courseIdField(v, ctx);
			const date = v.date('date', { required: true });
			const time = v.time('time', { required: true });
			v.check();
			const hold = ctx.core.state.createHold(ctx.account, courseId ?? 0, date ?? '', time ?? '');
			return {
				status: 201,
				body: {
					data: {
						hold_hash: hold.hash,
						course_id: hold.courseId,
						date: hold.date,
						time: hold.time,
						expires_at: isoTime(hold.expiresAt),
					},
				},
			};
		}),
	);
	router.add(
		'DELETE',
		'/timeslots/hold/{holdHash}',
		authed(({ core, account }, params) => {
			core.state.releaseHold(account.id, params.holdHash);
			return { body: { message: 'Timeslot hold released.' } };
		}),
	);

	// ---- Bookings -------------------------------------------------------------------------
	router.add(
		'GET',
		'/bookings',
		authed((ctx) => {
			const state = ctx.core.state;
			return {
				body: paginate(
					state.bookings.filter(bookingFilter(ctx)),
					ctx.url,
					(b) => state.serializeBooking(b),
					ctx.core.dialect,
				),
			};
		}),
	);
	router.add(
		'POST',
		'/bookings',
		authed(async (ctx) => {
			const body = await readObjectBody(ctx.req);
			const v = new Validator(body);
			const holdHash = v.string('hold_hash', { required: true });
			const payOption = payOptionField(v, body, ctx.core.dialect);
			const addressRequired = ctx.core.dialect.has('booking-address-required');
			const details = {
				first_name: v.string('first_name', { required: true }) ?? '',
				last_name: v.string('last_name', { required: true }) ?? '',
				email: v.string('email', { required: true, email: true }) ?? '',
				phone: v.string('phone', { max: 32 }) ?? null,
				address: v.string('address', { required: addressRequired }) ?? null,
				city: v.string('city', { required: addressRequired }) ?? null,
				postcode: v.string('postcode', { max: 16, required: addressRequired }) ?? null,
				job_role: v.string('job_role') ?? null,
				agency_contact_name: v.string('agency_contact_name') ?? null,
				agency_contact_email: v.string('agency_contact_email', { email: true }) ?? null,
				agency_email: v.string('agency_email', { email: true }) ?? null,
			};
			v.check();
			const state = ctx.core.state;
			const booking = state.createBooking(
				ctx.account,
				holdHash ?? '',
				payOption ?? 'credits',
				details,
			);
			return { status: 201, body: { data: state.serializeBooking(booking) } };
		}),
	);
	router.add(
		'GET',
		'/bookings/{id}',
		authed(({ core, account }, params) => ({
			body: {
				data: core.state.serializeBooking(core.state.ownedBooking(account.id, Number(params.id))),
			},
		})),
	);
	router.add(
		'GET',
		'/bookings/{id}/certificate',
		authed((ctx, params) =>
			certificateReply(ctx, ctx.core.state.ownedBooking(ctx.account.id, Number(params.id))),
		),
	);

	// ---- Webhook endpoints ----------------------------------------------------------------
	router.add(
		'GET',
		'/webhooks',
		authed(({ core, account, url }) => ({
			body: paginate(
				core.state.webhooks.filter((w) => w.accountId === account.id),
				url,
				serializeEndpoint,
				core.dialect,
			),
		})),
	);
	router.add(
		'POST',
		'/webhooks',
		authed(async (ctx) => {
			const input = endpointInput(await readObjectBody(ctx.req), false);
			const now = Date.now();
			const state = ctx.core.state;
			const endpoint: WebhookEndpoint = {
				id: state.nextWebhookId++,
				accountId: ctx.account.id,
				name: input.name ?? null,
				url: input.url ?? '',
				events: input.events ?? [],
				isActive: input.isActive ?? true,
				timeoutSeconds: input.timeoutSeconds ?? 30,
				maxRetries: input.maxRetries ?? 5,
				secret: newWebhookSecret(),
				failureCount: 0,
				lastCalledAt: null,
				lastFailedAt: null,
				createdAt: now,
				updatedAt: now,
			};
			state.webhooks.push(endpoint);
			return {
				status: 201,
				body: {
					data: serializeEndpoint(endpoint),
					secret: endpoint.secret,
					message: 'Webhook endpoint created. Store the signing secret now; it is not shown again.',
				},
			};
		}),
	);
	router.add(
		'GET',
		'/webhooks/{id}',
		authed((ctx, params) => ({ body: { data: serializeEndpoint(ownedEndpoint(ctx, params.id)) } })),
	);
	router.add(
		'PUT',
		'/webhooks/{id}',
		authed(async (ctx, params) => {
			const endpoint = ownedEndpoint(ctx, params.id);
			const body = await readObjectBody(ctx.req);
			if (ctx.core.dialect.has('put-whole-object')) requireWholeEndpoint(body);
			Object.assign(endpoint, endpointInput(body, true), { updatedAt: Date.now() });
			return { body: { data: serializeEndpoint(endpoint) } };
		}),
	);
	router.add(
		'DELETE',
		'/webhooks/{id}',
		authed((ctx, params) => {
			const endpoint = ownedEndpoint(ctx, params.id);
			const webhooks = ctx.core.state.webhooks;
			webhooks.splice(webhooks.indexOf(endpoint), 1);
			return { body: { message: 'Webhook endpoint deleted.' } };
		}),
	);
	router.add(
		'POST',
		'/webhooks/{id}/rotate-secret',
		authed((ctx, params) => {
			const endpoint = ownedEndpoint(ctx, params.id);
			endpoint.secret = newWebhookSecret();
			endpoint.updatedAt = Date.now();
			return {
				body: {
					data: serializeEndpoint(endpoint),
					secret: endpoint.secret,
					message: 'Signing secret rotated. The previous secret no longer signs deliveries.',
				},
			};
		}),
	);
	router.add(
		'POST',
		'/webhooks/{id}/test',
		authed((ctx, params) => {
			const endpoint = ownedEndpoint(ctx, params.id);
			const eventId = ctx.core.emit({
				accountId: ctx.account.id,
				type: 'webhook.test',
				endpointId: endpoint.id,
				data: { webhook_id: endpoint.id, message: 'This is a test webhook from the BLS Portal.' },
			});
			return {
				status: 202,
				body: { message: 'Test webhook queued.', data: { event_id: eventId } },
			};
		}),
	);

	return router;
}
