import { nextPageOfSize, pagesForLimit } from '../../../../nodes/shared/transport/limitPlan';

describe('Limit plan', () => {
	it.each([
		[1, [{ page: 1, perPage: 1 }]],
		[50, [{ page: 1, perPage: 50 }]],
		[
			101,
			[
				{ page: 1, perPage: 100 },
				{ page: 101, perPage: 1 },
			],
		],
		[
			250,
			[
				{ page: 1, perPage: 100 },
				{ page: 2, perPage: 100 },
				{ page: 5, perPage: 50 },
			],
		],
		[
			137,
			[
				{ page: 1, perPage: 69 },
				{ page: 2, perPage: 69 },
			],
		],
	])('Limit %i asks, before the server has said anything, for %j', (limit, plan) => {
		expect(pagesForLimit(limit)).toEqual(plan);
	});

	it('lays out for another largest page size too', () => {
		expect(pagesForLimit(101, 50)).toEqual([
			{ page: 1, perPage: 50 },
			{ page: 2, perPage: 50 },
			{ page: 101, perPage: 1 },
		]);
	});

	it.each([
		// 50 items in hand, the server pages by 50: page 2 holds item 51.
		[50, 50, { page: 2, perPage: 50 }],
		[20, 20, { page: 2, perPage: 20 }],
		// Not on a page boundary: the page holding the first missing item (the overlap is skipped).
		[30, 20, { page: 2, perPage: 20 }],
		[0, 50, { page: 1, perPage: 50 }],
	])('with %i items and server pages of %i, the next page is %j', (received, size, page) => {
		expect(nextPageOfSize(received, size)).toEqual(page);
	});
});
