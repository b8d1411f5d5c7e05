/**
 * The list walk against the sandbox over HTTP: worked examples of each way a server may page, and a
 * property over random dialect combinations, list sizes and limits.
 */
import fc from 'fast-check';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { largestPageSizeIn } from '../../../../nodes/shared/transport/listWalk';
import { startSandbox } from '../../../../sandbox';
import type { DialectSwitch, Sandbox } from '../../../../sandbox';
import { CANNOT_COMPLETE, LIST_SWITCHES, listOutcome, testDialect } from '../../../harness/dialect';
import { N8nHarness, registerNodeType } from '../../../harness/n8n';
import { TransportProbe } from '../../../harness/transportProbe';

registerNodeType('transportProbe', new TransportProbe());

let sandbox: Sandbox;
let harness: N8nHarness;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, bookings: 120, rateLimit: false });
	const [account] = sandbox.accounts;
	harness = new N8nHarness({
		clientId: account.hbClientId,
		apiKey: account.apiKey,
		baseUrl: sandbox.apiUrl,
	});
});
afterAll(async () => await sandbox.stop());

async function listBookings(dialect: Iterable<DialectSwitch>, limit?: number) {
	sandbox.setDialect([...dialect]);
	sandbox.clearRequests();
	const parameters: INodeParameters = {
		endpoint: '/bookings',
		list: true,
		...(limit ? { limit } : {}),
	};
	const { items, error } = await harness.run({ parameters, nodeType: 'transportProbe' });
	// A reset drops tokens: the 401 before signing in again is not part of the walk.
	const requests = sandbox
		.requests()
		.entries.filter((e) => e.path === '/bookings' && e.status !== 401);
	return { ids: items.map((item) => (item.json as IDataObject).id), error, requests };
}

const firstIds = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('worked examples (120 bookings)', () => {
	beforeAll(() => sandbox.reset({ bookings: 120 }));

	it('a 50 cap: Return All takes ceil(120 / 50) = 3 calls, the later ones asking for 50', async () => {
		const { ids, requests } = await listBookings(['page-cap-50']);
		expect(ids).toEqual(firstIds(120));
		expect(requests.map((r) => new URL(r.url, 'http://x').searchParams.get('per_page'))).toEqual([
			'100',
			'50',
			'50',
		]);
	});

	it('a 50 cap: Limit 101 re-plans after the first page and takes 3 calls, not "100 + page 101 of 1"', async () => {
		const { ids, requests } = await listBookings(['page-cap-50'], 101);
		expect(ids).toEqual(firstIds(101));
		expect(requests).toHaveLength(3);
	});

	it('per_page above the cap refused with 422: retried at the page size the server names', async () => {
		const { ids, requests } = await listBookings(['per-page-over-cap-422', 'page-cap-20'], 45);
		expect(ids).toEqual(firstIds(45));
		expect(requests.map((r) => r.status)).toEqual([422, 200, 200, 200]);
	});

	it('a server that ignores page: an error that says so, after the first page, not a loop', async () => {
		const { error, requests } = await listBookings(['page-ignored']);
		expect(error?.message).toMatch(CANNOT_COMPLETE);
		expect(error?.description).toMatch(/100 item\(s\) were received/);
		expect(requests).toHaveLength(2);
	});

	it('a server that ignores page still answers a Limit the first page covers', async () => {
		const { ids, requests } = await listBookings(['page-ignored'], 60);
		expect(ids).toEqual(firstIds(60));
		expect(requests).toHaveLength(1);
	});

	it('a server that repeats its next link (no meta): an error that names it at the second page (200 of 250 read), not a loop or a duplicate', async () => {
		sandbox.reset({ bookings: 250 });
		const { ids, error, requests } = await listBookings(['next-link-repeats', 'list-links-only']);
		sandbox.reset({ bookings: 120 });
		expect(ids).toEqual([]);
		expect(error?.message).toMatch(
			/could not be read completely: the server sent the same next-page link twice/,
		);
		expect(error?.description).toMatch(/200 item\(s\) were received/);
		expect(requests).toHaveLength(2);
	});

	it('a server that repeats its next link still answers a list read in two pages, and meta keeps it whole', async () => {
		const twoPages = await listBookings(['next-link-repeats', 'list-links-only'], 110);
		expect(twoPages.ids).toEqual(firstIds(110));
		expect(twoPages.requests).toHaveLength(2);
		const withMeta = await listBookings(['next-link-repeats']);
		expect(withMeta.ids).toEqual(firstIds(120));
		expect(withMeta.requests).toHaveLength(2);
	});

	it('a 422 on per_page that names no size is a clear error', () => {
		expect(
			largestPageSizeIn({
				message: 'The per page field must not be greater than 50.',
				errors: { per_page: ['The per page field must not be greater than 50.'] },
			}),
		).toBe(50);
		expect(largestPageSizeIn({ message: 'The per page is invalid.' })).toBeUndefined();
		expect(
			largestPageSizeIn({
				message: 'The course id field is required.',
				errors: { course_id: ['required'] },
			}),
		).toBe(false);
	});
});

describe('property: any list dialect, any size, any limit', () => {
	it('gives exactly the first N items in order, or an error naming the cause', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.subarray(LIST_SWITCHES),
				fc.integer({ min: 0, max: 260 }),
				fc.option(fc.integer({ min: 1, max: 300 }), { nil: undefined }),
				async (switches, size, limit) => {
					sandbox.reset({ bookings: size });
					const dialect = new Set<DialectSwitch>([...testDialect, ...switches]);
					const expected = listOutcome(dialect, size, limit);
					const { ids, error, requests } = await listBookings(dialect, limit);
					if (!expected.ok || (expected.mayFail && error)) {
						expect(error?.message).toMatch(CANNOT_COMPLETE);
						return;
					}
					expect(error?.message).toBeUndefined();
					expect(ids).toEqual(firstIds(Math.min(size, limit ?? size)));
					if (expected.exact) expect(requests).toHaveLength(expected.calls);
					else expect(requests.length).toBeLessThanOrEqual(expected.calls);
				},
			),
			{ numRuns: 60 },
		);
	}, 120_000);
});
