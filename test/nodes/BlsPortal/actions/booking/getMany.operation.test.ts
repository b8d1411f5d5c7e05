import type { INodeParameters } from 'n8n-workflow';

import { CANNOT_COMPLETE, fewestCalls, listReadable } from '../../../../harness/dialect';
import { DEMO, PRACTICAL, idsOf, useSandboxedNode } from '../../sandboxedNode';

const BOOKINGS = 230;
const node = useSandboxedNode({ bookings: BOOKINGS });

const getMany = (changes: INodeParameters): INodeParameters => ({
	resource: 'booking',
	operation: 'getMany',
	...changes,
});
const all = async (filters: INodeParameters) =>
	await node.output(getMany({ returnAll: true, filters }));

describe('Booking → Get Many', () => {
	it('returns every booking of the account on Return All, across pages, without duplicates', async () => {
		if (!listReadable(BOOKINGS)) {
			expect((await node.run(getMany({ returnAll: true }))).error?.message).toMatch(
				CANNOT_COMPLETE,
			);
			return;
		}
		const bookings = await node.output(getMany({ returnAll: true }));
		expect(bookings).toHaveLength(node.account(DEMO).bookings);
		expect(new Set(idsOf(bookings)).size).toBe(BOOKINGS);
		expect(node.requestsTo('GET /bookings')).toBe(fewestCalls(BOOKINGS));
	});

	it('stops at the Limit, in ID order', async () => {
		if (!listReadable(BOOKINGS, 150)) {
			expect((await node.run(getMany({ limit: 150 }))).error?.message).toMatch(CANNOT_COMPLETE);
			return;
		}
		const bookings = await node.output(getMany({ limit: 150 }));
		expect(idsOf(bookings)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
		expect(node.requestsTo('GET /bookings')).toBe(fewestCalls(BOOKINGS, 150));
	});

	it('filters by status, matching the sandbox’s own count', async () => {
		const pending = await all({ status: 'pending' });
		expect(pending.length).toBe(node.account(DEMO).bookingsByStatus.pending);
		expect(
			pending.every((b) => b.json.status === 'pending' && b.json.pay_option === 'candidate_pays'),
		).toBe(true);
	});

	it('filters by training and equipment status (the certificate conditions)', async () => {
		const ready = await all({ trainingStatus: 'completed', equipmentStatus: 'in' });
		expect(ready.length).toBeGreaterThan(0);
		expect(ready.every((b) => b.json.certificate_available === true)).toBe(true);
	});

	it('filters by course and training dates, inclusive', async () => {
		const sample = await node.output(getMany({ limit: 40 }));
		const dates = sample.map((b) => String(b.json.date)).sort();
		const [dateFrom, dateTo] = [dates[10], dates[30]];
		const found = await all({ courseId: PRACTICAL, dateFrom, dateTo });
		expect(found.length).toBeGreaterThan(0);
		for (const { json } of found) {
			expect(json.course_id).toBe(PRACTICAL);
			expect(String(json.date) >= dateFrom && String(json.date) <= dateTo).toBe(true);
		}
	});

	it('filters by exact email and by search text', async () => {
		const [first] = await node.output(getMany({ limit: 1 }));
		const byEmail = await all({ email: String(first.json.email).toUpperCase() });
		expect(byEmail.every((b) => b.json.email === first.json.email)).toBe(true);
		expect(idsOf(byEmail)).toContain(first.json.id);
		const byReference = await all({ search: 'BLS-000007' });
		expect(idsOf(byReference)).toEqual([7]);
	});

	it.each([
		[{ dateFrom: '2026-13-01' }, /Date From: must be a date as YYYY-MM-DD/],
		[{ email: 'someone' }, /Email: must be an email address/],
		[{ dateFrom: '2026-08-01', dateTo: '2026-07-01' }, /Date From: must not be after Date To/],
	])('names the invalid filter %j and sends no request', async (filters, message) => {
		const { error } = await node.run(getMany({ returnAll: true, filters }));
		expect(error?.message).toMatch(message);
		expect(node.requestsTo('GET /bookings')).toBe(0);
	});
});

describe('Booking → Get Many against a server that ignores the filters', () => {
	const cases: Array<[string, () => Promise<INodeParameters>]> = [
		['status', async () => ({ status: 'pending' })],
		['course', async () => ({ courseId: 2 })],
		[
			'training and equipment status',
			async () => ({ trainingStatus: 'completed', equipmentStatus: 'in' }),
		],
		['search', async () => ({ search: 'smith' })],
		[
			'email and dates',
			async () => {
				const [first] = await node.output(getMany({ limit: 1, filters: { status: 'booked' } }));
				return {
					email: String(first.json.email).toUpperCase(),
					dateFrom: String(first.json.date),
					dateTo: String(first.json.date),
				};
			},
		],
	];

	it.each(cases)(
		'%s: exactly the filtered list, in order, on Return All and on a Limit',
		async (_name, filtersOf) => {
			const filters = await filtersOf();
			const expected = idsOf(await all(filters));
			expect(expected.length).toBeGreaterThan(0);
			await node.withDialect('filters-ignored', async () => {
				if (!listReadable(BOOKINGS, undefined, node.sandbox.dialect)) {
					// The node has to read the whole list to filter it: a server that ignores `page` stops it
					// with the cause. A Limit gives the first filtered items, or that same error.
					const whole = await node.run(getMany({ returnAll: true, filters }));
					expect(whole.error?.message).toMatch(CANNOT_COMPLETE);
					const some = await node.run(getMany({ limit: 3, filters }));
					if (some.error) expect(some.error.message).toMatch(CANNOT_COMPLETE);
					else expect(idsOf(some.items)).toEqual(expected.slice(0, 3));
					return;
				}
				expect(idsOf(await all(filters))).toEqual(expected);
				expect(idsOf(await node.output(getMany({ limit: 3, filters })))).toEqual(
					expected.slice(0, 3),
				);
			});
		},
	);
});
