/** How a dialect reshapes answers the routes built in the default dialect (see sandbox/dialects.ts). */
import { shapeFields } from './dialectFields';
import type { Dialect } from './dialects';
import type { Reply } from './http';

type Body = Record<string, unknown>;

const isObject = (value: unknown): value is Body =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const TOKEN_ROUTES = new Set(['POST /auth/token', 'POST /auth/refresh']);

function tokenShape(dialect: Dialect, body: Body): Body {
	let pair = body;
	if (dialect.has('token-no-expires-in')) {
		const { expires_in: _access, refresh_expires_in: _refresh, ...rest } = pair;
		pair = rest;
	}
	return dialect.has('token-under-data') ? { data: pair } : pair;
}

/** Single resources bare or always under `data`; lists and pure `{ message }` answers stay as they are. */
function singleShape(dialect: Dialect, body: Body): Body {
	const { data, ...rest } = body;
	const isList = Array.isArray(data) || 'meta' in body || 'links' in body;
	if (isList) return body;
	if (dialect.has('single-bare') && isObject(data)) return { ...data, ...rest };
	const onlyMessage = Object.keys(body).every((key) => key === 'message');
	if (dialect.has('single-under-data') && data === undefined && !onlyMessage) return { data: body };
	return body;
}

/** Applies the dialect to a successful JSON answer of an API route. */
export function shapeReply(dialect: Dialect, method: string, apiPath: string, reply: Reply): Reply {
	if (dialect.size === 0 || reply.raw || (reply.status ?? 200) >= 400 || !isObject(reply.body))
		return reply;
	const route = `${method} ${apiPath.replace(/\/+$/, '')}`;
	const fields = shapeFields(dialect, route, reply.body);
	const body = TOKEN_ROUTES.has(route) ? tokenShape(dialect, fields) : singleShape(dialect, fields);
	return { ...reply, body };
}

/** The Retry-After header of a 429 (or of a fault that asks for one): seconds, an HTTP-date, or none. */
export function retryAfterHeaders(
	dialect: Dialect,
	status: number,
	seconds: number | undefined,
): Record<string, string> {
	if (seconds === undefined) return {};
	if (status === 429 && dialect.has('429-no-retry-after')) return {};
	if (status === 429 && dialect.has('429-http-date')) {
		// Rounded up to the next whole second, so the date is never before the window reopens.
		const at = Math.ceil((Date.now() + seconds * 1000) / 1000) * 1000;
		return { 'Retry-After': new Date(at).toUTCString() };
	}
	return { 'Retry-After': String(seconds) };
}
