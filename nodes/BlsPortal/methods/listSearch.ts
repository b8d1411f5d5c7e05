import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { normalizeTime, readFlag } from '../../shared/apiShapes';
import { failedFilters } from '../actions/booking/bookingMatch';
import { apiErrorOf, asNodeError, blsApiList, blsApiRequest } from '../../shared/transport';
import { largestPageSizeIn } from '../../shared/transport/listWalk';

const SEARCH_PAGE_SIZE = 50;

function bookingLabel(booking: IDataObject): string {
	const name = [booking.first_name, booking.last_name].filter(Boolean).join(' ');
	const when = [booking.date, normalizeTime(booking.time)].filter(Boolean).join(' ');
	return [
		booking.reference ?? `#${String(booking.id)}`,
		name,
		booking.course_name,
		when,
		booking.status,
	]
		.filter(Boolean)
		.join(' · ');
}

/**
 * Bookings matching the typed text (name, email or reference), one API page per scroll. The token
 * is `page/size`: the page size stays the one the server used, so pages keep lining up.
 */
export async function searchBookings(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const [pageText, sizeText, lastIdText] = (paginationToken ?? '').split('/');
	const pageNumber = Number(pageText) > 0 ? Number(pageText) : 1;
	const perPage = Number(sizeText) > 0 ? Number(sizeText) : SEARCH_PAGE_SIZE;
	const qs: IDataObject = { page: pageNumber, per_page: perPage };
	if (filter?.trim()) qs.search = filter.trim();
	let response: IDataObject;
	try {
		response = await blsApiRequest.call(this, 'GET', '/bookings', { qs });
	} catch (error) {
		// A server whose largest page is smaller may refuse per_page with a 422 that names its size.
		const refused = apiErrorOf(error);
		const largest = refused?.status === 422 ? largestPageSizeIn(refused.body) : false;
		// Anything but a refused first page goes up as the transport's error.
		if (!largest || largest >= perPage || pageNumber !== 1)
			throw asNodeError(this.getNode(), error);
		qs.per_page = largest;
		response = await blsApiRequest.call(this, 'GET', '/bookings', { qs });
	}
	const page = Array.isArray(response.data) ? (response.data as IDataObject[]) : [];
	// Bookings come in id order: a later page that starts at or before the last id shown, or a page
	// number other than the one asked, means the server ignores `page`. Say so rather than repeat them.
	const lastShown = Number(lastIdText);
	const currentPage = Number((response.meta as IDataObject | undefined)?.current_page);
	if (
		pageNumber > 1 &&
		((Number.isFinite(currentPage) && currentPage !== pageNumber) ||
			(Number.isFinite(lastShown) && page.some((booking) => Number(booking.id) <= lastShown)))
	) {
		throw new NodeOperationError(
			this.getNode(),
			`BLS Portal answered page ${pageNumber} of the bookings with bookings already shown: the server seems to ignore the page parameter`,
			{
				description:
					'Type part of a name, email or reference to narrow the list, or enter the booking ID.',
			},
		);
	}
	// A server that ignores `search` lists everything: keep the bookings the typed text names.
	const bookings = qs.search
		? page.filter((booking) => failedFilters(booking, { search: qs.search }, true).length === 0)
		: page;
	const meta = (response.meta ?? {}) as IDataObject;
	const lastPage = Number(meta.last_page);
	const links = (response.links ?? {}) as IDataObject;
	const more = Number.isFinite(lastPage) ? pageNumber < lastPage : Boolean(links.next);
	// The next page in the size the server used, so it starts where this one ended.
	const served = Number(meta.per_page) > 0 ? Number(meta.per_page) : Number(qs.per_page);
	return {
		results: bookings.map((booking) => ({
			name: bookingLabel(booking),
			value: String(booking.id),
		})),
		paginationToken:
			more && page.length > 0
				? `${pageNumber + 1}/${served}/${String(page[page.length - 1].id)}`
				: undefined,
	};
}

/** Webhook endpoints whose name or URL contains the typed text (the API has no search, and accounts have few). */
export async function searchWebhookEndpoints(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const needle = filter?.trim().toLowerCase() ?? '';
	const endpoints = await blsApiList.call(this, '/webhooks');
	return {
		results: endpoints
			.map((endpoint) => ({
				name: `${String(endpoint.name || 'Unnamed')} · ${String(endpoint.url)}${readFlag(endpoint.is_active) === false ? ' (inactive)' : ''}`,
				value: String(endpoint.id),
			}))
			.filter((result) => result.name.toLowerCase().includes(needle)),
	};
}
