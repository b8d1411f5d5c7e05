/** The Limit plan: which pages to ask for, first as the docs suggest, then as the server turns out to page. */

/** The largest `per_page` asked for before the server has said anything (docs/api-assumptions.md). */
export const MAX_PAGE_SIZE = 100;

export interface PageRequest {
	page: number;
	perPage: number;
}

/**
 * The pages a Limit needs from a server that honours `per_page` up to `maxPageSize`: always the
 * fewest calls (`ceil(limit / maxPageSize)`), laid out to fetch as few items beyond the limit as
 * possible. Either the limit spread evenly over those pages, or full pages followed by one page
 * whose size divides the offset so it starts exactly where they end (101 = page 1 of 100 + page 101 of 1).
 */
export function pagesForLimit(limit: number, maxPageSize = MAX_PAGE_SIZE): PageRequest[] {
	const calls = Math.ceil(limit / maxPageSize);
	const even = Math.ceil(limit / calls);
	const evenly = Array.from({ length: calls }, (_, i) => ({ page: i + 1, perPage: even }));

	const offset = (calls - 1) * maxPageSize;
	const remainder = limit - offset;
	let lastSize = remainder;
	while (offset % lastSize !== 0) lastSize++;
	const fullThenExact = [
		...Array.from({ length: calls - 1 }, (_, i) => ({ page: i + 1, perPage: maxPageSize })),
		{ page: offset / lastSize + 1, perPage: lastSize },
	];
	return even * calls - limit <= lastSize - remainder ? evenly : fullThenExact;
}

/**
 * The next page once the server has shown its own page size: the page of that size holding the
 * first item still missing. Pages of the server's exact size work whether it caps `per_page` or
 * ignores it, and take `ceil(remaining / pageSize)` calls, the fewest that size allows.
 */
export function nextPageOfSize(received: number, pageSize: number): PageRequest {
	return { page: Math.floor(received / pageSize) + 1, perPage: pageSize };
}
