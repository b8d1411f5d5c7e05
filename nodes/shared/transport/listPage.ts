/** What one answer of a list endpoint says about itself: its items, where they sit, whether more follow. */
import type { IDataObject } from 'n8n-workflow';

import type { PageRequest } from './limitPlan';

export interface ListPage {
	items: IDataObject[];
	/** The page the server served, and the page size it used (its `meta`, else what the answer shows). */
	page: number;
	perPage: number;
	/** Whether the server says more items follow this page. */
	more: boolean;
	/** How `more` was decided: `links` can repeat forever, so the walker guards against that. */
	moreFrom: 'meta' | 'links' | 'size';
	total?: number;
	next?: string;
}

const isObject = (value: unknown): value is IDataObject =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

function wholeNumber(value: unknown, min: number): number | undefined {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	return typeof number === 'number' && Number.isInteger(number) && number >= min
		? number
		: undefined;
}

/**
 * Reads a list answer. The docs' envelope is `{ data, meta, links }`; each part may be missing, so
 * `meta` is trusted first, then `links`, then the request itself. A first page shorter than asked
 * while `links.next` says more follow shows the server's page cap even without `meta.per_page`.
 */
export function readListPage(response: unknown, asked: PageRequest): ListPage {
	const body = isObject(response) ? response : {};
	const data = Array.isArray(response) ? response : Array.isArray(body.data) ? body.data : [];
	const items = data.filter(isObject);
	const meta = isObject(body.meta) ? body.meta : undefined;
	const links = isObject(body.links) ? body.links : undefined;
	const next = typeof links?.next === 'string' && links.next !== '' ? links.next : undefined;

	const page = wholeNumber(meta?.current_page, 1) ?? asked.page;
	const lastPage = wholeNumber(meta?.last_page, 1);
	let perPage = wholeNumber(meta?.per_page, 1);
	if (perPage === undefined) {
		// A short first page may be the server's cap rather than the end: so when `links.next` says
		// more follow, or when nothing says whether more follow (the next page then tells).
		const mayBeCapped = next !== undefined || (links === undefined && lastPage === undefined);
		const firstPageShort = asked.page === 1 && items.length > 0 && items.length < asked.perPage;
		perPage =
			items.length > asked.perPage || (firstPageShort && mayBeCapped)
				? items.length
				: asked.perPage;
	}

	let more: boolean;
	let moreFrom: ListPage['moreFrom'];
	if (lastPage !== undefined) [more, moreFrom] = [page < lastPage, 'meta'];
	else if (links !== undefined) [more, moreFrom] = [next !== undefined, 'links'];
	else [more, moreFrom] = [items.length >= perPage, 'size'];

	return {
		items,
		page,
		perPage,
		more: more && items.length > 0,
		moreFrom,
		total: wholeNumber(meta?.total, 0),
		next,
	};
}
