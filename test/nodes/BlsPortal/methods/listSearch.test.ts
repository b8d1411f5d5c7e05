import type { ILoadOptionsFunctions } from 'n8n-workflow';

import { searchBookings } from '../../../../nodes/BlsPortal/methods/listSearch';
import { pageCap } from '../../../../sandbox';
import { testDialect } from '../../../harness/dialect';
import { useSandboxedNode } from '../sandboxedNode';

const BOOKINGS = 120;
const node = useSandboxedNode({ bookings: BOOKINGS });

const search = async (filter?: string, paginationToken?: string) =>
	await searchBookings.call(
		node.harness.loadOptionsContext({
			resource: 'booking',
			operation: 'get',
		}) as unknown as ILoadOptionsFunctions,
		filter,
		paginationToken,
	);

describe('listSearch.searchBookings', () => {
	it('pages through every booking with the pagination token, without duplicates', async () => {
		const values: unknown[] = [];
		let token: string | undefined;
		let pages = 0;
		if (testDialect.has('page-ignored')) {
			// The second page repeats the first: the picker says so instead of showing them twice.
			const first = await search();
			await expect(search(undefined, first.paginationToken as string)).rejects.toThrow(
				/already shown: the server seems to ignore the page parameter/,
			);
			return;
		}
		do {
			const page = await search(undefined, token);
			values.push(...page.results.map((r) => r.value));
			token = page.paginationToken as string | undefined;
			pages++;
		} while (token);
		// Pages of 50, or of the server's own size when it pages by fewer.
		const size = testDialect.has('per-page-ignored') ? 20 : Math.min(50, pageCap(testDialect));
		expect(pages).toBe(Math.ceil(BOOKINGS / size));
		expect(values).toHaveLength(BOOKINGS);
		expect(new Set(values).size).toBe(BOOKINGS);
	});

	it('searches by reference and names each result so it can be recognised', async () => {
		const { results, paginationToken } = await search('BLS-000012');
		expect(results).toHaveLength(1);
		expect(results[0].value).toBe('12');
		expect(results[0].name).toMatch(
			/^BLS-000012 · \S+ \S+ · .+ · \d{4}-\d{2}-\d{2} \d{2}:\d{2} · (booked|pending|cancelled)$/,
		);
		// A server that ignores `search` lists every booking: the picker keeps only the match, page
		// by page, and offers the next page of the server's list.
		if (!node.sandbox.dialect.has('filters-ignored')) expect(paginationToken).toBeUndefined();
	});

	it('searches by candidate name', async () => {
		const [booking] = await node.output({
			resource: 'booking',
			operation: 'get',
			bookingId: '={{ 1 }}',
		});
		const lastName = String(booking.json.last_name);
		const { results } = await search(lastName.toLowerCase());
		expect(results.map((r) => r.value)).toContain('1');
		for (const result of results) expect(result.name).toContain(lastName);
	});
});
