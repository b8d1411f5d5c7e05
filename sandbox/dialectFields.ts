/**
 * How a dialect changes single fields of the answers and webhook events the routes built in the
 * default dialect: the secret's name and place, endpoint fields, times and the event's booking id
 * (see sandbox/dialects.ts). The envelope itself is dialectShapes.ts's concern.
 */
import type { Dialect } from './dialects';

type Body = Record<string, unknown>;

const isObject = (value: unknown): value is Body =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** POST /webhooks and POST /webhooks/{id}/rotate-secret: the answers that carry the signing secret. */
const SECRET_ROUTE = /^POST \/webhooks(\/[^/]+\/rotate-secret)?$/;

/** An endpoint object as the dialect writes it. */
function endpointFields(dialect: Dialect, endpoint: Body): Body {
	const result = { ...endpoint };
	if (dialect.has('endpoint-no-updated-at')) delete result.updated_at;
	if (dialect.has('active-as-int') && typeof result.is_active === 'boolean')
		result.is_active = result.is_active ? 1 : 0;
	return result;
}

/** Walks a JSON value, rewriting endpoints (objects with url and events) and `time`/`previous_time`. */
function rewrite(dialect: Dialect, value: unknown): unknown {
	if (Array.isArray(value)) return value.map((item) => rewrite(dialect, item));
	if (!isObject(value)) return value;
	let result: Body = Object.fromEntries(
		Object.entries(value).map(([key, inner]) => [key, rewrite(dialect, inner)]),
	);
	if ('url' in result && Array.isArray(result.events)) result = endpointFields(dialect, result);
	if (dialect.has('time-with-seconds')) {
		for (const key of ['time', 'previous_time']) {
			const time = result[key];
			if (typeof time === 'string' && HH_MM.test(time)) result[key] = `${time}:00`;
		}
	}
	return result;
}

/** Moves the secret of a create / rotate-secret answer where the dialect puts it, under the name it uses. */
function placeSecret(dialect: Dialect, body: Body): Body {
	const { secret, ...rest } = body;
	if (typeof secret !== 'string') return body;
	const name = dialect.has('secret-named-signing-secret') ? 'signing_secret' : 'secret';
	if (dialect.has('secret-under-data') && isObject(rest.data))
		return { ...rest, data: { ...rest.data, [name]: secret } };
	return { ...rest, [name]: secret };
}

/** Applies the dialect's field switches to a successful JSON answer of `METHOD /path`. */
export function shapeFields(dialect: Dialect, route: string, body: Body): Body {
	const rewritten = rewrite(dialect, body) as Body;
	return SECRET_ROUTE.test(route) ? placeSecret(dialect, rewritten) : rewritten;
}

/** The `data` of a webhook event as the dialect sends it. */
export function shapeEventData(dialect: Dialect, eventType: string, data: Body): Body {
	let result = rewrite(dialect, data) as Body;
	if (dialect.has('event-booking-id') && eventType.startsWith('booking.') && 'id' in result) {
		const { id, ...rest } = result;
		result = { booking_id: id, ...rest };
	}
	return result;
}

/** A time the dialect accepts, as the sandbox keeps it (`HH:MM`); undefined leaves it to the default check. */
export function acceptedTime(dialect: Dialect, value: unknown): string | undefined {
	if (!dialect.has('time-with-seconds') || typeof value !== 'string') return undefined;
	const match = /^(([01]\d|2[0-3]):[0-5]\d):00$/.exec(value);
	return match ? match[1] : undefined;
}
