/**
 * Dialects: where the API docs leave a question open, each switch makes the sandbox answer it the
 * other plausible way, so the nodes are tested against servers that read the docs differently.
 * Switches combine (`page-cap-50,page-ignored`); no switch is the default dialect, the contract in
 * docs/api-assumptions.md. To add a switch: name and describe it here, then read it with
 * `dialect.has('name')` where the sandbox builds that answer (the tests pick it up by itself).
 */

export const DIALECT_SWITCHES = {
	// Lists (docs: `per_page: 20` in the example, no maximum stated)
	'page-cap-20':
		'The largest page is 20: a larger per_page is clamped to 20 (meta.per_page says 20).',
	'page-cap-50':
		'The largest page is 50: a larger per_page is clamped to 50 (meta.per_page says 50).',
	'page-cap-100':
		'The largest page is 100 (the default dialect does the same; combine it with per-page-over-cap-422).',
	'per-page-ignored': 'per_page is ignored: every page has the default 20 items.',
	'per-page-over-cap-422':
		'per_page above the cap is answered 422 ("The per page field must not be greater than N.") instead of clamped.',
	'page-ignored':
		'page is ignored: every request gets the first page, and links.next keeps pointing at the next one.',
	'next-link-repeats':
		'links.next repeats: every page that has a next one links to ?page=2 (per_page dropped), as a server that builds it from its first page.',
	'list-links-only': 'List envelopes have data and links, no meta.',
	'list-meta-only': 'List envelopes have data and meta, no links.',
	// Single resources (docs: `{ data: {...} }` in the HB Portal v2 pages, `GET /credits` bare)
	'single-bare':
		'Single resources come bare, without the data wrapper (extra keys such as message stay beside them).',
	'single-under-data': 'Every single resource comes under data, GET /credits too.',
	// Auth (docs: the token response fields, not their nesting)
	'token-under-data': 'POST /auth/token and /auth/refresh answer the token pair under data.',
	'token-no-expires-in':
		'Token answers have no expires_in or refresh_expires_in (expires_at stays).',
	// Rate limit (docs: 60 requests a minute; no header named)
	'429-no-retry-after': 'A 429 carries no Retry-After header.',
	'429-http-date': 'A 429 gives Retry-After as an HTTP-date instead of seconds.',
	// Webhook endpoints (docs: "secret shown once", signing with signing_secret; rotate answer undocumented)
	'secret-named-signing-secret':
		'Create and rotate-secret name the secret signing_secret instead of secret.',
	'secret-under-data':
		'Create and rotate-secret put the secret inside data, beside the endpoint fields.',
	'endpoint-no-updated-at': 'Endpoints have no updated_at (as the HB Portal endpoint example).',
	'active-as-int': 'Endpoints give is_active as 1 / 0.',
	'put-whole-object':
		'PUT /webhooks/{id} needs the whole object: 422 naming url, events, timeout_seconds or is_active when left out.',
	// Timeslots and bookings (docs: times shown as "10:00"; GET /bookings only "filterable")
	'time-with-seconds':
		'Times are answered as HH:MM:SS (10:00:00); HH:MM and HH:MM:SS are both accepted.',
	'filters-ignored':
		'GET /bookings ignores its filter parameters (status, course_id, dates, email, search, …).',
	'booking-address-required':
		'POST /bookings requires address, city and postcode (422 naming each one left out).',
	'event-booking-id': 'Booking events carry the booking id as data.booking_id, with no data.id.',
	'certificate-name-percent':
		'The certificate file name has a % in it: filename="BLS-Certificate-BLS-000001 (100%).pdf".',
	// The sister API (docs: tdta-client-api.txt; the BLS doc: "BLS uses invoice (not inv)")
	tdta: 'Serves as the TDTA Client API: pay_option inv (TDTA’s invoice) is accepted; BLS refuses it.',
} as const satisfies Record<string, string>;

export type DialectSwitch = keyof typeof DIALECT_SWITCHES;

/** The switches a sandbox runs with; empty is the default dialect. */
export type Dialect = ReadonlySet<DialectSwitch>;

/** The environment variable every suite's sandbox reads when its test does not pick a dialect. */
export const DIALECT_ENV = 'BLS_SANDBOX_DIALECT';

export const DEFAULT_DIALECT: Dialect = new Set();

export class DialectError extends Error {}

export function isDialectSwitch(name: string): name is DialectSwitch {
	return Object.prototype.hasOwnProperty.call(DIALECT_SWITCHES, name);
}

/**
 * `"page-cap-50,page-ignored"`, a list of names, or a set → a dialect. `default` (or nothing) is the
 * default dialect; an unknown name throws with the list of known ones, so a typo never tests nothing.
 */
export function parseDialect(spec: string | Iterable<string> | undefined): Dialect {
	if (spec === undefined) return DEFAULT_DIALECT;
	const names = typeof spec === 'string' ? spec.split(/[\s,+]+/) : [...spec];
	const chosen = new Set<DialectSwitch>();
	for (const raw of names) {
		const name = raw.trim();
		if (name === '' || name === 'default') continue;
		if (!isDialectSwitch(name)) {
			throw new DialectError(
				`Unknown sandbox dialect switch "${name}". Known: ${Object.keys(DIALECT_SWITCHES).join(', ')}`,
			);
		}
		chosen.add(name);
	}
	return chosen;
}

/** The dialect named by BLS_SANDBOX_DIALECT (default when unset). */
export function dialectFromEnv(env: NodeJS.ProcessEnv = process.env): Dialect {
	return parseDialect(env[DIALECT_ENV]);
}

/** `default`, or the switches joined by commas (for logs and test names). */
export function dialectName(dialect: Dialect): string {
	return dialect.size === 0 ? 'default' : [...dialect].join(',');
}

/** The largest page this dialect serves: the smallest cap chosen, else 100 as the default dialect. */
export function pageCap(dialect: Dialect): number {
	if (dialect.has('page-cap-20')) return 20;
	if (dialect.has('page-cap-50')) return 50;
	return 100;
}
