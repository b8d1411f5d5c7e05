/**
 * Memory of event ids already handed to a workflow, so the API's retries of an event we did
 * acknowledge (a lost 2xx, a timeout) do not start it twice.
 *
 * The fast path, in the memory of the process serving the webhook: a retry it already saw is
 * acknowledged without starting an execution. Module-level because static data changed inside a
 * production `webhook()` is not reliably kept (measured on n8n 2.41.1). What survives restarts
 * and is shared by every n8n process is the record in n8n's processed-data store, checked in the
 * trigger's execution stage (handledEvents.ts).
 */

/** The API retries 5 times 15 minutes apart (75 minutes); two hours covers it with margin. */
export const DUPLICATE_HORIZON_MS = 2 * 60 * 60 * 1000;

/** Per endpoint; a busy account sends far fewer events than this in two hours. */
export const MAX_REMEMBERED_EVENTS = 10_000;

export class SeenEventIds {
	/** Event id → when first seen. A Map iterates in insertion order, so the oldest come first. */
	private readonly firstSeenAt = new Map<string, number>();

	constructor(
		private readonly horizonMs = DUPLICATE_HORIZON_MS,
		private readonly maxSize = MAX_REMEMBERED_EVENTS,
	) {}

	/** Remembers the id and returns true, or returns false when it was already seen within the horizon. */
	firstSighting(eventId: string, now = Date.now()): boolean {
		this.forgetExpired(now);
		if (this.firstSeenAt.has(eventId)) return false;
		this.firstSeenAt.set(eventId, now);
		if (this.firstSeenAt.size > this.maxSize) {
			const oldest = this.firstSeenAt.keys().next().value;
			if (oldest !== undefined) this.firstSeenAt.delete(oldest);
		}
		return true;
	}

	/** Lets a retry through again, for an event whose handling failed before it was acknowledged. */
	forget(eventId: string): void {
		this.firstSeenAt.delete(eventId);
	}

	get size(): number {
		return this.firstSeenAt.size;
	}

	private forgetExpired(now: number): void {
		for (const [eventId, seenAt] of this.firstSeenAt) {
			if (now - seenAt < this.horizonMs) break;
			this.firstSeenAt.delete(eventId);
		}
	}
}

const seenPerEndpoint = new Map<string, SeenEventIds>();

/** The memory of one registered endpoint (two workflows subscribed to one event each get it). */
export function seenEventIdsFor(endpointKey: string): SeenEventIds {
	let seen = seenPerEndpoint.get(endpointKey);
	if (!seen) {
		seen = new SeenEventIds();
		seenPerEndpoint.set(endpointKey, seen);
	}
	return seen;
}

/** Drops an endpoint's memory when the endpoint is deleted. */
export function forgetEndpoint(endpointKey: string): void {
	seenPerEndpoint.delete(endpointKey);
}
