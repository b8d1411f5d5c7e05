/** List walking: every page of a list endpoint, or just the pages a Limit needs, each item once and in order. */
import type { IDataObject } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { apiErrorOf, asNodeError } from './apiError';
import { MAX_PAGE_SIZE, nextPageOfSize, pagesForLimit } from './limitPlan';
import type { PageRequest } from './limitPlan';
import { readListPage } from './listPage';
import type { ListPage } from './listPage';
import { blsApiRequest } from './request';
import type { BlsFunctions } from './request';

/** Items without an id (timeslots) are told apart by their content. */
const identity = (item: IDataObject): string =>
	item.id !== undefined && item.id !== null ? `id:${String(item.id)}` : JSON.stringify(item);

/**
 * The largest page size a 422 on `per_page` names ("must not be greater than 50"), or undefined
 * when the answer is about something else (`false`) or names no number.
 */
export function largestPageSizeIn(body: IDataObject | undefined): number | undefined | false {
	const errors =
		body?.errors && typeof body.errors === 'object' ? (body.errors as IDataObject) : {};
	const perPageMessages = [errors.per_page ?? errors.perPage]
		.flat()
		.filter((m) => typeof m === 'string') as string[];
	const message = typeof body?.message === 'string' ? body.message : '';
	if (perPageMessages.length === 0 && !/per[ _-]?page/i.test(message)) return false;
	const text = [...perPageMessages, message].join(' ');
	const found =
		/(?:greater than|more than|at most|up to|maximum(?: is| of)?|max(?:imum)?:?|exceed)\s*(\d+)/i.exec(
			text,
		);
	return found ? Number(found[1]) : undefined;
}

class ListIncomplete extends NodeOperationError {}

/**
 * Walks a list endpoint. Without a limit it reads every page at the largest page size; with one it
 * asks for the pages {@link pagesForLimit} lays out. Whenever the server pages otherwise (a smaller
 * cap, `per_page` ignored or refused), the rest is asked in pages of the server's own size. A page
 * that brings nothing new, or a `next` link seen before, ends the walk with an error rather than a
 * loop or a short list: the caller gets every item up to the limit, or an error saying why not.
 */
export async function blsApiList(
	this: BlsFunctions,
	endpoint: string,
	qs: IDataObject = {},
	limit?: number,
): Promise<IDataObject[]> {
	const wanted = limit === undefined ? Infinity : Math.max(1, limit);
	const plan = limit === undefined ? [] : pagesForLimit(wanted);
	const items: IDataObject[] = [];
	const seen = new Set<string>();
	const nextLinks = new Set<string>();
	/** The server's page size once it has shown one other than asked; until then the plan holds. */
	let serverPageSize: number | undefined;
	let calls = 0;
	let callsWithoutProgress = 0;

	const incomplete = (reason: string) =>
		new ListIncomplete(
			this.getNode(),
			`BLS Portal's list ${endpoint} could not be read completely: ${reason}`,
			{
				description: `${items.length} item(s) were received before this. The node returns an error instead of a list it cannot vouch for. Run again, or use a smaller Limit if the server pages differently from the API documentation.`,
			},
		);

	const requestFor = (): PageRequest =>
		serverPageSize !== undefined
			? nextPageOfSize(items.length, serverPageSize)
			: (plan[calls] ?? nextPageOfSize(items.length, MAX_PAGE_SIZE));

	const fetchPage = async (request: PageRequest): Promise<ListPage | undefined> => {
		try {
			const response = await blsApiRequest.call(this, 'GET', endpoint, {
				qs: { ...qs, page: request.page, per_page: request.perPage },
				// The first page is all a dropdown or a small Limit waits on; the pages after it are a bulk walk.
				pacing: calls === 0 ? 'listStart' : 'bulk',
			});
			return readListPage(response, request);
		} catch (error) {
			const refused = apiErrorOf(error);
			const largest = refused?.status === 422 ? largestPageSizeIn(refused.body) : false;
			// Anything but a refused page size goes up as the transport's error.
			if (largest === false) throw asNodeError(this.getNode(), error);
			if (largest === undefined || largest < 1 || largest >= request.perPage) {
				throw incomplete(
					`the server refused per_page=${request.perPage} without naming a page size it accepts (${String(refused?.body?.message ?? 'HTTP 422')}).`,
				);
			}
			serverPageSize = largest;
			return undefined;
		}
	};

	while (items.length < wanted) {
		const request = requestFor();
		const answer = await fetchPage(request);
		calls++;
		if (!answer) continue;

		const before = items.length;
		const start = (answer.page - 1) * answer.perPage;
		// Only an answer that starts at or before the first missing item can continue the list.
		const contiguous = start <= items.length;
		if (contiguous) {
			for (const item of answer.items.slice(items.length - start)) {
				const key = identity(item);
				if (seen.has(key)) continue;
				seen.add(key);
				items.push(item);
			}
		}
		const learned = answer.perPage !== request.perPage && answer.perPage !== serverPageSize;
		if (answer.perPage !== request.perPage) serverPageSize = answer.perPage;

		const complete =
			contiguous && (!answer.more || (answer.total !== undefined && items.length >= answer.total));
		if (complete || items.length >= wanted) break;

		if (answer.moreFrom === 'links' && answer.next !== undefined) {
			if (nextLinks.has(answer.next))
				throw incomplete(`the server sent the same next-page link twice (${answer.next}).`);
			nextLinks.add(answer.next);
		}
		// One answer without new items is allowed when it taught the page size; a second means the
		// server serves pages already read (it ignores `page`, or its pages move under the walk).
		callsWithoutProgress = items.length > before ? 0 : callsWithoutProgress + 1;
		if (callsWithoutProgress > (learned ? 1 : 0)) {
			throw incomplete(
				`page ${request.page} (per_page ${request.perPage}) brought no item that was not already received, so the server seems to ignore the page parameter${answer.total !== undefined ? ` (it reports ${answer.total} items)` : ''}.`,
			);
		}
	}
	return items.slice(0, wanted);
}
