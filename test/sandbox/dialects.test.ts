/** The sandbox's dialects: each switch answers one open question of the docs the other way. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
	DIALECT_ENV,
	DIALECT_SWITCHES,
	dialectFromEnv,
	parseDialect,
	startSandbox,
} from '../../sandbox';
import type { Sandbox } from '../../sandbox';
import { client } from './helpers';
import type { Client } from './helpers';

let sandbox: Sandbox;
let c: Client;
let token: string;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, dialect: 'default', bookings: 120, rateLimit: false });
	c = client(sandbox);
});
afterAll(async () => await sandbox.stop());

async function as(dialect: string) {
	sandbox.setDialect(dialect);
	token = await c.token(0);
}

const bookings = async (query: string) => await c.api('GET', `/bookings${query}`, { token });

describe('choosing a dialect', () => {
	it('parses combined switches, ignores "default" and names the known ones on a typo', () => {
		expect([...parseDialect('page-cap-50, page-ignored')]).toEqual(['page-cap-50', 'page-ignored']);
		expect(parseDialect('default').size).toBe(0);
		expect(parseDialect([]).size).toBe(0);
		expect(() => parseDialect('page-cap-55')).toThrow(
			/Unknown sandbox dialect switch "page-cap-55"\. Known: page-cap-20/,
		);
	});

	it('reads the environment variable when a test does not choose', async () => {
		expect([...dialectFromEnv({ [DIALECT_ENV]: 'list-meta-only' })]).toEqual(['list-meta-only']);
		const saved = process.env[DIALECT_ENV];
		process.env[DIALECT_ENV] = 'page-cap-20';
		try {
			const fromEnv = await startSandbox({ port: 0 });
			const pinned = await startSandbox({ port: 0, dialect: 'default' });
			expect([...fromEnv.dialect]).toEqual(['page-cap-20']);
			expect(pinned.dialect.size).toBe(0);
			await Promise.all([fromEnv.stop(), pinned.stop()]);
		} finally {
			if (saved === undefined) delete process.env[DIALECT_ENV];
			else process.env[DIALECT_ENV] = saved;
		}
	});

	it(".ci/run's dialect sets are valid and together hold every switch (the fast suite runs under each)", () => {
		const ci = readFileSync(join(__dirname, '../../.ci/run'), 'utf8');
		const block = /^DIALECT_SETS=\(\n([\s\S]*?)\n\)/m.exec(ci)?.[1] ?? '';
		const sets = block.split('\n').map((line) => parseDialect(line.trim()));
		expect(sets.length).toBeGreaterThan(0);
		const covered = new Set(sets.flatMap((set) => [...set]));
		expect([...covered].sort()).toEqual(Object.keys(DIALECT_SWITCHES).sort());
	});

	it('describes every switch', () => {
		for (const [name, description] of Object.entries(DIALECT_SWITCHES)) {
			expect(name).toMatch(/^[a-z0-9-]+$/);
			expect(description.length).toBeGreaterThan(20);
		}
	});
});

describe('list dialects', () => {
	it.each([
		['page-cap-20', 20],
		['page-cap-50', 50],
		['page-cap-100', 100],
		['page-cap-50,page-cap-20', 20],
	])('%s clamps per_page to %i and says so in meta.per_page', async (dialect, cap) => {
		await as(dialect);
		const page = await bookings('?per_page=100&page=2');
		expect(page.body.meta).toMatchObject({ per_page: cap, current_page: 2 });
		expect(page.body.data.map((b: { id: number }) => b.id)[0]).toBe(cap + 1);
	});

	it('per-page-ignored always serves 20', async () => {
		await as('per-page-ignored');
		for (const perPage of [1, 50, 100]) {
			const page = await bookings(`?per_page=${perPage}`);
			expect(page.body.data).toHaveLength(20);
			expect(page.body.meta.per_page).toBe(20);
		}
	});

	it('per-page-over-cap-422 refuses a page above the cap and names the cap', async () => {
		await as('per-page-over-cap-422,page-cap-50');
		const refused = await bookings('?per_page=51');
		expect(refused.status).toBe(422);
		expect(refused.body.errors.per_page[0]).toMatch(/greater than 50/);
		expect((await bookings('?per_page=50')).body.data).toHaveLength(50);
	});

	it('page-ignored serves the first page and keeps sending links.next', async () => {
		await as('page-ignored');
		const page = await bookings('?per_page=100&page=7');
		expect(page.body.data[0].id).toBe(1);
		expect(page.body.meta.current_page).toBe(1);
		expect(page.body.links.next).toMatch(/page=8/);
	});

	it('list-links-only and list-meta-only leave out one part of the envelope', async () => {
		await as('list-links-only');
		const linksOnly = await bookings('?per_page=100');
		expect(Object.keys(linksOnly.body).sort()).toEqual(['data', 'links']);
		await as('list-meta-only');
		const metaOnly = await bookings('?per_page=100');
		expect(Object.keys(metaOnly.body).sort()).toEqual(['data', 'meta']);
	});
});

describe('envelope dialects', () => {
	it('single-bare answers single resources without the data wrapper', async () => {
		await as('single-bare');
		const booking = await c.api('GET', '/bookings/1', { token });
		expect(booking.body).toMatchObject({ id: 1, reference: 'BLS-000001' });
		expect(booking.body.data).toBeUndefined();
		const created = await c.api('POST', '/webhooks', {
			token,
			body: { url: 'https://example.com/h', events: ['webhook.test'] },
		});
		expect(created.body).toMatchObject({
			id: expect.any(Number),
			url: 'https://example.com/h',
			secret: expect.stringMatching(/^whsec_/),
			message: expect.any(String),
		});
		// Lists keep their envelope.
		expect(Array.isArray((await bookings('')).body.data)).toBe(true);
	});

	it('single-under-data wraps GET /credits too', async () => {
		await as('single-under-data');
		const credits = await c.api('GET', '/credits', { token });
		expect(credits.body.data.booking_credits).toEqual(expect.any(Array));
		const revoked = await c.api('POST', '/auth/revoke', { token });
		expect(revoked.body).toEqual({ message: expect.any(String) });
	});

	it('token-under-data and token-no-expires-in reshape the token answer', async () => {
		sandbox.setDialect('token-under-data,token-no-expires-in');
		const { hbClientId, apiKey } = sandbox.accounts[0];
		const issued = await c.api('POST', '/auth/token', {
			body: { hb_client_id: hbClientId, api_key: apiKey },
		});
		expect(Object.keys(issued.body)).toEqual(['data']);
		expect(issued.body.data).toMatchObject({
			access_token: expect.any(String),
			expires_at: expect.any(String),
		});
		expect(issued.body.data.expires_in).toBeUndefined();
		expect(issued.body.data.refresh_expires_in).toBeUndefined();
		const refreshed = await c.api('POST', '/auth/refresh', {
			body: { refresh_token: issued.body.data.refresh_token },
		});
		expect(refreshed.body.data.access_token).toEqual(expect.any(String));
	});
});

describe('rate limit dialects', () => {
	afterEach(() => sandbox.configure({ rateLimit: false }));

	it('429-no-retry-after leaves the header out', async () => {
		await as('429-no-retry-after');
		sandbox.configure({ rateLimit: { max: 1, windowMs: 60_000 } });
		await bookings('');
		const limited = await bookings('');
		expect(limited.status).toBe(429);
		expect(limited.headers.get('retry-after')).toBeNull();
	});

	it('429-http-date gives the moment the window reopens, never earlier', async () => {
		await as('429-http-date');
		sandbox.configure({ rateLimit: { max: 1, windowMs: 60_000 } });
		const before = Date.now();
		await bookings('');
		const limited = await bookings('');
		expect(limited.status).toBe(429);
		const at = Date.parse(limited.headers.get('retry-after') ?? '');
		expect(limited.headers.get('retry-after')).toMatch(/GMT$/);
		expect(at).toBeGreaterThanOrEqual(before + 59_000);
	});
});
