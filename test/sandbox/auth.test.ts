/** Token exchange, expiry, single-use refresh rotation and revocation. */
import { startSandbox } from '../../sandbox';
import type { Sandbox } from '../../sandbox';
import { client, sleep } from './helpers';
import type { Client } from './helpers';

let sandbox: Sandbox;
let c: Client;

beforeAll(async () => {
	sandbox = await startSandbox({
		port: 0,
		dialect: 'default',
		rateLimit: false,
		accessTokenTtlSeconds: 1,
		refreshTokenTtlSeconds: 2,
	});
	c = client(sandbox);
});
afterAll(async () => await sandbox.stop());
beforeEach(() => sandbox.reset());

const credentials = (account = 0) => ({
	hb_client_id: sandbox.accounts[account].hbClientId,
	api_key: sandbox.accounts[account].apiKey,
});

describe('auth', () => {
	it('exposes the readable demo credentials', () => {
		expect(sandbox.accounts[0]).toEqual({
			hbClientId: 'hb_demo_agency',
			apiKey: 'sandbox-key-demo-agency-1',
			name: expect.any(String),
		});
		expect(sandbox.accounts).toHaveLength(2);
	});

	it('exchanges credentials for a token pair in the documented shape', async () => {
		const response = await c.api('POST', '/auth/token', { body: credentials() });
		expect(response.status).toBe(200);
		expect(response.body).toEqual({
			access_token: expect.any(String),
			refresh_token: expect.any(String),
			token_type: 'Bearer',
			expires_in: 1,
			refresh_expires_in: 2,
			expires_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
			refresh_expires_at: expect.any(String),
		});
		const info = await c.api('GET', '/auth/token-info', { token: response.body.access_token });
		expect(info.body.data).toMatchObject({
			hb_client_id: 'hb_demo_agency',
			client_name: sandbox.accounts[0].name,
			token_type: 'Bearer',
		});
		expect(info.body.data.expires_in).toBeLessThanOrEqual(1);
	});

	it('answers 401 for wrong credentials and 422 for missing fields', async () => {
		const wrong = await c.api('POST', '/auth/token', {
			body: { hb_client_id: 'hb_demo_agency', api_key: 'nope' },
		});
		expect(wrong.status).toBe(401);
		expect(wrong.body).toEqual({ message: 'Invalid client credentials' });
		const crossed = await c.api('POST', '/auth/token', {
			body: { hb_client_id: 'hb_demo_other', api_key: sandbox.accounts[0].apiKey },
		});
		expect(crossed.status).toBe(401);
		const missing = await c.api('POST', '/auth/token', { body: {} });
		expect(missing.status).toBe(422);
		expect(Object.keys(missing.body.errors).sort()).toEqual(['api_key', 'hb_client_id']);
	});

	it('answers 401 Unauthenticated without, or with an unknown, bearer token', async () => {
		for (const token of [undefined, 'not-a-token']) {
			const response = await c.api('GET', '/bookings', { token });
			expect(response.status).toBe(401);
			expect(response.body).toEqual({ message: 'Unauthenticated.' });
		}
	});

	it('expires access tokens after their lifetime; refresh rotates and the used refresh token dies', async () => {
		const pair = (await c.api('POST', '/auth/token', { body: credentials() })).body;
		expect((await c.api('GET', '/credits', { token: pair.access_token })).status).toBe(200);
		await sleep(1100);
		expect((await c.api('GET', '/credits', { token: pair.access_token })).status).toBe(401);

		const rotated = await c.api('POST', '/auth/refresh', {
			body: { refresh_token: pair.refresh_token },
		});
		expect(rotated.status).toBe(200);
		expect(rotated.body.access_token).not.toBe(pair.access_token);
		expect(rotated.body.refresh_token).not.toBe(pair.refresh_token);
		expect((await c.api('GET', '/credits', { token: rotated.body.access_token })).status).toBe(200);

		const reused = await c.api('POST', '/auth/refresh', {
			body: { refresh_token: pair.refresh_token },
		});
		expect(reused.status).toBe(401);
		expect((await c.api('POST', '/auth/refresh', { body: {} })).status).toBe(422);

		// The refresh token itself expires too.
		await sleep(2100);
		expect(
			(
				await c.api('POST', '/auth/refresh', {
					body: { refresh_token: rotated.body.refresh_token },
				})
			).status,
		).toBe(401);
	});

	it('keeps the previous access token valid until its own expiry after a refresh', async () => {
		sandbox.configure({ accessTokenTtlSeconds: 3600, refreshTokenTtlSeconds: 7200 });
		try {
			const pair = (await c.api('POST', '/auth/token', { body: credentials() })).body;
			await c.api('POST', '/auth/refresh', { body: { refresh_token: pair.refresh_token } });
			expect((await c.api('GET', '/credits', { token: pair.access_token })).status).toBe(200);
		} finally {
			sandbox.configure({ accessTokenTtlSeconds: 1, refreshTokenTtlSeconds: 2 });
		}
	});

	it('revokes the presenting access token and its refresh token', async () => {
		sandbox.configure({ accessTokenTtlSeconds: 3600 });
		try {
			const pair = (await c.api('POST', '/auth/token', { body: credentials() })).body;
			const revoked = await c.api('POST', '/auth/revoke', { token: pair.access_token });
			expect(revoked.status).toBe(200);
			expect(revoked.body.message).toEqual(expect.any(String));
			expect((await c.api('GET', '/credits', { token: pair.access_token })).status).toBe(401);
			expect(
				(await c.api('POST', '/auth/refresh', { body: { refresh_token: pair.refresh_token } }))
					.status,
			).toBe(401);
		} finally {
			sandbox.configure({ accessTokenTtlSeconds: 1 });
		}
	});

	it('expires and revokes tokens from the control surface, per account or all', async () => {
		sandbox.configure({ accessTokenTtlSeconds: 3600, refreshTokenTtlSeconds: 7200 });
		try {
			const mine = (await c.api('POST', '/auth/token', { body: credentials(0) })).body;
			const other = (await c.api('POST', '/auth/token', { body: credentials(1) })).body;

			const expired = await c.control('POST', '/tokens/expire', {
				access: true,
				hbClientId: 'hb_demo_agency',
			});
			expect(expired.body).toEqual({ ok: true, expired: 1 });
			expect((await c.api('GET', '/credits', { token: mine.access_token })).status).toBe(401);
			expect((await c.api('GET', '/credits', { token: other.access_token })).status).toBe(200);
			const refreshed = await c.api('POST', '/auth/refresh', {
				body: { refresh_token: mine.refresh_token },
			});
			expect(refreshed.status).toBe(200);

			await c.control('POST', '/tokens/expire', { refresh: true });
			expect(
				(
					await c.api('POST', '/auth/refresh', {
						body: { refresh_token: refreshed.body.refresh_token },
					})
				).status,
			).toBe(401);
			expect((await c.api('GET', '/credits', { token: refreshed.body.access_token })).status).toBe(
				200,
			);

			const revoked = await c.control('POST', '/tokens/revoke-all');
			expect(revoked.status).toBe(200);
			expect((await c.api('GET', '/credits', { token: refreshed.body.access_token })).status).toBe(
				401,
			);
			expect((await c.api('GET', '/credits', { token: other.access_token })).status).toBe(401);
			expect((await c.control('POST', '/tokens/revoke-all', { hbClientId: 'nobody' })).status).toBe(
				404,
			);
		} finally {
			sandbox.configure({ accessTokenTtlSeconds: 1, refreshTokenTtlSeconds: 2 });
		}
	});
});
