import type { IDataObject } from 'n8n-workflow';

import { unwrapData } from './transport';

/**
 * Readers for the answers whose shape the API docs leave open (see docs/api-assumptions.md).
 * Both nodes use them, so an operation and the trigger never read the same field differently.
 */

/** A single resource with every other top-level field the API sent beside it (a `message`, a secret). */
export function resourceWithExtras(response: IDataObject): IDataObject {
	const resource = unwrapData(response);
	if (resource === response) return { ...response };
	const { data: _data, ...extras } = response;
	return { ...extras, ...resource };
}

/**
 * The signing secret of a created or rotated endpoint. The docs only say it is "shown once" and call
 * it `signing_secret` when signing; our sandbox says `secret`. Either name, at top level or under `data`.
 */
export function readSigningSecret(response: IDataObject): string | undefined {
	const data = (
		response.data && typeof response.data === 'object' ? response.data : {}
	) as IDataObject;
	for (const value of [
		response.signing_secret,
		response.secret,
		data.signing_secret,
		data.secret,
	]) {
		if (typeof value === 'string' && value !== '') return value;
	}
	return undefined;
}

/** `true`/`false`, `1`/`0` or their strings as a boolean; undefined for anything else. */
export function readFlag(value: unknown): boolean | undefined {
	if (value === true || value === 1 || value === '1' || value === 'true') return true;
	if (value === false || value === 0 || value === '0' || value === 'false') return false;
	return undefined;
}

/** A webhook endpoint as the node outputs it: `is_active` a boolean even when the API sends `1`/`0`. */
export function normalizeEndpoint(endpoint: IDataObject): IDataObject {
	const active = readFlag(endpoint.is_active);
	return active === undefined ? endpoint : { ...endpoint, is_active: active };
}

const TIME_WITH_ZERO_SECONDS = /^([01]\d|2[0-3]):([0-5]\d):00$/;

/**
 * A time of day as the docs write it (`HH:MM`). A server answering `10:00:00` means the same slot;
 * any other value (seconds that are not zero, another format) is kept as it came.
 */
export function normalizeTime(value: unknown): unknown {
	return typeof value === 'string' ? value.replace(TIME_WITH_ZERO_SECONDS, '$1:$2') : value;
}

/** A timeslot, hold or booking with its times as `HH:MM`. */
export function withNormalizedTimes(item: IDataObject): IDataObject {
	const result = { ...item };
	for (const field of ['time', 'previous_time']) {
		if (field in result) result[field] = normalizeTime(result[field]) as IDataObject[string];
	}
	return result;
}

/**
 * The booking a webhook event is about: `data.booking_id` when the event names it so, else `data.id`
 * (the docs show `data: { ... }` only; `data.id` is the booking's own id when data is the booking).
 */
export function bookingIdOfEvent(data: unknown): string | undefined {
	if (!data || typeof data !== 'object') return undefined;
	const { booking_id: bookingId, id } = data as IDataObject;
	for (const value of [bookingId, id]) {
		if (
			(typeof value === 'number' && Number.isFinite(value)) ||
			(typeof value === 'string' && value.trim() !== '')
		) {
			return String(value).trim();
		}
	}
	return undefined;
}
