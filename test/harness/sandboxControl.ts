import type { IDataObject } from 'n8n-workflow';

/** Calls the sandbox's control surface (`/_sandbox/...`), which is outside the API and its rate limit. */
export async function control<T = IDataObject>(
	origin: string,
	method: 'GET' | 'POST' | 'DELETE',
	path: string,
	body?: unknown,
): Promise<T> {
	const response = await fetch(`${origin}/_sandbox${path}`, {
		method,
		headers: body === undefined ? undefined : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await response.text();
	if (!response.ok) throw new Error(`${method} /_sandbox${path} → ${response.status}: ${text}`);
	return (text ? JSON.parse(text) : {}) as T;
}

export interface RequestLog {
	total: number;
	byEndpoint: Record<string, number>;
	tokenExchanges: number;
	refreshes: number;
	status429: number;
	byStatus: Record<string, number>;
	entries: Array<{ method: string; path: string; url: string; status: number }>;
}

export const requestLog = async (origin: string) =>
	await control<RequestLog>(origin, 'GET', '/requests');

export const clearRequestLog = async (origin: string) =>
	await control(origin, 'DELETE', '/requests');
