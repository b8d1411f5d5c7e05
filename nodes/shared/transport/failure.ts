/** Reading what n8n's request helper threw: status, API body, Retry-After, network code. */
import type { IDataObject } from 'n8n-workflow';

import { credentialsRejection } from '../../../credentials/BlsPortalApi.credentials';

export interface Failure {
	status?: number;
	/** Set when signing in failed because the portal refused the credential's client ID / API key. */
	rejectedCredentials?: { message: string; description: string };
	body?: IDataObject;
	/** From Retry-After, in seconds or as an HTTP-date; undefined when absent, empty or unreadable. */
	retryAfterMs?: number;
	networkCode?: string;
	message: string;
}

export function headerValue(headers: unknown, name: string): string | undefined {
	if (!headers || typeof headers !== 'object') return undefined;
	const h = headers as Record<string, unknown> & { get?: (n: string) => unknown };
	const value = typeof h.get === 'function' ? h.get(name) : (h[name] ?? h[name.toLowerCase()]);
	return value === undefined || value === null ? undefined : String(value);
}

function parseBody(data: unknown): IDataObject | undefined {
	if (data === undefined || data === null) return undefined;
	if (Buffer.isBuffer(data) || data instanceof ArrayBuffer) {
		try {
			return JSON.parse(Buffer.from(data as Buffer).toString('utf8')) as IDataObject;
		} catch {
			return undefined;
		}
	}
	if (typeof data === 'string') {
		try {
			return JSON.parse(data) as IDataObject;
		} catch {
			return { message: data.slice(0, 500) };
		}
	}
	return typeof data === 'object' ? (data as IDataObject) : undefined;
}

/**
 * Retry-After as a wait in milliseconds: whole seconds or an HTTP-date (RFC 9110 allows both).
 * Empty or unreadable counts as absent, not as "retry at once"; a date already past gives undefined
 * too (a skewed clock would otherwise retry into the same closed window).
 */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
	const text = value?.trim();
	if (!text) return undefined;
	if (/^\d+(\.\d+)?$/.test(text)) return Number(text) * 1000;
	const at = Date.parse(text);
	if (Number.isNaN(at) || at <= now) return undefined;
	return at - now;
}

/** Reads status, body and Retry-After from whatever n8n's request helper threw. */
export function describeFailure(error: unknown): Failure {
	const e = error as {
		message?: string;
		httpCode?: string | null;
		code?: string;
		context?: { data?: unknown };
		response?: { status?: number; headers?: unknown; data?: unknown };
		cause?: {
			code?: string;
			message?: string;
			response?: { status?: number; headers?: unknown; data?: unknown };
		};
	};
	const response = e.cause?.response ?? e.response;
	const status = response?.status ?? (e.httpCode ? Number(e.httpCode) : undefined);
	const rejected = credentialsRejection(error);
	return {
		status: Number.isFinite(status) ? status : undefined,
		...(rejected
			? { rejectedCredentials: { message: rejected.message, description: rejected.description } }
			: {}),
		body: parseBody(response?.data ?? e.context?.data),
		retryAfterMs: retryAfterMs(headerValue(response?.headers, 'retry-after')),
		networkCode: response ? undefined : (e.cause?.code ?? e.code),
		message: String(e.message ?? e.cause?.message ?? 'Unknown error'),
	};
}
