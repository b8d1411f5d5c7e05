/** Request/response plumbing shared by the API and the control surface. */
import type { IncomingMessage, ServerResponse } from 'node:http';

import { DEFAULT_DIALECT, pageCap } from './dialects';
import type { Dialect } from './dialects';
import { fieldError, HttpError } from './errors';

const MAX_BODY_BYTES = 1_048_576;
/** The page size when `per_page` is not given (the docs' example shows 20). */
const DEFAULT_PER_PAGE = 20;

/** What a handler answers: JSON unless `raw` is given. */
export interface Reply {
	status?: number;
	body?: unknown;
	raw?: Buffer;
	headers?: Record<string, string>;
}

export function readRawBody(req: IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) reject(new HttpError(413, 'The request body is too large.'));
			else chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

/** JSON (or form-encoded) object body; empty → {}. Malformed JSON → 400, a non-object → 422. */
export async function readObjectBody(req: IncomingMessage): Promise<Record<string, unknown>> {
	const text = (await readRawBody(req)).toString('utf8');
	if (text.trim() === '') return {};
	if ((req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
		return Object.fromEntries(new URLSearchParams(text));
	}
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch (error) {
		throw new HttpError(400, `Malformed JSON body: ${(error as Error).message}`);
	}
	if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
		throw new HttpError(422, 'The request body must be a JSON object.');
	}
	return parsed as Record<string, unknown>;
}

export function send(res: ServerResponse, reply: Reply): void {
	if (res.headersSent || res.destroyed) return;
	const status = reply.status ?? 200;
	for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
	if (reply.raw) {
		res.writeHead(status, { 'Content-Length': reply.raw.length });
		res.end(reply.raw);
		return;
	}
	const payload = Buffer.from(JSON.stringify(reply.body ?? {}));
	res.writeHead(status, {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': payload.length,
	});
	res.end(payload);
}

export function errorReply(error: unknown): Reply {
	if (error instanceof HttpError)
		return { status: error.status, body: error.body(), headers: error.extra.headers };
	// A sandbox bug: say where (stacks carry no request data), answer as the API documents.
	process.stderr.write(
		`BLS sandbox: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`,
	);
	return { status: 500, body: { message: 'Server Error' } };
}

/** A malformed escape stays as it is: it then matches nothing instead of failing the request. */
function safeDecode(segment: string): string {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}

export interface Route<C> {
	method: string;
	/** e.g. `/bookings/{id}`; `{id}` segments must be positive integers, other params any segment. */
	template: string;
	handler: (ctx: C, params: Record<string, string>) => Reply | Promise<Reply>;
}

interface CompiledRoute<C> extends Route<C> {
	pattern: RegExp;
	names: string[];
}

export type RouteMatch<C> =
	| { kind: 'found'; route: Route<C>; params: Record<string, string> }
	| { kind: 'method'; template: string; allow: string[] }
	| { kind: 'none' };

export class Router<C> {
	private readonly routes: CompiledRoute<C>[] = [];

	add(method: string, template: string, handler: Route<C>['handler']): this {
		const names: string[] = [];
		const source = template.replace(/\{(\w+)\}/g, (_, name: string) => {
			names.push(name);
			return name === 'id' ? '([1-9]\\d{0,15})' : '([^/]+)';
		});
		this.routes.push({ method, template, handler, names, pattern: new RegExp(`^${source}/?$`) });
		return this;
	}

	match(method: string, path: string): RouteMatch<C> {
		const byPath = this.routes
			.map((route) => ({ route, match: route.pattern.exec(path) }))
			.filter((m): m is { route: CompiledRoute<C>; match: RegExpExecArray } => m.match !== null);
		const found = byPath.find((m) => m.route.method === method);
		if (found) {
			const params = Object.fromEntries(
				found.route.names.map((name, i) => [name, safeDecode(found.match[i + 1])]),
			);
			return { kind: 'found', route: found.route, params };
		}
		if (byPath.length > 0) {
			return {
				kind: 'method',
				template: byPath[0].route.template,
				allow: byPath.map((m) => m.route.method),
			};
		}
		return { kind: 'none' };
	}
}

/** The same next link on every page: page 2, without per_page (as built from a first page). */
function repeatedNext(url: URL): string {
	const link = new URL(url.href);
	link.searchParams.delete('per_page');
	link.searchParams.set('page', '2');
	return link.href;
}

/**
 * Builds a list envelope page from the whole (already ordered) collection, as the dialect serves
 * lists: page size cap, per_page/page ignored, per_page over the cap refused, envelope parts left out.
 */
export function paginate<T>(
	items: T[],
	url: URL,
	serialize: (item: T) => unknown = (item) => item,
	dialect: Dialect = DEFAULT_DIALECT,
): {
	data: unknown[];
	meta?: Record<string, number>;
	links?: { next: string | null; prev: string | null };
} {
	const intParam = (name: string): number | undefined => {
		const raw = url.searchParams.get(name);
		return raw !== null && /^\d+$/.test(raw.trim()) ? Number(raw) : undefined;
	};
	const cap = pageCap(dialect);
	const askedPerPage = intParam('per_page');
	if (dialect.has('per-page-over-cap-422') && askedPerPage !== undefined && askedPerPage > cap) {
		throw fieldError('per_page', `The per page field must not be greater than ${cap}.`);
	}
	const perPage = dialect.has('per-page-ignored')
		? DEFAULT_PER_PAGE
		: Math.min(cap, Math.max(1, askedPerPage ?? DEFAULT_PER_PAGE));
	const askedPage = Math.max(1, intParam('page') ?? 1);
	const page = dialect.has('page-ignored') ? 1 : askedPage;
	const total = items.length;
	const lastPage = Math.max(1, Math.ceil(total / perPage));
	const pageUrl = (n: number): string => {
		const link = new URL(url.href);
		link.searchParams.set('page', String(n));
		return link.href;
	};
	// A server that ignores `page` still builds its links from the page it was asked for.
	const next = dialect.has('page-ignored')
		? pageUrl(askedPage + 1)
		: page < lastPage
			? pageUrl(page + 1)
			: null;
	const meta = { current_page: page, per_page: perPage, last_page: lastPage, total };
	const links = {
		next: next !== null && dialect.has('next-link-repeats') ? repeatedNext(url) : next,
		prev: askedPage > 1 ? pageUrl(askedPage - 1) : null,
	};
	return {
		data: items.slice((page - 1) * perPage, page * perPage).map(serialize),
		...(dialect.has('list-links-only') ? {} : { meta }),
		...(dialect.has('list-meta-only') ? {} : { links }),
	};
}
