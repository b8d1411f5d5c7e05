/** The HTTP server: /api/v1 (faults → rate limit → routes), /_sandbox control, and startSandbox. */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { apiRouter } from './api';
import type { ApiContext } from './api';
import { controlRouter, SandboxControls } from './control';
import type { ControlContext, SandboxAccountInfo } from './control';
import { SandboxCore } from './core';
import { dialectFromEnv, parseDialect } from './dialects';
import type { Dialect } from './dialects';
import { shapeReply, retryAfterHeaders } from './dialectShapes';
import { errorReply, send } from './http';
import type { Reply, Router } from './http';
import {
	applyConfigPatch,
	DEFAULT_CONFIG,
	DEFAULT_PORT,
	DEFAULT_SEED,
	seedOptionsFrom,
} from './options';
import type { SandboxOptions } from './options';
import type { RequestLogEntry } from './requestlog';
import { isoTime } from './time';

export const API_PREFIX = '/api/v1';
export const CONTROL_PREFIX = '/_sandbox';

const FAULT_MESSAGES: Record<number, string> = {
	429: 'Too Many Attempts.',
	500: 'Server Error',
	502: 'Bad Gateway',
	503: 'Service Unavailable',
	504: 'Gateway Timeout',
};

/** Timers of injected latency, so stop() can end them at once. */
class Sleeps {
	private readonly pending = new Map<NodeJS.Timeout, () => void>();

	sleep(ms: number): Promise<void> {
		return new Promise((resolve) => {
			const timer = setTimeout(() => {
				this.pending.delete(timer);
				resolve();
			}, ms);
			this.pending.set(timer, resolve);
		});
	}

	cancelAll(): void {
		for (const [timer, resolve] of this.pending) {
			clearTimeout(timer);
			resolve();
		}
		this.pending.clear();
	}
}

function notFoundReply(method: string, match: ReturnType<Router<unknown>['match']>): Reply {
	if (match.kind === 'method') {
		return {
			status: 405,
			body: {
				message: `The ${method} method is not supported for this route. Supported methods: ${match.allow.join(', ')}.`,
			},
			headers: { Allow: match.allow.join(', ') },
		};
	}
	return { status: 404, body: { message: 'Not found.' } };
}

async function dispatch<C>(
	router: Router<C>,
	ctx: C,
	method: string,
	path: string,
): Promise<Reply> {
	const match = router.match(method, path);
	if (match.kind !== 'found') return notFoundReply(method, match);
	try {
		return await match.route.handler(ctx, match.params);
	} catch (error) {
		return errorReply(error);
	}
}

class SandboxHttp {
	private readonly api = apiRouter();
	private readonly control = controlRouter();
	readonly sleeps = new Sleeps();

	constructor(
		private readonly core: SandboxCore,
		private readonly controls: SandboxControls,
	) {}

