/**
 * A small HTTP load generator on loopback: `concurrency` keep-alive connections, each sending the
 * next request as soon as the previous answer has been read, for a fixed duration.
 */
import * as http from 'http';

export interface LoadResult {
	/** Requests sent (answered or not). */
	sent: number;
	/** Answers with a 2xx status. */
	ok: number;
	/** Answers by status, plus "error" for requests that got no answer. */
	byStatus: Record<string, number>;
	/** Latency of every answered request, in ms (send to last byte). */
	latenciesMs: number[];
	elapsedMs: number;
}

export interface LoadRequest {
	headers: Record<string, string>;
	body: Buffer;
}

/** Sends `next()` requests to `url` until `durationMs` is over; requests in flight then finish. */
export async function runLoad(
	url: string,
	next: () => LoadRequest,
	options: { concurrency: number; durationMs: number },
): Promise<LoadResult> {
	const target = new URL(url);
	const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
	const result: LoadResult = { sent: 0, ok: 0, byStatus: {}, latenciesMs: [], elapsedMs: 0 };
	const started = process.hrtime.bigint();
	const deadline = Date.now() + options.durationMs;

	const one = (request: LoadRequest): Promise<void> =>
		new Promise((resolve) => {
			const sentAt = process.hrtime.bigint();
			const req = http.request(
				{
					agent,
					host: target.hostname,
					port: target.port,
					path: `${target.pathname}${target.search}`,
					method: 'POST',
					headers: { ...request.headers, 'content-length': String(request.body.length) },
				},
				(res) => {
					res.on('data', () => undefined);
					res.on('end', () => {
						const status = res.statusCode ?? 0;
						result.latenciesMs.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
						result.byStatus[status] = (result.byStatus[status] ?? 0) + 1;
						if (status >= 200 && status < 300) result.ok++;
						resolve();
					});
				},
			);
			req.on('error', () => {
				result.byStatus.error = (result.byStatus.error ?? 0) + 1;
				resolve();
			});
			req.end(request.body);
		});

	const worker = async (): Promise<void> => {
		while (Date.now() < deadline) {
			result.sent++;
			await one(next());
		}
	};
	await Promise.all(Array.from({ length: options.concurrency }, worker));
	result.elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
	agent.destroy();
	return result;
}

/** The p-th percentile (0–100) by nearest rank. */
export function percentile(values: number[], p: number): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
	return sorted[rank - 1];
}
