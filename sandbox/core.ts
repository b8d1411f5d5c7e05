/** Everything one running sandbox holds, shared by the API, the control surface and the in-process handle. */
import { randomUUID } from 'node:crypto';

import { shapeEventData } from './dialectFields';
import { DEFAULT_DIALECT } from './dialects';
import type { Dialect } from './dialects';
import { FaultInjector } from './faults';
import { applyConfigPatch, seedOptionsFrom } from './options';
import type { RuntimeConfig, RuntimeConfigPatch, SeedOptions } from './options';
import { RateLimiter } from './ratelimit';
import { RequestLog } from './requestlog';
import { PortalState } from './state';
import { isoOffsetTime } from './time';
import { TokenStore } from './tokens';
import type { DomainEvent } from './types';
import { WebhookDispatcher } from './webhooks';

/** A fired webhook event, whether or not any endpoint received it. */
export interface FiredEvent {
	eventId: string;
	eventType: string;
	hbClientId: string;
	bookingId: number | null;
	occurredAt: string;
	/** Endpoints it was sent to. */
	endpointIds: number[];
}

export type ResetOptions = Partial<SeedOptions> & RuntimeConfigPatch;

export class SandboxCore {
	config: RuntimeConfig;
	seedOptions: SeedOptions;
	state: PortalState;
	readonly tokens = new TokenStore();
	readonly limiter = new RateLimiter();
	readonly faults = new FaultInjector();
	readonly requests = new RequestLog();
	readonly dispatcher: WebhookDispatcher;
	events: FiredEvent[] = [];
	/** How this sandbox answers where the docs leave a question open; kept across resets. */
	dialect: Dialect;

	constructor(config: RuntimeConfig, seedOptions: SeedOptions, dialect: Dialect = DEFAULT_DIALECT) {
		this.config = config;
		this.seedOptions = seedOptions;
		this.dialect = dialect;
		this.dispatcher = new WebhookDispatcher(
			(id) => this.state.webhooks.find((w) => w.id === id),
			() => this.config.retryDelayMs,
		);
		this.state = this.newState();
	}

	private newState(): PortalState {
		return new PortalState(
			this.seedOptions,
			() => this.config,
			(event) => this.emit(event),
		);
	}

	configure(patch: RuntimeConfigPatch): RuntimeConfig {
		this.config = applyConfigPatch(this.config, patch);
		if (patch.rateLimit !== undefined) this.limiter.clear();
		return this.config;
	}

	/** Back to the seed: new data, no tokens, holds, webhooks, faults, logs or pending deliveries. */
	reset(options: ResetOptions = {}): void {
		const seedOptions = seedOptionsFrom(this.seedOptions, options);
		const config = applyConfigPatch(this.config, options);
		this.seedOptions = seedOptions;
		this.config = config;
		this.dispatcher.cancelAll();
		this.dispatcher.clearLog();
		this.tokens.clear();
		this.limiter.clear();
		this.faults.clear();
		this.requests.clear();
		this.events = [];
		this.state = this.newState();
	}

	/** Sends an event to the account's active endpoints subscribed to it (or the one it names). */
	emit(event: DomainEvent): string {
		const eventId = randomUUID();
		const occurredAt = isoOffsetTime(Date.now());
		const data = shapeEventData(this.dialect, event.type, event.data);
		const body = JSON.stringify({
			event_id: eventId,
			event_type: event.type,
			occurred_at: occurredAt,
			data,
		});
		const endpoints = this.state.webhooks.filter((w) =>
			event.endpointId !== undefined
				? w.id === event.endpointId
				: w.accountId === event.accountId && w.isActive && w.events.includes(event.type),
		);
		const account = this.state.accounts.find((a) => a.id === event.accountId);
		this.events.push({
			eventId,
			eventType: event.type,
			hbClientId: account?.hbClientId ?? '',
			bookingId: event.type.startsWith('booking.') ? Number(event.data.id) : null,
			occurredAt,
			endpointIds: endpoints.map((e) => e.id),
		});
		this.dispatcher.dispatch({ eventId, eventType: event.type, body }, endpoints);
		return eventId;
	}
}