	handle = (req: IncomingMessage, res: ServerResponse): void => {
		const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
		const path = url.pathname;
		let done: Promise<void>;
		if (path === API_PREFIX || path.startsWith(`${API_PREFIX}/`)) {
			done = this.handleApi(req, res, url, path.slice(API_PREFIX.length) || '/');
		} else if (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`)) {
			const ctx: ControlContext = { core: this.core, controls: this.controls, req };
			done = dispatch(
				this.control,
				ctx,
				req.method ?? 'GET',
				path.slice(CONTROL_PREFIX.length),
			).then((reply) => send(res, reply));
		} else {
			done = Promise.resolve(send(res, this.publicPage(path, url)));
		}
		done.catch(() => send(res, { status: 500, body: { message: 'Server Error' } }));
	};

	/** The public booking page the booking-url points at, and a small index. */
	private publicPage(path: string, url: URL): Reply {
		const slug = /^\/book\/([\w-]+)\/?$/.exec(path)?.[1];
		const account = this.core.state.accounts.find((a) => a.bookingSlug === slug);
		if (account) {
			const html = `<!doctype html><title>Book BLS training</title><h1>BLS training for ${account.name}</h1><p>Sandbox booking page.</p>`;
			return { raw: Buffer.from(html), headers: { 'Content-Type': 'text/html; charset=utf-8' } };
		}
		if (path === '/') {
			return {
				body: {
					name: 'BLS Portal sandbox',
					api: `${url.origin}${API_PREFIX}`,
					control: `${url.origin}${CONTROL_PREFIX}`,
				},
			};
		}
		return { status: 404, body: { message: 'Not found.' } };
	}

	private async handleApi(
		req: IncomingMessage,
		res: ServerResponse,
		url: URL,
		apiPath: string,
	): Promise<void> {
		const started = Date.now();
		const method = req.method ?? 'GET';
		const match = this.api.match(method, apiPath);
		const ctx: ApiContext = { core: this.core, req, url, clientId: null, tokenId: null };
		let fault: RequestLogEntry['fault'];
		const log = (status: number) =>
			this.core.requests.add({
				method,
				path:
					match.kind === 'found'
						? match.route.template
						: match.kind === 'method'
							? match.template
							: apiPath,
				url: `${url.pathname}${url.search}`,
				status,
				at: isoTime(started),
				durationMs: Date.now() - started,
				clientId: ctx.clientId,
				tokenId: ctx.tokenId,
				...(fault ? { fault } : {}),
			});

		const spec = this.core.faults.take(method, apiPath);
		if (spec?.latencyMs) {
			fault = 'latency';
			await this.sleeps.sleep(spec.latencyMs);
		}
		if (spec?.drop) {
			fault = 'drop';
			req.socket.destroy();
			log(0);
			return;
		}
		if (spec?.status) {
			fault = 'status';
			const retryAfter = spec.retryAfter ?? (spec.status === 429 ? 1 : undefined);
			send(res, {
				status: spec.status,
				body: {
					message:
						FAULT_MESSAGES[spec.status] ?? http.STATUS_CODES[spec.status] ?? 'Injected fault',
				},
				headers: retryAfterHeaders(this.core.dialect, spec.status, retryAfter),
			});
			log(spec.status);
			return;
		}

		const headers: Record<string, string> = {};
		const limit = this.core.config.rateLimit;
		let reply: Reply;
		const decision = limit
			? this.core.limiter.hit(req.socket.remoteAddress ?? 'unknown', limit)
			: undefined;
		if (decision) {
			headers['X-RateLimit-Limit'] = String(decision.limit);
			headers['X-RateLimit-Remaining'] = String(decision.remaining);
		}
		if (decision?.limited) {
			Object.assign(headers, retryAfterHeaders(this.core.dialect, 429, decision.retryAfterSeconds));
			reply = { status: 429, body: { message: 'Too Many Attempts.' } };
		} else {
			reply = shapeReply(
				this.core.dialect,
				method,
				apiPath,
				await dispatch(this.api, ctx, method, apiPath),
			);
		}
		send(res, { ...reply, headers: { ...headers, ...reply.headers } });
		log(reply.status ?? 200);
	}
}

/** A running sandbox: its addresses, demo accounts and every control operation. */
export class Sandbox extends SandboxControls {
	/** e.g. http://127.0.0.1:8787 */
	readonly origin: string;
	/** e.g. http://127.0.0.1:8787/api/v1 */
	readonly apiUrl: string;
	readonly controlUrl: string;
	readonly port: number;
	/** The seeded accounts with their credentials (account 1 is the demo agency). */
	readonly accounts: SandboxAccountInfo[];

	constructor(
		core: SandboxCore,
		private readonly server: http.Server,
		private readonly web: SandboxHttp,
		host: string,
	) {
		super(core);
		this.port = (server.address() as AddressInfo).port;
		this.origin = `http://${host}:${this.port}`;
		this.apiUrl = `${this.origin}${API_PREFIX}`;
		this.controlUrl = `${this.origin}${CONTROL_PREFIX}`;
		this.accounts = this.listAccounts();
	}

	/** The dialect switches this sandbox answers with (empty: the default dialect). */
	get dialect(): Dialect {
		return this.core.dialect;
	}

	/** Switches dialect while running (e.g. a property test trying combinations on one sandbox). */
	setDialect(dialect: string | readonly string[]): Dialect {
		this.core.dialect = parseDialect(dialect);
		return this.core.dialect;
	}

	/** Runs `body` with `switches` (comma-separated) added to the current dialect, then restores it. */
	async withDialect<T>(switches: string, body: () => Promise<T>): Promise<T> {
		const current = [...this.dialect];
		this.setDialect([...current, ...switches.split(',')]);
		try {
			return await body();
		} finally {
			this.setDialect(current);
		}
	}

	/** Stops listening, closes every socket and cancels pending deliveries and injected latency. */
	async stop(): Promise<void> {
		this.web.sleeps.cancelAll();
		await this.core.dispatcher.stop();
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const config = applyConfigPatch(DEFAULT_CONFIG, options);
	const seedOptions = seedOptionsFrom(DEFAULT_SEED, options);
	const dialect = options.dialect === undefined ? dialectFromEnv() : parseDialect(options.dialect);
	const core = new SandboxCore(config, seedOptions, dialect);
	const controls = new SandboxControls(core);
	const web = new SandboxHttp(core, controls);
	const server = http.createServer(web.handle);
	const host = options.host ?? '127.0.0.1';
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? DEFAULT_PORT, host, () => {
			server.off('error', reject);
			resolve();
		});
	});
	return new Sandbox(core, server, web, host);
}
