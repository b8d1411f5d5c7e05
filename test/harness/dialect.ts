/**
 * What the tests expect of a list under a sandbox dialect. The rule is the one the node promises:
 * every item up to the limit, in order, in the fewest calls the server's page size allows; or, where
 * the server makes that impossible (it ignores `page`), an error that names the cause.
 */
import { pagesForLimit, MAX_PAGE_SIZE } from '../../nodes/shared/transport/limitPlan';
import { dialectFromEnv, pageCap } from '../../sandbox';
import type { Dialect, DialectSwitch } from '../../sandbox';

/** The dialect this test run's sandboxes start with (BLS_SANDBOX_DIALECT, default when unset). */
export const testDialect: Dialect = dialectFromEnv();

/** Switches that change how lists are paged or enveloped. */
export const LIST_SWITCHES: DialectSwitch[] = [
	'page-cap-20',
	'page-cap-50',
	'page-cap-100',
	'per-page-ignored',
	'per-page-over-cap-422',
	'page-ignored',
	'list-links-only',
	'list-meta-only',
	'next-link-repeats',
];

/** The run's dialect without the given switches (for a test about something the switch would mask). */
export function dialectWithout(dialect: Dialect, ...names: DialectSwitch[]): DialectSwitch[] {
	return [...dialect].filter((name) => !names.includes(name));
}

/** The error a list gives when the server ignores `page` and the list needs more than one page. */
export const CANNOT_COMPLETE =
	/could not be read completely: .*(ignore the page parameter|same next-page link)/;

/**
 * `calls` is exact when the list holds at least the limit (or for Return All); when the list is
 * shorter than the limit the node cannot know it in advance, so `calls` is then an upper bound:
 * never more than a list long enough would take.
 */
export type ListOutcome =
	{ ok: true; calls: number; exact: boolean; mayFail?: true } | { ok: false };

/**
 * Expected outcome of Return All (`limit` undefined) or a Limit over a list of `total` items.
 * `calls` counts list requests, a refused (422) page size included.
 */
export function listOutcome(dialect: Dialect, total: number, limit?: number): ListOutcome {
	if (
		dialect.has('next-link-repeats') &&
		dialect.has('list-links-only') &&
		!dialect.has('list-meta-only') &&
		!dialect.has('page-ignored')
	) {
		// Only links tell whether more follows, and every page's next link is the same: the walk
		// notices at its second answer. A list read in two answers is unaffected; one that needs a
		// third stops there with the error. (With meta, meta.last_page decides and links are not read.)
		const honest = listOutcome(
			new Set([...dialect].filter((name) => name !== 'next-link-repeats')),
			total,
			limit,
		);
		if (!honest.ok) return honest;
		const answers = honest.calls - refusedPageSizes(dialect, limit);
		if (answers <= 2) return honest;
		return honest.exact ? { ok: false } : { ...honest, mayFail: true };
	}
	if (limit !== undefined && limit > total && !dialect.has('page-ignored')) {
		const bound = listOutcome(dialect, limit, limit);
		// Without meta or links, the short last page may be a cap: one more call tells.
		const noEnvelope = dialect.has('list-links-only') && dialect.has('list-meta-only');
		return bound.ok ? { ok: true, calls: bound.calls + (noEnvelope ? 1 : 0), exact: false } : bound;
	}
	const cap = pageCap(dialect);
	const wanted = Math.min(limit ?? Infinity, total);
	let firstAsk = limit === undefined ? MAX_PAGE_SIZE : pagesForLimit(limit)[0].perPage;
	let refused = 0;
	if (dialect.has('per-page-over-cap-422') && firstAsk > cap) {
		refused = 1;
		firstAsk = cap;
	}
	// The size of the pages the server actually serves.
	const pageSize = dialect.has('per-page-ignored') ? 20 : cap;
	if (dialect.has('page-ignored')) {
		// Only the first page can ever be read: enough when the limit is reached on it, when it is
		// empty, or when meta tells that the whole list fits on it (links alone keep saying "next").
		const firstPage = dialect.has('per-page-ignored') ? 20 : Math.min(firstAsk, cap);
		const limitReached = limit !== undefined && limit <= Math.min(firstPage, total);
		const wholeListShown = total === 0 || (total <= firstPage && !dialect.has('list-links-only'));
		return limitReached || wholeListShown
			? { ok: true, calls: 1 + refused, exact: true }
			: { ok: false };
	}
	let calls = Math.max(1, Math.ceil(wanted / pageSize));
	// Without meta or links, only a short page after the first shows the end of a Return All; a full
	// last page, or a short first one (maybe the server's cap), needs one more call that comes back empty.
	const noEnvelope = dialect.has('list-links-only') && dialect.has('list-meta-only');
	const lastPageFull = total % pageSize === 0;
	const firstPageShort = total < Math.min(firstAsk, pageSize);
	if (noEnvelope && limit === undefined && total > 0 && (lastPageFull || firstPageShort)) calls++;
	return { ok: true, calls: calls + refused, exact: true };
}

/** The refused (422) first asks a walk makes: one when it asks for more than the cap refuses. */
function refusedPageSizes(dialect: Dialect, limit?: number): number {
	const firstAsk = limit === undefined ? MAX_PAGE_SIZE : pagesForLimit(limit)[0].perPage;
	return dialect.has('per-page-over-cap-422') && firstAsk > pageCap(dialect) ? 1 : 0;
}

/**
 * Whether the run's dialect lets a list of `total` items be read (Return All, or up to `limit`).
 * Where it does not (a server that ignores `page`), a test of something that reads such a list
 * expects the error that names the cause instead of the list.
 */
export function listReadable(
	total: number,
	limit?: number,
	dialect: Dialect = testDialect,
): boolean {
	return listOutcome(dialect, total, limit).ok;
}

/** The list calls a Return All or Limit takes under the run's dialect (for suites whose lists it can complete). */
export function fewestCalls(total: number, limit?: number, dialect: Dialect = testDialect): number {
	const outcome = listOutcome(dialect, total, limit);
	if (!outcome.ok)
		throw new Error(`Under ${[...dialect].join(',')} a list of ${total} cannot be read completely`);
	return outcome.calls;
}
