/** Injected faults for /api/v1 requests: error statuses, latency and dropped connections. */
import { HttpError } from './errors';

export interface FaultSpec {
	/** Answer with this status (and `{ message }`) instead of handling the request. */
	status?: number;
	/** Wait this long first; without `status` or `drop` the request is then handled normally. */
	latencyMs?: number;
	/** Destroy the socket without any response. */
	drop?: boolean;
	/** `Retry-After` seconds for a 429 (default 1) or any other status that should carry one. */
	retryAfter?: number;
	/** How many matching requests it affects (default 1). */
	count?: number;
	/** Only requests with this method. */
	method?: string;
	/** Only paths starting with this, relative to /api/v1 (`/bookings`) or absolute (`/api/v1/bookings`). */
	path?: string;
}

export interface ActiveFault {
	id: number;
	spec: FaultSpec;
	count: number;
	remaining: number;
}

const API_PREFIX = '/api/v1';

export class FaultInjector {
	private faults: ActiveFault[] = [];
	private nextId = 1;

	add(input: unknown): ActiveFault {
		const spec = parseFault(input);
		const fault = { id: this.nextId++, spec, count: spec.count ?? 1, remaining: spec.count ?? 1 };
		this.faults.push(fault);
		return fault;
	}

	/** Takes the first fault that matches, using up one of its count. */
	take(method: string, apiPath: string): FaultSpec | undefined {
		const fault = this.faults.find((f) => {
			const { method: m, path } = f.spec;
			if (m && m.toUpperCase() !== method) return false;
			if (!path) return true;
			const relative = path.startsWith(API_PREFIX) ? path.slice(API_PREFIX.length) : path;
			return apiPath.startsWith(relative);
		});
		if (!fault) return undefined;
		fault.remaining--;
		if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
		return fault.spec;
	}

	list(): ActiveFault[] {
		return this.faults.map((f) => ({ ...f }));
	}

	clear(): void {
		this.faults = [];
	}
}

function parseFault(input: unknown): FaultSpec {
	if (typeof input !== 'object' || input === null || Array.isArray(input)) {
		throw new HttpError(422, 'A fault must be a JSON object.');
	}
	const raw = input as Record<string, unknown>;
	const spec: FaultSpec = {};
	const integer = (name: keyof FaultSpec, min: number, max: number): number | undefined => {
		const value = raw[name];
		if (value === undefined) return undefined;
		if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
			throw new HttpError(422, `Fault ${name} must be an integer from ${min} to ${max}.`);
		}
		return value;
	};
	spec.status = integer('status', 100, 599);
	spec.latencyMs = integer('latencyMs', 0, 600_000);
	spec.retryAfter = integer('retryAfter', 0, 86_400);
	spec.count = integer('count', 1, 1_000_000);
	if (raw.drop !== undefined) {
		if (typeof raw.drop !== 'boolean') throw new HttpError(422, 'Fault drop must be a boolean.');
		spec.drop = raw.drop;
	}
	for (const name of ['method', 'path'] as const) {
		const value = raw[name];
		if (value === undefined) continue;
		if (typeof value !== 'string' || value === '')
			throw new HttpError(422, `Fault ${name} must be a non-empty string.`);
		spec[name] = name === 'method' ? value.toUpperCase() : value;
	}
	if (spec.status === undefined && spec.latencyMs === undefined && !spec.drop) {
		throw new HttpError(422, 'A fault needs status, latencyMs or drop.');
	}
	for (const key of Object.keys(spec) as (keyof FaultSpec)[])
		if (spec[key] === undefined) delete spec[key];
	return spec;
}
