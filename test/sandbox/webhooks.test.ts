/** Webhook endpoints and signed deliveries, received on a local server and verified independently. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { startSandbox, WEBHOOK_EVENTS } from '../../sandbox';
import type { Sandbox } from '../../sandbox';
import { book, client, sleep } from './helpers';
import type { Client } from './helpers';

interface Received {
	headers: http.IncomingHttpHeaders;
	raw: string;
	body: { event_id: string; event_type: string; occurred_at: string; data: Record<string, any> };
}

/** A receiver that records deliveries and answers with `status` (or hangs when it is 0). */
class Receiver {
	received: Received[] = [];
	status = 200;
	private readonly server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			this.received.push({ headers: req.headers, raw, body: JSON.parse(raw) });
			if (this.status === 0) return; // never answer: the sandbox must time out
			res.writeHead(this.status).end('ok');
		});
	});
	url = '';

	async start(): Promise<void> {
		await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
		this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
	}

	async stop(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	ofType(type: string): Received[] {
		return this.received.filter((r) => r.body.event_type === type);
	}

	async waitFor(count: number, timeoutMs = 3000): Promise<Received[]> {
		const deadline = Date.now() + timeoutMs;
		while (this.received.length < count) {
			if (Date.now() > deadline)
				throw new Error(`expected ${count} deliveries, got ${this.received.length}`);
			await sleep(10);
		}
		return this.received;
	}
}

/** Independent check of the documented signature scheme. */
function verify(received: Received, secret: string): boolean {
	const timestamp = received.headers['x-tdta-timestamp'] as string;
	const expected = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${received.raw}`).digest('hex')}`;
	const actual = String(received.headers['x-tdta-signature']);
	return (
		actual.length === expected.length && timingSafeEqual(Buffer.from(actual), Buffer.from(expected))
	);
}

/** Every booking event (webhook.test is sent on request only). */
const ALL_EVENTS: string[] = WEBHOOK_EVENTS.filter((event) => event !== 'webhook.test');

let sandbox: Sandbox;
let c: Client;
let token: string;
let receiver: Receiver;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, dialect: 'default', rateLimit: false, retryDelayMs: 50 });
	c = client(sandbox);
	receiver = new Receiver();
	await receiver.start();
});
afterAll(async () => {
	await sandbox.stop();
	await receiver.stop();
});
beforeEach(async () => {
	sandbox.reset({ retryDelayMs: 50 });
	receiver.received = [];
	receiver.status = 200;
	token = await c.token();
});

async function register(events = ALL_EVENTS, extra: Record<string, unknown> = {}) {
	const created = await c.api('POST', '/webhooks', {
		token,
		body: { name: 'test', url: receiver.url, events, ...extra },
	});
	expect(created.status).toBe(201);
	return created.body as { data: Record<string, any>; secret: string; message: string };
}

describe('webhook endpoints', () => {
	it('creates with a once-only secret, lists, gets, updates and deletes', async () => {
		const created = await register(['booking.created'], { timeout_seconds: 10, max_retries: 3 });
		expect(created.secret).toMatch(/^whsec_\w+$/);
		expect(created.data).toEqual({
			id: expect.any(Number),
			name: 'test',
			url: receiver.url,
			events: ['booking.created'],
			is_active: true,
			timeout_seconds: 10,
			max_retries: 3,
			failure_count: 0,
			last_called_at: null,
			last_failed_at: null,
			created_at: expect.any(String),
			updated_at: expect.any(String),
		});
		const id = created.data.id;
		const list = await c.api('GET', '/webhooks', { token });
		expect(list.body.meta.total).toBe(1);
		expect(JSON.stringify(list.body)).not.toContain(created.secret);
		const got = await c.api('GET', `/webhooks/${id}`, { token });
		expect(got.body.data).toEqual(created.data);
		expect(JSON.stringify(got.body)).not.toContain(created.secret);
		expect(JSON.stringify(sandbox.state())).not.toContain(created.secret);

		const updated = await c.api('PUT', `/webhooks/${id}`, {
			token,
			body: { is_active: false, events: ['booking.cancelled'] },
		});
		expect(updated.body.data).toMatchObject({
			is_active: false,
			events: ['booking.cancelled'],
			name: 'test',
			url: receiver.url,
		});

		const otherToken = await c.token(1);
		expect((await c.api('GET', `/webhooks/${id}`, { token: otherToken })).status).toBe(404);
		expect((await c.api('DELETE', `/webhooks/${id}`, { token: otherToken })).status).toBe(404);
		expect((await c.api('DELETE', `/webhooks/${id}`, { token })).status).toBe(200);
		expect((await c.api('GET', `/webhooks/${id}`, { token })).status).toBe(404);
	});

	it('validates url, events, timeout and retries', async () => {
		const bad = await c.api('POST', '/webhooks', {
			token,
			body: {
				url: 'ftp://example.com',
				events: ['booking.created', 'reference.submitted'],
				timeout_seconds: 0,
				max_retries: 9,
			},
		});
		expect(bad.status).toBe(422);
		expect(Object.keys(bad.body.errors).sort()).toEqual([
			'events',
			'max_retries',
			'timeout_seconds',
			'url',
		]);
		const missing = await c.api('POST', '/webhooks', { token, body: {} });
		expect(Object.keys(missing.body.errors).sort()).toEqual(['events', 'url']);
	});
});

