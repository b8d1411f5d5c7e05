import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { forgetPacers, pacerFor } from '../../../../credentials/requestPacer';
import { pagesForLimit } from '../../../../nodes/shared/transport';
import { startSandbox } from '../../../../sandbox';
import {
	CANNOT_COMPLETE,
	dialectWithout,
	fewestCalls,
	listOutcome,
	testDialect,
} from '../../../harness/dialect';
import { N8nHarness, registerNodeType } from '../../../harness/n8n';
import { clearRequestLog, control, requestLog } from '../../../harness/sandboxControl';
import { TransportProbe } from '../../../harness/transportProbe';

registerNodeType('transportProbe', new TransportProbe());

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

const BOOKINGS = 1000;
let sandbox: Sandbox;
let harness: N8nHarness;

const probe = async (parameters: INodeParameters, h = harness) =>
	await h.run({ parameters, nodeType: 'transportProbe' });

const listBookings = async (limit?: number) =>
	await probe({ endpoint: '/bookings', list: true, ...(limit ? { limit } : {}) });

const ids = (items: Array<{ json: IDataObject }>) => items.map((item) => item.json.id);

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, bookings: BOOKINGS, rateLimit: false });
});
afterAll(async () => await sandbox.stop());

beforeEach(async () => {
	sandbox.setDialect([...testDialect]);
	await control(sandbox.origin, 'DELETE', '/faults');
	await control(sandbox.origin, 'POST', '/config', {
		rateLimit: false,
		accessTokenTtlSeconds: 3600,
		refreshTokenTtlSeconds: 604800,
	});
	await clearRequestLog(sandbox.origin);
	const [account] = sandbox.accounts;
	harness = new N8nHarness({
		clientId: account.hbClientId,
		apiKey: account.apiKey,
		baseUrl: sandbox.apiUrl,
	});
});

