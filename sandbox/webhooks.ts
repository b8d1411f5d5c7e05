/** Signed, asynchronous webhook deliveries with retries, as the API documents them. */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';

import { isoTime } from './time';
import type { WebhookEndpoint } from './types';

export interface DeliveryAttempt {
	eventId: string;
	eventType: string;
	/** Numeric, new for every attempt. */
	deliveryId: number;
	endpointId: number;
	url: string;
	/** 1 for the first try, 2 for the first retry, … */
	attempt: number;
	/** HTTP status of the answer, or null when there was none (see `error`). */
	status: number | null;
	error: string | null;
	ok: boolean;
	durationMs: number;
	at: string;
	/** When the next retry is due, or null when none follows. */
	nextRetryAt: string | null;
}

export interface OutgoingEvent {
	eventId: string;
	eventType: string;
	/** The exact JSON body; every attempt sends the same one. */
	body: string;
}

interface Job {
	event: OutgoingEvent;
	endpointId: number;
	attempt: number;
	maxRetries: number;
	/** Jobs of an older generation (before a reset) are dropped. */
	generation: number;
	timer?: NodeJS.Timeout;
	dueAt?: number;
}

export interface PendingRetry {
	eventId: string;
	eventType: string;
	endpointId: number;
	attempt: number;
	dueAt: string;
}

export function signature(secret: string, timestamp: number, body: string): string {
	return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export class WebhookDispatcher {
	private nextDeliveryId = 1;
	private log: DeliveryAttempt[] = [];
	private readonly scheduled = new Set<Job>();
	private readonly inflight = new Set<Promise<void>>();
	private readonly requests = new Set<http.ClientRequest>();
	private stopped = false;
	private generation = 0;

	constructor(
		private readonly endpoint: (id: number) => WebhookEndpoint | undefined,
		private readonly retryDelayMs: () => number,
	) {}

	/** Starts the first attempt to each endpoint; never waits for it. */
	dispatch(event: OutgoingEvent, endpoints: WebhookEndpoint[]): void {
		for (const endpoint of endpoints) {
			this.run({
				event,
				endpointId: endpoint.id,
				attempt: 1,
				maxRetries: endpoint.maxRetries,
				generation: this.generation,
			});
		}
	}

	private run(job: Job): Promise<void> {
		const promise = this.attempt(job).finally(() => this.inflight.delete(promise));
		this.inflight.add(promise);
		return promise;
	}

	private async attempt(job: Job): Promise<void> {
		const endpoint = this.endpoint(job.endpointId);
		// Retries stop once the endpoint is deleted or switched off.
		const current = () => !this.stopped && job.generation === this.generation;
		if (!current() || !endpoint || (job.attempt > 1 && !endpoint.isActive)) return;
		const deliveryId = this.nextDeliveryId++;
		const timestamp = Math.floor(Date.now() / 1000);
		const headers = {
			'Content-Type': 'application/json',
			'User-Agent': 'TDTA-Webhooks/1.0 (BLS sandbox)',
			'X-TDTA-Event': job.event.eventType,
			'X-TDTA-Event-Id': job.event.eventId,
			'X-TDTA-Delivery-Id': String(deliveryId),
			'X-TDTA-Timestamp': String(timestamp),
			'X-TDTA-Signature': signature(endpoint.secret, timestamp, job.event.body),
		};
		const started = Date.now();
		const result = await this.post(
			endpoint.url,
			headers,
			job.event.body,
			endpoint.timeoutSeconds * 1000,
		);
		const finished = Date.now();
		const ok = result.status !== undefined && result.status >= 200 && result.status < 300;
		endpoint.lastCalledAt = finished;
		if (ok) {
			endpoint.failureCount = 0;
		} else {
			endpoint.failureCount++;
			endpoint.lastFailedAt = finished;
		}
		if (!current()) return;
		const retry = !ok && job.attempt <= job.maxRetries;
		const dueAt = finished + this.retryDelayMs();
		this.log.push({
			eventId: job.event.eventId,
			eventType: job.event.eventType,
			deliveryId,
			endpointId: endpoint.id,
			url: endpoint.url,
			attempt: job.attempt,
			status: result.status ?? null,
			error: result.error ?? null,
			ok,
			durationMs: finished - started,
			at: isoTime(started),
			nextRetryAt: retry ? isoTime(dueAt) : null,
		});
		if (retry) this.schedule({ ...job, attempt: job.attempt + 1, dueAt });
	}

	private schedule(job: Job): void {
		job.timer = setTimeout(() => {
			this.scheduled.delete(job);
			void this.run(job);
		}, this.retryDelayMs());
		job.timer.unref();
		this.scheduled.add(job);
	}

	private post(
		url: string,
		headers: Record<string, string>,
		body: string,
		timeoutMs: number,
	): Promise<{ status?: number; error?: string }> {
		return new Promise((resolve) => {
			let target: URL;
			try {
				target = new URL(url);
			} catch {
				resolve({ error: 'invalid URL' });
				return;
			}
			const client = target.protocol === 'https:' ? https : http;
			const request = client.request(target, {
				method: 'POST',
				agent: false,
				headers: {
					...headers,
					'Content-Length': String(Buffer.byteLength(body)),
					Connection: 'close',
				},
			});
			this.requests.add(request);
			const deadline = setTimeout(
				() => request.destroy(new Error(`timeout after ${timeoutMs} ms`)),
				timeoutMs,
			);
			deadline.unref();
			const finish = (outcome: { status?: number; error?: string }) => {
				clearTimeout(deadline);
				this.requests.delete(request);
				resolve(outcome);
			};
			request.on('response', (response) => {
				response.resume();
				response.on('end', () => finish({ status: response.statusCode }));
				response.on('error', (error) =>
					finish({ status: response.statusCode, error: error.message }),
				);
			});
			request.on('error', (error) => finish({ error: error.message }));
			request.end(body);
		});
	}

	/** Fires every scheduled retry now and waits for those attempts; returns how many. */
	async flush(): Promise<number> {
		const jobs = [...this.scheduled];
		for (const job of jobs) {
			clearTimeout(job.timer);
			this.scheduled.delete(job);
		}
		await Promise.all(jobs.map((job) => this.run(job)));
		return jobs.length;
	}

	/** Resolves true once nothing is in flight or scheduled, false after `timeoutMs`. */
	async idle(timeoutMs = 10_000): Promise<boolean> {
		const deadline = Date.now() + timeoutMs;
		while (this.inflight.size > 0 || this.scheduled.size > 0) {
			if (Date.now() >= deadline) return false;
			if (this.inflight.size > 0) await Promise.race([...this.inflight, sleep(20)]);
			else await sleep(Math.min(20, deadline - Date.now()));
		}
		return true;
	}

	/** Cancels scheduled retries and in-flight requests (reset, stop). */
	cancelAll(): void {
		this.generation++;
		for (const job of this.scheduled) clearTimeout(job.timer);
		this.scheduled.clear();
		for (const request of this.requests) request.destroy(new Error('sandbox stopped'));
	}

	async stop(): Promise<void> {
		this.stopped = true;
		this.cancelAll();
		await Promise.allSettled([...this.inflight]);
	}

	attempts(): DeliveryAttempt[] {
		return [...this.log];
	}

	pending(): PendingRetry[] {
		return [...this.scheduled].map((job) => ({
			eventId: job.event.eventId,
			eventType: job.event.eventType,
			endpointId: job.endpointId,
			attempt: job.attempt,
			dueAt: isoTime(job.dueAt ?? Date.now()),
		}));
	}

	clearLog(): void {
		this.log = [];
	}
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}
