/** Log of /api/v1 requests with exact counters (benchmarks compare them). */

export interface RequestLogEntry {
	method: string;
	/** Route template relative to /api/v1, e.g. `/bookings/{id}`; the raw path when no route matched. */
	path: string;
	/** Path and query as requested. */
	url: string;
	/** 0 when the connection was dropped by a fault. */
	status: number;
	at: string;
	durationMs: number;
	/** hb_client_id of the caller, when known. */
	clientId: string | null;
	/** Non-secret id of the token pair used (or issued by /auth/token), never the token. */
	tokenId: string | null;
	/** Set when an injected fault answered or delayed the request. */
	fault?: 'status' | 'latency' | 'drop';
}

export interface RequestLogSummary {
	total: number;
	/** `"GET /bookings": n` */
	byEndpoint: Record<string, number>;
	/** Requests to POST /auth/token, whatever the answer. */
	tokenExchanges: number;
	/** Requests to POST /auth/refresh, whatever the answer. */
	refreshes: number;
	/** Responses with status 429 (rate limit or injected). */
	status429: number;
	byStatus: Record<string, number>;
	entries: RequestLogEntry[];
}

/** Older entries are dropped past this many; the counters stay exact. */
const MAX_ENTRIES = 20_000;

export class RequestLog {
	private entries: RequestLogEntry[] = [];
	private total = 0;
	private byEndpoint: Record<string, number> = {};
	private byStatus: Record<string, number> = {};

	add(entry: RequestLogEntry): void {
		this.total++;
		const key = `${entry.method} ${entry.path}`;
		this.byEndpoint[key] = (this.byEndpoint[key] ?? 0) + 1;
		this.byStatus[entry.status] = (this.byStatus[entry.status] ?? 0) + 1;
		this.entries.push(entry);
		if (this.entries.length > MAX_ENTRIES) this.entries.shift();
	}

	summary(): RequestLogSummary {
		return {
			total: this.total,
			byEndpoint: { ...this.byEndpoint },
			tokenExchanges: this.byEndpoint['POST /auth/token'] ?? 0,
			refreshes: this.byEndpoint['POST /auth/refresh'] ?? 0,
			status429: this.byStatus['429'] ?? 0,
			byStatus: { ...this.byStatus },
			entries: [...this.entries],
		};
	}

	clear(): void {
		this.entries = [];
		this.total = 0;
		this.byEndpoint = {};
		this.byStatus = {};
	}
}
