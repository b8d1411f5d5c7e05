/**
 * Shared pieces of the resilience suites: a figures table that survives jest's output, raw HTTP
 * (duplicated headers, exact bytes), an independent webhook signer, a proxy in front of the API,
 * the sandbox internals only an in-process test can read (bookings, issued tokens) and n8n's
 * memory. The delivery relay in front of n8n, the readers of endpoints and executions and the
 * polling are shared with the e2e and queue-mode suites (test/harness/deliveryRelay.ts).
 */
import { createHmac, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { startSandbox } from '../../sandbox';
import type { Execution, N8nInstance } from '../../scripts/n8n/instance';
import { nodeOutput, NODE_TYPES, type WorkflowJson } from '../../scripts/n8n/workflows';
import { sleep } from '../harness/deliveryRelay';

export {
	DeliveryRelay,
	endpointsWithSecrets as endpointSecrets,
	registeredEndpoint,
	settledExecutions,
	sleep,
	waitFor,
} from '../harness/deliveryRelay';
export type { RelayAction, RelayedDelivery } from '../harness/deliveryRelay';

export type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

// ---- Figures ------------------------------------------------------------------------------------

export type FigureRow = [label: string, value: string | number];

/**
 * Prints a suite's figures straight to stdout (jest keeps it, unlike buffered console output) so
 * `npm run test:resilience` and CI logs show them whether the suite passed or not.
 */
export function printFigures(title: string, rows: FigureRow[], notes: string[] = []): void {
	const width = Math.max(...rows.map(([label]) => label.length), 20);
	const lines = [``, `┌─ ${title} `.padEnd(width + 16, '─')];
	for (const [label, value] of rows)
		lines.push(`│ ${label.padEnd(width)}  ${String(value).padStart(10)}`);
	for (const note of notes) lines.push(`│ ${note}`);
	lines.push(`└${'─'.repeat(width + 15)}`, '');
	process.stdout.write(`${lines.join('\n')}\n`);
}

/** Counts by key, for "status 401: 12" style figures. */
export class Tally {
	private readonly counts = new Map<string, number>();

	add(key: string, by = 1): void {
		this.counts.set(key, (this.counts.get(key) ?? 0) + by);
	}

	get(key: string): number {
		return this.counts.get(key) ?? 0;
	}

	entries(): Array<[string, number]> {
		return [...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b));
	}

	summary(): string {
		return this.entries()
			.map(([key, count]) => `${key}: ${count}`)
			.join(', ');
	}
}

// ---- Deterministic randomness -------------------------------------------------------------------

/** mulberry32: the same seed gives the same corpus on every run. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

// ---- Webhook signing and raw HTTP ------------------------------------------------------------

/** `sha256=` + hex HMAC-SHA256(secret, "{timestamp}.{raw body}"), written from the API documentation, not the node's code. */
export function sign(secret: string, timestamp: string | number, body: Buffer): string {
	return `sha256=${createHmac('sha256', secret)
		.update(Buffer.concat([Buffer.from(`${timestamp}.`), body]))
		.digest('hex')}`;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A delivery as bytes on the wire; a header given as an array is sent once per value. */
export interface RawDelivery {
	headers: Record<string, string | string[]>;
	body: Buffer;
}

export interface RawResponse {
	status: number;
	body: string;
	/** Wall-clock second the request left and the answer came back (for the replay-window boundary). */
	sentSecond: number;
	answeredSecond: number;
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 4 });

/** POSTs exactly these bytes and headers (duplicates included); a reset connection answers status 0. */
export function postRaw(
	url: string,
	delivery: RawDelivery,
	timeoutMs = 60_000,
): Promise<RawResponse> {
	return new Promise((resolve) => {
		const sentSecond = nowSeconds();
		const request = http.request(url, {
			method: 'POST',
			agent: delivery.body.length > 1_000_000 ? false : keepAlive,
		});
		for (const [name, value] of Object.entries(delivery.headers)) request.setHeader(name, value);
		if (!('content-length' in lowerKeys(delivery.headers)))
			request.setHeader('content-length', String(delivery.body.length));
		const timer = setTimeout(() => request.destroy(new Error('timeout')), timeoutMs);
		const done = (status: number, body: string) => {
			clearTimeout(timer);
			resolve({ status, body, sentSecond, answeredSecond: nowSeconds() });
		};
		request.on('response', (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () =>
				done(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')),
			);
			response.on('error', () =>
				done(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')),
			);
		});
		request.on('error', (error) => done(0, error.message));
		request.end(delivery.body);
	});
}

function lowerKeys(headers: Record<string, unknown>): Record<string, unknown> {
	return Object.fromEntries(
		Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value]),
	);
}