describe('token lifecycle', () => {
	it('exchanges the API key once and reuses the token across executions', async () => {
		for (let run = 0; run < 5; run++) {
			const { error } = await probe({ endpoint: '/credits' });
			expect(error).toBeUndefined();
		}
		const log = await requestLog(sandbox.origin);
		expect(log.tokenExchanges).toBe(1);
		expect(log.byEndpoint['GET /credits']).toBe(5);
		expect(harness.credentials.stored(harness.credentialId).accessToken).toMatch(/.+/);
	});

	it('refreshes an expired access token with the refresh token', async () => {
		await probe({ endpoint: '/credits' });
		await control(sandbox.origin, 'POST', '/tokens/expire', { access: true });
		const { error } = await probe({ endpoint: '/credits' });
		expect(error).toBeUndefined();
		const log = await requestLog(sandbox.origin);
		expect(log.tokenExchanges).toBe(1);
		expect(log.refreshes).toBe(1);
		// The rotated pair is stored with the credential and serves the next execution.
		await probe({ endpoint: '/credits' });
		expect((await requestLog(sandbox.origin)).refreshes).toBe(1);
	});

	it("without expires_in, a token that lives shorter than the docs' hour is renewed on the API's 401", async () => {
		sandbox.setDialect([...testDialect, 'token-no-expires-in']);
		await control(sandbox.origin, 'POST', '/config', { accessTokenTtlSeconds: 1 });
		expect((await probe({ endpoint: '/credits' })).error).toBeUndefined();
		// Kept as the server's expires_at, not the docs' hour.
		const stored = harness.credentials.stored(harness.credentialId);
		expect(Date.parse(String(stored.sessionExpiresAt)) - Date.now()).toBeLessThan(60_000);
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		const { error } = await probe({ endpoint: '/credits' });
		expect(error).toBeUndefined();
		const log = await requestLog(sandbox.origin);
		expect(log.byEndpoint['GET /credits']).toBe(3); // the second one refused 401, then sent again
		expect(log.tokenExchanges + log.refreshes).toBe(2);
	});

	it('falls back to a new exchange when the refresh token is dead too', async () => {
		await probe({ endpoint: '/credits' });
		await control(sandbox.origin, 'POST', '/tokens/expire', { access: true, refresh: true });
		const { error } = await probe({ endpoint: '/credits' });
		expect(error).toBeUndefined();
		const log = await requestLog(sandbox.origin);
		expect(log.refreshes).toBe(1);
		expect(log.tokenExchanges).toBe(2);
	});

	it('says the credentials were rejected, once, without a retry loop', async () => {
		const wrong = new N8nHarness({
			clientId: sandbox.accounts[0].hbClientId,
			apiKey: 'not-the-key',
			baseUrl: sandbox.apiUrl,
		});
		const { error } = await probe({ endpoint: '/credits' }, wrong);
		expect(error?.message).toMatch(/rejected the Client ID or API Key/);
		const log = await requestLog(sandbox.origin);
		// One sign-in, refused: the node neither retries it nor calls the API without a token.
		expect(log.byEndpoint['POST /auth/token']).toBe(1);
		expect(log.byStatus['401']).toBe(1);
		expect(log.byEndpoint['POST /auth/refresh'] ?? 0).toBe(0);
		expect(log.byEndpoint['GET /credits'] ?? 0).toBe(0);
		expect(JSON.stringify(error)).not.toContain('not-the-key');
	});

	it('sends no token of the old account after the credential was switched to another one', async () => {
		await probe({ endpoint: '/credits' });
		const stored = harness.credentials.stored(harness.credentialId);
		const [, other] = sandbox.accounts;
		// The access token is still live: n8n keeps the hidden fields when the credential is edited.
		harness.credentials.save(harness.credentialId, {
			...stored,
			clientId: other.hbClientId,
			apiKey: other.apiKey,
		});
		const { items, error } = await probe({ endpoint: '/auth/token-info' });
		expect(error).toBeUndefined();
		expect(JSON.stringify(items[0].json)).toContain(other.hbClientId);
		expect(JSON.stringify(items[0].json)).not.toContain(sandbox.accounts[0].hbClientId);
	});

	it('does not reuse a refresh token after the credential was switched to another account', async () => {
		await probe({ endpoint: '/credits' });
		const stored = harness.credentials.stored(harness.credentialId);
		const [, other] = sandbox.accounts;
		harness.credentials.save(harness.credentialId, {
			...stored,
			clientId: other.hbClientId,
			apiKey: other.apiKey,
		});
		await control(sandbox.origin, 'POST', '/tokens/expire', { access: true });
		const { items } = await probe({ endpoint: '/auth/token-info' });
		expect(JSON.stringify(items[0].json)).toContain(other.hbClientId);
	});
});