describe('deliveries', () => {
	it('signs booking.created as documented and delivers asynchronously', async () => {
		const { secret } = await register();
		const { booking } = await book(c, token, 1, 'credits');
		expect(booking.status).toBe(201);
		const [delivery] = await receiver.waitFor(1);
		expect(delivery.headers['content-type']).toBe('application/json');
		expect(delivery.headers['x-tdta-event']).toBe('booking.created');
		expect(delivery.headers['x-tdta-event-id']).toBe(delivery.body.event_id);
		expect(delivery.headers['x-tdta-delivery-id']).toMatch(/^\d+$/);
		expect(Math.abs(Number(delivery.headers['x-tdta-timestamp']) - Date.now() / 1000)).toBeLessThan(
			5,
		);
		expect(verify(delivery, secret)).toBe(true);
		expect(verify(delivery, `${secret}x`)).toBe(false);
		expect(delivery.body.event_id).toMatch(
			/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
		);
		expect(delivery.body.occurred_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
		expect(delivery.body.data).toEqual(booking.body.data);
	});

	it('fires created + confirmed only when a candidate_pays booking is paid', async () => {
		await register();
		const { booking } = await book(c, token, 2, 'candidate_pays');
		await sleep(100);
		expect(receiver.received).toHaveLength(0);
		await c.control('POST', `/bookings/${booking.body.data.id}/pay`);
		await receiver.waitFor(2);
		expect(receiver.received.map((r) => r.body.event_type).sort()).toEqual([
			'booking.confirmed',
			'booking.created',
		]);
		expect(receiver.received.every((r) => r.body.data.status === 'booked')).toBe(true);
	});

	it('fires each lifecycle event; certificate_available when the later of completion and return happens', async () => {
		const { secret } = await register();
		const id = (await book(c, token, 1, 'balance')).booking.body.data.id;
		await receiver.waitFor(1);
		const target = (await c.api('GET', '/timeslots?course_id=1&per_page=1&page=5', { token })).body
			.data[0];
		const moved = await c.control('POST', `/bookings/${id}/reschedule`, {
			date: target.date,
			time: target.time,
		});
		expect(moved.status).toBe(200);
		await receiver.waitFor(2);
		const rescheduled = receiver.ofType('booking.rescheduled')[0].body.data;
		expect(rescheduled).toMatchObject({
			date: target.date,
			time: target.time,
			previous_date: expect.any(String),
			previous_time: expect.any(String),
		});

		await c.control('POST', `/bookings/${id}/equipment`, { status: 'out' });
		await c.control('POST', `/bookings/${id}/attendance`, { attended: true });
		await c.control('POST', `/bookings/${id}/equipment`, { status: 'late' });
		await c.control('POST', `/bookings/${id}/equipment`, { status: 'in' });
		await sleep(50);
		expect(receiver.ofType('booking.certificate_available')).toHaveLength(0);
		await c.control('POST', `/bookings/${id}/complete`);
		await receiver.waitFor(5);
		const available = receiver.ofType('booking.certificate_available');
		expect(available).toHaveLength(1);
		expect(available[0].body.data).toMatchObject({
			training_status: 'completed',
			equipment_status: 'in',
			certificate_available: true,
		});
		expect(receiver.ofType('booking.attendance_marked')[0].body.data.training_status).toBe(
			'attended',
		);
		expect(receiver.ofType('booking.equipment_late')).toHaveLength(1);

		const cancelled = await c.control('POST', `/bookings/${id}/cancel`);
		expect(cancelled.body.data.status).toBe('cancelled');
		await receiver.waitFor(6);
		expect(receiver.ofType('booking.cancelled')).toHaveLength(1);
		expect(receiver.received.every((r) => verify(r, secret))).toBe(true);
		expect((await c.control('POST', `/bookings/${id}/cancel`)).status).toBe(409);
		expect((await c.control('POST', `/bookings/${id}/equipment`, { status: 'lost' })).status).toBe(
			422,
		);
	});

	it('only delivers to active endpoints of the account subscribed to the event', async () => {
		await register(['booking.cancelled']);
		await register(['booking.created'], { is_active: false });
		const otherToken = await c.token(1);
		await c.api('POST', '/webhooks', {
			token: otherToken,
			body: { url: receiver.url, events: ALL_EVENTS },
		});
		await book(c, token, 1, 'credits');
		await sleep(150);
		expect(receiver.received).toHaveLength(0);
		expect(sandbox.deliveries().events.map((e) => e.eventType)).toEqual(['booking.created']);
	});

	it('sends webhook.test and signs with the rotated secret only', async () => {
		const { data, secret } = await register(['booking.created']);
		const rotated = await c.api('POST', `/webhooks/${data.id}/rotate-secret`, { token });
		expect(rotated.body.secret).toMatch(/^whsec_/);
		expect(rotated.body.secret).not.toBe(secret);
		const test = await c.api('POST', `/webhooks/${data.id}/test`, { token });
		expect(test.status).toBe(202);
		const [delivery] = await receiver.waitFor(1);
		expect(delivery.body).toMatchObject({
			event_id: test.body.data.event_id,
			event_type: 'webhook.test',
			data: { webhook_id: data.id },
		});
		expect(verify(delivery, rotated.body.secret)).toBe(true);
		expect(verify(delivery, secret)).toBe(false);
	});

	it('retries a failing endpoint max_retries times: same event id, new delivery ids, fresh signatures', async () => {
		receiver.status = 500;
		const { data, secret } = await register(['webhook.test']);
		await c.api('POST', `/webhooks/${data.id}/test`, { token });
		expect(await sandbox.waitForDeliveries(5000)).toBe(true);
		expect(receiver.received).toHaveLength(6);
		expect(new Set(receiver.received.map((r) => r.body.event_id)).size).toBe(1);
		const deliveryIds = receiver.received.map((r) => r.headers['x-tdta-delivery-id']);
		expect(new Set(deliveryIds).size).toBe(6);
		expect(new Set(receiver.received.map((r) => r.raw)).size).toBe(1);
		expect(receiver.received.every((r) => verify(r, secret))).toBe(true);

		const log = (await c.control('GET', '/deliveries')).body;
		expect(log.attempts.map((a: { attempt: number }) => a.attempt)).toEqual([1, 2, 3, 4, 5, 6]);
		expect(
			log.attempts.every((a: { status: number; ok: boolean }) => a.status === 500 && !a.ok),
		).toBe(true);
		expect(log.attempts.map((a: { deliveryId: number }) => String(a.deliveryId))).toEqual(
			deliveryIds,
		);
		expect(log.attempts[5].nextRetryAt).toBeNull();
		expect(log.attempts[0]).toMatchObject({
			endpointId: data.id,
			url: receiver.url,
			eventType: 'webhook.test',
			durationMs: expect.any(Number),
			at: expect.any(String),
		});
		// Spaced by the retry delay.
		const times = log.attempts.map((a: { at: string }) => Date.parse(a.at));
		for (let i = 1; i < times.length; i++)
			expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(45);

		const endpoint = (await c.api('GET', `/webhooks/${data.id}`, { token })).body.data;
		expect(endpoint.failure_count).toBe(6);
		expect(endpoint.last_failed_at).toEqual(expect.any(String));
		expect(endpoint.last_called_at).toEqual(expect.any(String));
	});

	it('times out a slow endpoint, holds retries until flushed, and stops once it succeeds', async () => {
		sandbox.configure({ retryDelayMs: 60_000 });
		receiver.status = 0;
		const { data } = await register(['webhook.test'], { timeout_seconds: 1, max_retries: 2 });
		await c.api('POST', `/webhooks/${data.id}/test`, { token });
		await receiver.waitFor(1);
		await sleep(1100);
		let log = sandbox.deliveries();
		expect(log.attempts).toHaveLength(1);
		expect(log.attempts[0]).toMatchObject({
			status: null,
			ok: false,
			error: expect.stringMatching(/timeout/),
		});
		expect(log.pending).toHaveLength(1);

		receiver.status = 204;
		const flushed = await c.control('POST', '/deliveries/flush');
		expect(flushed.body.fired).toBe(1);
		log = sandbox.deliveries();
		expect(log.attempts.map((a) => [a.attempt, a.status, a.ok])).toEqual([
			[1, null, false],
			[2, 204, true],
		]);
		expect(log.pending).toHaveLength(0);
		expect((await c.api('GET', `/webhooks/${data.id}`, { token })).body.data.failure_count).toBe(0);
	});
});