/** Waits until the wall clock is early in a second, so a delivery signed now is judged within that second. */
export async function earlyInSecond(maxMs = 150): Promise<void> {
	while (Date.now() % 1000 > maxMs) await sleep(Math.max(1, 1000 - (Date.now() % 1000)));
}

// ---- A proxy in front of the API -----------------------------------------------------------------

export interface SentRequest {
	method: string;
	/** Path and query, as sent. */
	url: string;
	headers: http.IncomingHttpHeaders;
	body: string;
}

/**
 * Sits between the node and the sandbox: records every byte the node sent (method, URL, headers,
 * body), and can lose the API's answer to chosen requests after the API has acted on them, as a
 * connection that breaks on the way back would (the sandbox's own faults strike before it acts).
 */
export class ApiProxy {
	readonly sent: SentRequest[] = [];
	private readonly losses: Array<{ method: string; path: string; remaining: number }> = [];
	private readonly redirects: Array<{
		method: string;
		path: string;
		location: string;
		status: number;
	}> = [];
	lostAnswers = 0;

	private constructor(
		private readonly server: http.Server,
		readonly origin: string,
		private readonly target: string,
	) {}

	static async start(target: string): Promise<ApiProxy> {
		let proxy: ApiProxy | undefined;
		const server = http.createServer((req, res) => void proxy?.handle(req, res));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		proxy = new ApiProxy(
			server,
			`http://127.0.0.1:${(server.address() as AddressInfo).port}`,
			target,
		);
		return proxy;
	}

	get apiUrl(): string {
		return `${this.origin}/api/v1`;
	}

	/** The API acts on the next `count` requests `method path` (path relative to /api/v1) but the node never hears back. */
	loseAnswers(method: string, path: string, count = 1): void {
		this.losses.push({ method, path, remaining: count });
	}

	/** Answers `method path` with a redirect to `location` (a file kept on another host, say) instead of asking the API. */
	redirect(method: string, path: string, location: string, status = 302): void {
		this.redirects.push({ method, path, location, status });
	}

	clearRedirects(): void {
		this.redirects.length = 0;
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const body = Buffer.concat(chunks);
		const url = req.url ?? '/';
		this.sent.push({
			method: req.method ?? 'GET',
			url,
			headers: req.headers,
			body: body.toString('utf8'),
		});
		const apiPath = url.split('?')[0].replace(/^\/api\/v1/, '');
		const redirect = this.redirects.find((r) => r.method === req.method && r.path === apiPath);
		if (redirect) {
			res.writeHead(redirect.status, { location: redirect.location });
			res.end();
			return;
		}
		const loss = this.losses.find(
			(l) => l.remaining > 0 && l.method === req.method && apiPath === l.path,
		);
		const headers = { ...req.headers };
		delete headers.host;
		delete headers.connection;
		const upstream = http.request(
			`${this.target}${url}`,
			{ method: req.method, headers, agent: false },
			(answer) => {
				const parts: Buffer[] = [];
				answer.on('data', (part: Buffer) => parts.push(part));
				answer.on('end', () => {
					if (loss) {
						loss.remaining--;
						this.lostAnswers++;
						req.socket.destroy();
						return;
					}
					res.writeHead(answer.statusCode ?? 502, answer.headers);
					res.end(Buffer.concat(parts));
				});
			},
		);
		upstream.on('error', () => req.socket.destroy());
		upstream.end(body);
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}
}

// ---- Sandbox internals (same process only) -------------------------------------------------------