describe('lists', () => {
	it('returns every item once with the fewest pages the server allows, or says why it cannot', async () => {
		const expected = listOutcome(testDialect, BOOKINGS);
		const { items, error } = await listBookings();
		const log = await requestLog(sandbox.origin);
		if (!expected.ok) {
			expect(error?.message).toMatch(CANNOT_COMPLETE);
			return;
		}
		expect(error).toBeUndefined();
		expect(ids(items)).toEqual(Array.from({ length: BOOKINGS }, (_, i) => i + 1));
		expect(log.byEndpoint['GET /bookings']).toBe(expected.calls);
	});

	it.each([1, 25, 100, 101, 250, 137])(
		'Limit %i returns exactly the first that many in the fewest pages',
		async (limit) => {
			const expected = listOutcome(testDialect, BOOKINGS, limit);
			const { items, error } = await listBookings(limit);
			if (!expected.ok) {
				expect(error?.message).toMatch(CANNOT_COMPLETE);
				return;
			}
			expect(error).toBeUndefined();
			expect(ids(items)).toEqual(Array.from({ length: limit }, (_, i) => i + 1));
			const log = await requestLog(sandbox.origin);
			expect(log.byEndpoint['GET /bookings']).toBe(expected.calls);
		},
	);

	it.each([
		[1, 1],
		[25, 1],
		[100, 1],
		[101, 2],
		[250, 3],
		[137, 2],
	])('in the default dialect Limit %i takes %i page(s)', (limit, pages) => {
		expect(listOutcome(new Set(), BOOKINGS, limit)).toEqual({
			ok: true,
			calls: pages,
			exact: true,
		});
		expect(pagesForLimit(limit)).toHaveLength(pages);
	});

	it.each([
		[1, 0],
		[25, 0],
		[100, 0],
		[101, 0],
		[250, 0],
		[137, 1],
		[999, 1],
	])('Limit %i over-fetches %i item(s) with the fewest pages', (limit, overFetch) => {
		const plan = pagesForLimit(limit);
		expect(plan).toHaveLength(Math.ceil(limit / 100));
		expect(plan.every(({ perPage }) => perPage <= 100)).toBe(true);
		// The pages cover positions 1…limit without a gap.
		const ranges = plan.map(({ page, perPage }) => [(page - 1) * perPage, page * perPage]);
		ranges.forEach(([from], i) => expect(from).toBe(i === 0 ? 0 : ranges[i - 1][1]));
		expect(ranges[ranges.length - 1][1] - limit).toBe(overFetch);
	});

	it('rides out 429s and transient 5xx without losing or repeating items', async () => {
		// About retries, not paging: a server that ignores `page` could not list 1000 items at all.
		sandbox.setDialect(dialectWithout(testDialect, 'page-ignored'));
		await control(sandbox.origin, 'POST', '/faults', {
			status: 429,
			count: 2,
			retryAfter: 1,
			path: '/bookings',
		});
		await control(sandbox.origin, 'POST', '/faults', { status: 503, count: 1, path: '/bookings' });
		await control(sandbox.origin, 'POST', '/faults', { status: 502, count: 1, path: '/bookings' });
		await control(sandbox.origin, 'POST', '/faults', { drop: true, count: 1, path: '/bookings' });
		const { items, error } = await listBookings();
		expect(error).toBeUndefined();
		expect(items).toHaveLength(BOOKINGS);
		expect(new Set(ids(items)).size).toBe(BOOKINGS);
	});

	it('recovers when the token is revoked in the middle of a Return All', async () => {
		sandbox.setDialect(dialectWithout(testDialect, 'page-ignored'));
		// Two pages go through untouched, the third is held back while every token is revoked.
		await control(sandbox.origin, 'POST', '/faults', { latencyMs: 0, count: 2, path: '/bookings' });
		await control(sandbox.origin, 'POST', '/faults', {
			latencyMs: 1500,
			count: 1,
			path: '/bookings',
		});
		const running = listBookings();
		for (let i = 0; i < 200; i++) {
			const log = await requestLog(sandbox.origin);
			if ((log.byEndpoint['GET /bookings'] ?? 0) >= 2) break;
			await new Promise((resolve) => setTimeout(resolve, 10));
		}
		await control(sandbox.origin, 'POST', '/tokens/revoke-all');
		const { items, error } = await running;
		expect(error).toBeUndefined();
		expect(items).toHaveLength(BOOKINGS);
		expect(new Set(ids(items)).size).toBe(BOOKINGS);
		const log = await requestLog(sandbox.origin);
		expect(log.entries.some((e) => e.path === '/bookings' && e.status === 401)).toBe(true);
		expect(log.tokenExchanges).toBe(2);
	});
});

describe('retries', () => {
	it('never retries a POST after a server error', async () => {
		await probe({ endpoint: '/credits' });
		await clearRequestLog(sandbox.origin);
		await control(sandbox.origin, 'POST', '/faults', {
			status: 500,
			count: 3,
			method: 'POST',
			path: '/timeslots/hold',
		});
		const { error } = await probe({
			endpoint: '/timeslots/hold',
			method: 'POST',
			body: { course_id: 1, date: '2030-01-01', time: '10:00' },
		});
		expect(error?.message).toMatch(/server error \(500\)/);
		expect(error?.description).toMatch(/not retried/);
		expect((await requestLog(sandbox.origin)).byEndpoint['POST /timeslots/hold']).toBe(1);
	});

	it('gives up on a rate limit that does not clear, with a clear error', async () => {
		// A Retry-After far away ends the wait at once; without one the node waits out a full minute
		// first (test/resilience/rateLimitWindow.test.ts).
		sandbox.setDialect(dialectWithout(testDialect, '429-no-retry-after'));
		await probe({ endpoint: '/credits' });
		await control(sandbox.origin, 'POST', '/faults', {
			status: 429,
			count: 50,
			retryAfter: 600,
			path: '/credits',
		});
		const { error } = await probe({ endpoint: '/credits' });
		expect(error?.message).toMatch(/rate limit/);
	});

	it('turns a 404 into a message that names what was missing', async () => {
		const { error } = await probe({ endpoint: '/bookings/99999999' });
		expect(error?.message).toMatch(/not found in this BLS account/);
	});
});

