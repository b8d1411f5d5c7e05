import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { normalizeTime, readFlag } from '../actions/apiShapes';
import { failedFilters } from '../actions/booking/bookingMatch';
import { blsApiList, blsApiRequest } from '../transport';

const SEARCH_PAGE_SIZE = 50;

function bookingLabel(booking: IDataObject): string {
	const name = [booking.first_name, booking.last_name].filter(Boolean).join(' ');
	const when = [booking.date, normalizeTime(booking.time)].filter(Boolean).join(' ');
	return [booking.reference ?? `#${String(booking.id)}`, name, booking.course_name, when, booking.status]
		.filter(Boolean)
		.join(' · ');
}

/** Bookings matching the typed text (name, email or reference), one API page per scroll. */
export async function searchBookings(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const pageNumber = Number(paginationToken) > 0 ? Number(paginationToken) : 1;
	const qs: IDataObject = { page: pageNumber, per_page: SEARCH_PAGE_SIZE };
	if (filter?.trim()) qs.search = filter.trim();
	const response = await blsApiRequest.call(this, 'GET', '/bookings', { qs });
	const page = Array.isArray(response.data) ? (response.data as IDataObject[]) : [];
	// A server that ignores `search` lists everything: keep the bookings the typed text names.
	const bookings = qs.search ? page.filter((booking) => failedFilters(booking, { search: qs.search }, true).length === 0) : page;
	const lastPage = Number((response.meta as IDataObject | undefined)?.last_page);
	const links = (response.links ?? {}) as IDataObject;
	const more = Number.isFinite(lastPage) ? pageNumber < lastPage : Boolean(links.next);
	return {
		results: bookings.map((booking) => ({ name: bookingLabel(booking), value: String(booking.id) })),
		paginationToken: more && page.length > 0 ? String(pageNumber + 1) : undefined,
	};
}

/** Webhook endpoints whose name or URL contains the typed text (the API has no search, and accounts have few). */
export async function searchWebhookEndpoints(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
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