interface SandboxInternals {
	core: {
		state: {
			bookings: Array<{
				id: number;
				accountId: number;
				details: { email: string };
				courseId: number;
				date: string;
				time: string;
				status: string;
			}>;
			accounts: Array<{ id: number; hbClientId: string }>;
		};
	};
}

const internals = (sandbox: Sandbox): SandboxInternals['core'] =>
	(sandbox as unknown as SandboxInternals).core;

/** Every booking of an account as the sandbox holds it (ground truth for lost and duplicated items). */
export function accountBookings(
	sandbox: Sandbox,
	hbClientId: string,
): Array<{
	id: number;
	email: string;
	courseId: number;
	date: string;
	time: string;
	status: string;
}> {
	const state = internals(sandbox).state;
	const account = state.accounts.find((a) => a.hbClientId === hbClientId);
	return state.bookings
		.filter((booking) => booking.accountId === account?.id)
		.map(({ id, details, courseId, date, time, status }) => ({
			id,
			email: details.email,
			courseId,
			date,
			time,
			status,
		}));
}

/** Every access and refresh token the sandbox ever issued (they must never show up anywhere else). */
export function issuedTokens(sandbox: Sandbox): string[] {
	return sandbox.issuedTokens();
}

// ---- n8n ----------------------------------------------------------------------------------------

export const TRIGGER_NODE = 'BLS Portal Trigger';

/** An active-able workflow: the BLS Portal Trigger followed by a No Op, with a fixed webhook id. */
export function triggerWorkflow(
	name: string,
	events: string[],
	credential: { id: string; name: string },
	options: Record<string, unknown> = {},
): { workflow: WorkflowJson; webhookId: string } {
	const webhookId = randomUUID();
	const workflow: WorkflowJson = {
		name,
		nodes: [
			{
				id: 'trigger',
				name: TRIGGER_NODE,
				type: NODE_TYPES.blsPortalTrigger,
				typeVersion: 1,
				position: [0, 0],
				webhookId,
				parameters: { events, options },
				credentials: { blsPortalApi: { id: credential.id, name: credential.name } },
			},
			{
				id: 'noop',
				name: 'Received',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [220, 0],
				parameters: {},
			},
		],
		connections: { [TRIGGER_NODE]: { main: [[{ node: 'Received', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
	return { workflow, webhookId };
}

/** The trigger item (`event_id`, `event_type`, `delivery_id`, ...) of each execution. */
export function triggerItems(
	executions: Execution[],
): Array<Record<string, unknown> & { executionId: string; status: string }> {
	return executions.flatMap((execution) => {
		const items = execution.data ? safeOutput(execution) : [];
		if (items.length === 0)
			return [{ executionId: String(execution.id), status: execution.status }];
		return items.map((item) => ({
			...(item as Record<string, unknown>),
			executionId: String(execution.id),
			status: execution.status,
		}));
	});
}

function safeOutput(execution: Execution): unknown[] {
	try {
		return nodeOutput(execution.data!, TRIGGER_NODE);
	} catch {
		return [];
	}
}

/** The process id of n8n itself (the child of the harness's supervisor), to read its memory. */
export function n8nPid(n8n: N8nInstance): number | undefined {
	const supervisor = (n8n as unknown as { process: { child: { pid?: number } } }).process.child.pid;
	if (supervisor === undefined) return undefined;
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			if (ppid !== supervisor) continue;
			const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
			if (
				cmdline.some((arg) => arg.endsWith('/n8n') || arg.endsWith('bin/n8n')) &&
				cmdline.includes('start')
			)
				return Number(entry);
		} catch {
			// the process ended while we looked
		}
	}
	return undefined;
}

/** Resident memory of a process in MiB (0 when it cannot be read). */
export function rssMiB(pid: number | undefined): number {
	if (pid === undefined) return 0;
	try {
		const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? 0);
		return Math.round((kb / 1024) * 10) / 10;
	} catch {
		return 0;
	}
}

export { triggerRegistrationSaved } from '../e2e/helpers';

export function formatSeconds(ms: number): string {
	return `${(ms / 1000).toFixed(1)} s`;
}