describe('rate limit', () => {
	it('finishes a job bigger than the quota by waiting for the window', async () => {
		sandbox.setDialect(dialectWithout(testDialect, 'page-ignored'));
		await probe({ endpoint: '/credits' });
		await control(sandbox.origin, 'POST', '/config', { rateLimit: { max: 4, windowMs: 1000 } });
		const { items, error } = await listBookings();
		expect(error).toBeUndefined();
		expect(items).toHaveLength(BOOKINGS);
		expect((await requestLog(sandbox.origin)).status429).toBeGreaterThan(0);
	}, 180_000);
});

describe('request pacer (the credential’s Requests per Minute)', () => {
	it('parallel executions sharing one host draw no 429 and lose no item, sign-in included', async () => {
		sandbox.setDialect(dialectWithout(testDialect, 'page-ignored'));
		// 12 requests per 1.5 s window. Eight executions, each signing in for itself (8 token calls), four
		// Return Alls of 1,000 bookings (10 pages each) and four single calls: 52 requests, five windows.
		await control(sandbox.origin, 'POST', '/config', { rateLimit: { max: 12, windowMs: 1500 } });
		const [account] = sandbox.accounts;
		const paced = () =>
			new N8nHarness({
				clientId: account.hbClientId,
				apiKey: account.apiKey,
				baseUrl: sandbox.apiUrl,
				requestsPerMinute: 12,
				rateWindowSeconds: 1.5,
			});
		const runs = await Promise.all([
			...Array.from({ length: 4 }, () => probe({ endpoint: '/bookings', list: true }, paced())),
			...Array.from({ length: 4 }, () => probe({ endpoint: '/credits' }, paced())),
		]);
		for (const run of runs.slice(0, 4)) {
			expect(run.error).toBeUndefined();
			expect(new Set(ids(run.items))).toEqual(
				new Set(Array.from({ length: BOOKINGS }, (_, i) => i + 1)),
			);
		}
		for (const run of runs.slice(4)) expect(run.error).toBeUndefined();
		const log = await requestLog(sandbox.origin);
		expect(log.status429).toBe(0);
		expect(log.byEndpoint['GET /bookings']).toBe(
			4 * fewestCalls(BOOKINGS, undefined, new Set(dialectWithout(testDialect, 'page-ignored'))),
		);
		expect(log.tokenExchanges).toBe(8);
	});
});

describe('request pacer and a cancelled execution', () => {
	it('a cancelled execution leaves the queue at once and its request is never sent', async () => {
		await control(sandbox.origin, 'POST', '/config', { rateLimit: { max: 60, windowMs: 60_000 } });
		// A fresh pacer: the requests of the test before still count in its window.
		forgetPacers();
		const [account] = sandbox.accounts;
		// Three requests a minute: the first run's sign-in and call take them all, the second run has to wait.
		const threeAMinute = new N8nHarness({
			clientId: account.hbClientId,
			apiKey: account.apiKey,
			baseUrl: sandbox.apiUrl,
			requestsPerMinute: 3,
		});
		expect((await probe({ endpoint: '/credits' }, threeAMinute)).error).toBeUndefined();
		await clearRequestLog(sandbox.origin);

		const pacer = pacerFor(new URL(sandbox.apiUrl).origin, { budget: 3, windowMs: 60_000 });
		const { error } = await threeAMinute.run({
			parameters: { endpoint: '/credits' },
			nodeType: 'transportProbe',
			// Stop the execution once its request waits in the pacer's queue.
			whenStarted: (cancel) => {
				const stopWhenQueued = async () => {
					while (pacer.waiting === 0) await new Promise((resolve) => setTimeout(resolve, 20));
					cancel();
				};
				void stopWhenQueued();
			},
		});
		expect(error?.message).toMatch(/cancelled/i);
		expect(pacer.waiting).toBe(0);
		expect(pacer.stats.cancelled).toBe(1);
		expect((await requestLog(sandbox.origin)).total).toBe(0);
	});
});
