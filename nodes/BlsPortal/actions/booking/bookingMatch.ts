import type { IDataObject } from 'n8n-workflow';

import { normalizeTime } from '../../../shared/apiShapes';

/**
 * The docs only say GET /bookings is "filterable": a server may ignore a filter it does not know.
 * These checks let the node see that from the items themselves instead of trusting the answer.
 */

/** Whether one booking meets one filter: yes, no, or cannot tell (the field is missing). */
type Verdict = 'yes' | 'no' | 'unknown';

const text = (value: unknown): string | undefined =>
	typeof value === 'string' || typeof value === 'number'
		? String(value).trim().toLowerCase()
		: undefined;

function equalsFilter(value: unknown, wanted: unknown): Verdict {
	const got = text(value);
	if (got === undefined) return 'unknown';
	return got === text(wanted) ? 'yes' : 'no';
}

function onOrAfter(value: unknown, bound: unknown, after: boolean): Verdict {
	if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) return 'unknown';
	const day = value.slice(0, 10);
	return (after ? day >= String(bound) : day <= String(bound)) ? 'yes' : 'no';
}

const fullName = (booking: IDataObject) =>
	`${String(booking.first_name ?? '')} ${String(booking.last_name ?? '')}`;

/**
 * Search, to tell whether the server applied it: the docs do not say which fields it looks in, so
 * a booking fails only when the text appears in none of its values; no search could have found it.
 */
function searchApplied(booking: IDataObject, wanted: unknown): Verdict {
	const needle = text(wanted) ?? '';
	return [fullName(booking), ...Object.values(booking)].some((value) =>
		text(value)?.includes(needle),
	)
		? 'yes'
		: 'no';
}

/** Search as the node describes it (name, email or reference), for filtering here when the server did not. */
function searchAsDescribed(booking: IDataObject, wanted: unknown): Verdict {
	const needle = text(wanted) ?? '';
	return [fullName(booking), booking.email, booking.reference].some((value) =>
		text(value)?.includes(needle),
	)
		? 'yes'
		: 'no';
}

const CHECKS: Record<string, (booking: IDataObject, wanted: unknown) => Verdict> = {
	status: (b, wanted) => equalsFilter(b.status, wanted),
	course_id: (b, wanted) => equalsFilter(b.course_id, wanted),
	date_from: (b, wanted) => onOrAfter(b.date, wanted, true),
	date_to: (b, wanted) => onOrAfter(b.date, wanted, false),
	email: (b, wanted) => equalsFilter(b.email, wanted),
	search: searchApplied,
	training_status: (b, wanted) => equalsFilter(b.training_status, wanted),
	equipment_status: (b, wanted) => equalsFilter(b.equipment_status, wanted),
};

/**
 * The filters (query parameters) a booking visibly fails; empty when it meets them or cannot be
 * checked. `asDescribed` applies search as the node's field describes it, for filtering locally.
 */
export function failedFilters(
	booking: IDataObject,
	filters: IDataObject,
	asDescribed = false,
): string[] {
	return Object.entries(filters)
		.filter(
			([name, wanted]) =>
				(name === 'search' && asDescribed ? searchAsDescribed : CHECKS[name])?.(booking, wanted) ===
				'no',
		)
		.map(([name]) => name);
}

/** Filters whose field the booking does not carry, so the node cannot check them itself. */
export function uncheckableFilters(booking: IDataObject, filters: IDataObject): string[] {
	return Object.entries(filters)
		.filter(([name, wanted]) => CHECKS[name]?.(booking, wanted) === 'unknown')
		.map(([name]) => name);
}

export interface BookedSlot {
	courseId: number;
	date: string;
	time: string;
}

/**
 * Whether a booking is this candidate's on this slot: same email (any case), first and last name,
 * course, day and time, and not cancelled. Every field must be present and equal; a booking that
 * lacks one is not taken for the candidate's.
 */
export function isCandidatesBooking(
	booking: IDataObject,
	slot: BookedSlot,
	candidate: IDataObject,
): boolean {
	const same = (value: unknown, wanted: unknown) =>
		text(value) !== undefined && text(value) === text(wanted);
	return (
		booking.status !== 'cancelled' &&
		same(booking.email, candidate.email) &&
		same(booking.first_name, candidate.first_name) &&
		same(booking.last_name, candidate.last_name) &&
		same(booking.course_id, slot.courseId) &&
		same(booking.date, slot.date) &&
		same(normalizeTime(booking.time), normalizeTime(slot.time))
	);
}
