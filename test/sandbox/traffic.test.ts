/** Rate limiting, fault injection and the request log. */
import http from 'node:http';

import { startSandbox } from '../../sandbox';
import type { Sandbox } from '../../sandbox';
import { client, sleep } from './helpers';
import type { Client } from './helpers';

let sandbox: Sandbox;
let c: Client;
let token: string;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, dialect: 'default', rateLimit: false });
	c = client(sandbox);
});
afterAll(async () => await sandbox.stop());
beforeEach(async () => {
	sandbox.reset({ rateLimit: false });
	token = await c.token();
	sandbox.clearRequests();
});

describe('rate limit', () => {
	it('answers 429 with Retry-After over the quota and opens a new window afterwards', async () => {
		sandbox.configure({ rateLimit: { max: 3, windowMs: 1000 } });
		const statuses: number[] = [];
		let last: Awaited<ReturnType<Client['api']>> | undefined;
		for (let i = 0; i < 5; i++) {
			last = await c.api('GET', '/courses', { token });
			statuses.push(last.status);
			if (i === 0) {
				expect(last.headers.get('x-ratelimit-limit')).toBe('3');
				expect(last.headers.get('x-ratelimit-remaining')).toBe('2');
			}
		}
		expect(statuses).toEqual([200, 200, 200, 429, 429]);
		expect(last?.headers.get('retry-after')).toBe('1');
		expect(last?.headers.get('x-ratelimit-remaining')).toBe('0');
		expect(last?.body).toEqual({ message: expect.any(String) });
		// The control surface is never limited.
		expect((await c.control('GET', '/state')).status).toBe(200);

		await sleep(1050);
		const fresh = await c.api('GET', '/courses', { token });
		expect(fresh.status).toBe(200);
		expect(fresh.headers.get('x-ratelimit-remaining')).toBe('2');
		const log = sandbox.requests();
		expect(log.status429).toBe(2);
		expect(log.byEndpoint['GET /courses']).toBe(6);
	});

	it('rounds Retry-After up to whole seconds', async () => {
		sandbox.configure({ rateLimit: { max: 1, windowMs: 2500 } });
		await c.api('GET', '/courses', { token });
		const limited = await c.api('GET', '/courses', { token });
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('3');
	});

	it('counts auth requests too, and can be switched off', async () => {
		sandbox.configure({ rateLimit: { max: 2, windowMs: 60_000 } });
		const body = {
			hb_client_id: sandbox.accounts[0].hbClientId,
			api_key: sandbox.accounts[0].apiKey,
		};
		expect((await c.api('POST', '/auth/token', { body })).status).toBe(200);
		expect((await c.api('POST', '/auth/token', { body })).status).toBe(200);
		expect((await c.api('POST', '/auth/token', { body })).status).toBe(429);
		await c.control('POST', '/config', { rateLimit: false });
		const free = await c.api('POST', '/auth/token', { body });
		expect(free.status).toBe(200);
		expect(free.headers.get('x-ratelimit-limit')).toBeNull();
	});
});

describe('faults', () => {
	it('answers injected statuses for matching requests only, count times', async () => {
		await c.control('POST', '/faults', { status: 503, count: 2, method: 'GET', path: '/bookings' });
		expect((await c.api('GET', '/courses', { token })).status).toBe(200);
		const statuses = [];
		for (let i = 0; i < 3; i++)
			statuses.push((await c.api('GET', '/bookings/1', { token })).status);
		expect(statuses).toEqual([503, 503, 200]);

		await c.control('POST', '/faults', { status: 429, count: 1, retryAfter: 7 });
		const limited = await c.api('GET', '/credits', { token });
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBe('7');

		await c.control('POST', '/faults', { status: 500, count: 5 });
		expect((await c.control('GET', '/faults')).body.faults).toHaveLength(1);
		expect((await c.control('DELETE', '/faults')).status).toBe(200);
		expect((await c.api('GET', '/credits', { token })).status).toBe(200);

		expect((await c.control('POST', '/faults', { count: 1 })).status).toBe(422);
	});

	it('adds latency', async () => {
		sandbox.addFault({ latencyMs: 300, count: 1, path: '/api/v1/courses' });
		const started = Date.now();
		expect((await c.api('GET', '/courses', { token })).status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(290);
		const quick = Date.now();
		await c.api('GET', '/courses', { token });
		expect(Date.now() - quick).toBeLessThan(250);
	});

	it('drops the connection without a response', async () => {
		sandbox.addFault({ drop: true, count: 1 });
		const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
			const req = http.get(
				`${sandbox.apiUrl}/courses`,
				{ headers: { authorization: `Bearer ${token}` }, agent: false },
				() => resolve(undefined),
			);
			req.on('error', resolve);
		});
		expect(error?.code).toBe('ECONNRESET');
		expect((await c.api('GET', '/courses', { token })).status).toBe(200);
		expect(sandbox.requests().entries.map((e) => e.status)).toEqual([0, 200]);
	});
});

