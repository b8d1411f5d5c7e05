/**
 * Pieces of the queue-mode suite: a downstream sink (a local HTTP server the workflows' last node
 * calls, so "downstream work" is counted outside n8n), workflows started by n8n's Webhook node,
 * and calls spread over the webhook processes.
 */
import { randomUUID } from 'crypto';
import * as http from 'http';
import type { AddressInfo } from 'net';

import type { Execution } from '../../scripts/n8n/instance';
import {
	chainWorkflow,
	NODE_TYPES,
	type NodeSpec,
	type WorkflowJson,
} from '../../scripts/n8n/workflows';

export interface SinkHit {
	path: string;
	method: string;
	headers: http.IncomingHttpHeaders;
	body: Buffer;
}

/** Records every request the workflows' downstream node makes; answers 200 `{ ok: true }`. */
export class Sink {
	readonly hits: SinkHit[] = [];

	private constructor(
		private readonly server: http.Server,
		readonly origin: string,
	) {}

	static async start(): Promise<Sink> {
		let sink: Sink | undefined;
		const server = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (chunk: Buffer) => chunks.push(chunk));
			req.on('end', () => {
				sink?.hits.push({
					path: req.url ?? '/',
					method: req.method ?? 'GET',
					headers: req.headers,
					body: Buffer.concat(chunks),
				});
				res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
			});
		});
		server.keepAliveTimeout = 1000;
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		sink = new Sink(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
		return sink;
	}

	/** Hits whose path starts with `/<kind>/`, counted by the rest of the path. */
	countsOf(kind: string): Map<string, number> {
		const counts = new Map<string, number>();
		for (const hit of this.hits) {
			if (!hit.path.startsWith(`/${kind}/`)) continue;
			const key = decodeURIComponent(hit.path.slice(kind.length + 2));
			counts.set(key, (counts.get(key) ?? 0) + 1);
		}
		return counts;
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}
}

/** An HTTP Request node (v4.2) that GETs `<sink>/<kind>/<key>` once per item. */
export function sinkNode(name: string, sink: Sink, kind: string, keyExpression: string): NodeSpec {
	return {
		name,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		parameters: {
			method: 'GET',
			url: `={{ "${sink.origin}/${kind}/" + encodeURIComponent(${keyExpression}) }}`,
			options: {},
		},
	};
}

/** A Webhook node (v2) answering as soon as the execution is queued; its production path is returned. */
export function webhookStart(): { node: NodeSpec; path: string } {
	const path = `queue-${randomUUID()}`;
	return {
		path,
		node: {
			name: 'Start',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			webhookId: randomUUID(),
			parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
		},
	};
}

/** A workflow started by POST /webhook/<path>, running `nodes` after the Webhook node. */
export function webhookWorkflow(
	name: string,
	nodes: NodeSpec[],
): { workflow: WorkflowJson; path: string } {
	const start = webhookStart();
	return { workflow: chainWorkflow(name, [start.node, ...nodes]), path: start.path };
}

export function blsNode(
	name: string,
	parameters: Record<string, unknown>,
	extra: Partial<NodeSpec> = {},
): NodeSpec {
	return { name, type: NODE_TYPES.blsPortal, typeVersion: 1, parameters, ...extra };
}

/**
 * POSTs JSON to a Webhook node's production path on one webhook process; resolves with the status.
 * Activation registers webhooks shortly after the API call returns, so a 404 (no execution started)
 * is tried again for up to a minute.
 */
export async function postJson(origin: string, path: string, body: unknown): Promise<number> {
	const deadline = Date.now() + 60_000;
	for (;;) {
		const response = await fetch(`${origin}/webhook/${path}`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		await response.arrayBuffer();
		if (response.status !== 404 || Date.now() > deadline) return response.status;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** The error message of a failed execution (its last node error, or the run's). */
export function executionError(execution: Execution): string {
	const result = execution.data?.resultData as
		{ error?: { message?: string; description?: string } } | undefined;
	return [result?.error?.message, result?.error?.description].filter(Boolean).join(' — ');
}

/** Counts how often each value occurs. */
export function tally<T>(values: T[]): Map<T, number> {
	const counts = new Map<T, number>();
	for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
	return counts;
}

/** Prints a scenario's measured counts straight to stdout (jest keeps it) for the CI log and the report. */
export function report(title: string, figures: Record<string, unknown>): void {
	process.stdout.write(`\n[queue] ${title}: ${JSON.stringify(figures)}\n`);
}