describe('request log', () => {
	it('counts every /api/v1 request exactly, by route template, without secrets', async () => {
		const creds = {
			hb_client_id: sandbox.accounts[0].hbClientId,
			api_key: sandbox.accounts[0].apiKey,
		};
		const pair = (await c.api('POST', '/auth/token', { body: creds })).body;
		await c.api('GET', '/bookings', { token: pair.access_token });
		await c.api('GET', '/bookings/1', { token: pair.access_token });
		await c.api('GET', '/bookings/2', { token: pair.access_token });
		await c.api('POST', '/auth/refresh', { body: { refresh_token: pair.refresh_token } });
		await c.api('POST', '/auth/refresh', { body: { refresh_token: pair.refresh_token } });
		await c.api('GET', '/credits');
		await c.api('GET', '/no-such-route', { token });
		await c.control('GET', '/state');

		const log = (await c.control('GET', '/requests')).body;
		expect(log.total).toBe(8);
		expect(log.byEndpoint).toEqual({
			'POST /auth/token': 1,
			'GET /bookings': 1,
			'GET /bookings/{id}': 2,
			'POST /auth/refresh': 2,
			'GET /credits': 1,
			'GET /no-such-route': 1,
		});
		expect(log.tokenExchanges).toBe(1);
		expect(log.refreshes).toBe(2);
		expect(log.status429).toBe(0);
		const [exchange, list] = log.entries;
		expect(exchange).toMatchObject({
			method: 'POST',
			path: '/auth/token',
			status: 200,
			clientId: 'hb_demo_agency',
			tokenId: expect.stringMatching(/^t\d+$/),
		});
		expect(list).toMatchObject({
			method: 'GET',
			path: '/bookings',
			url: '/api/v1/bookings',
			status: 200,
			clientId: 'hb_demo_agency',
			tokenId: exchange.tokenId,
		});
		expect(log.entries.map((e: { status: number }) => e.status)).toEqual([
			200, 200, 200, 200, 200, 401, 401, 404,
		]);
		const serialized = JSON.stringify(log);
		for (const secret of [pair.access_token, pair.refresh_token, creds.api_key])
			expect(serialized).not.toContain(secret);

		await c.control('DELETE', '/requests');
		expect((await c.control('GET', '/requests')).body.total).toBe(0);
	});

	it('exposes accounts and state on the control surface', async () => {
		const accounts = (await c.control('GET', '/accounts')).body.accounts;
		expect(accounts.map((a: { hbClientId: string }) => a.hbClientId)).toEqual([
			'hb_demo_agency',
			'hb_demo_other',
		]);
		const state = (await c.control('GET', '/state')).body;
		expect(state.accounts[0]).toMatchObject({
			hbClientId: 'hb_demo_agency',
			balance: 480,
			bookings: 25,
			activeHold: null,
			webhooks: [],
			invoicePayments: true,
		});
		expect(state.accounts[1]).toMatchObject({ invoicePayments: false, balance: 20 });
		const reset = await c.control('POST', '/reset', { bookings: 40 });
		expect(reset.body.accounts[0].bookings).toBe(40);
		expect((await c.control('POST', '/config', { retryDelayMs: -1 })).status).toBe(422);
		expect((await c.control('GET', '/nothing')).status).toBe(404);
	});
});
