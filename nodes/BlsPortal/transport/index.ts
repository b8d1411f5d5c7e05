import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IN8nHttpFullResponse,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { credentialsRejection, normalizeBaseUrl } from '../../../credentials/BlsPortalApi.credentials';

export type BlsFunctions = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

const CREDENTIAL_TYPE = 'blsPortalApi';

/** The largest `per_page` the API accepts (documented in docs/api-assumptions.md). */
export const MAX_PAGE_SIZE = 100;

/** Back-off bounds: enough to ride out one full 60-second rate-limit window twice over. */
export const RETRY_LIMITS = {
	rateLimitAttempts: 8,
	rateLimitTotalWaitMs: 180_000,
	transientAttempts: 4,
	firstBackoffMs: 500,
	maxBackoffMs: 30_000,
};

const TRANSIENT_STATUSES = new Set([500, 502, 503, 504]);
const NETWORK_ERROR_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'ECONNABORTED',
	'ETIMEDOUT',
	'EPIPE',
	'EAI_AGAIN',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

interface Failure {
	status?: number;
	/** Set when signing in failed because the portal refused the credential's client ID / API key. */
	rejectedCredentials?: { message: string; description: string };
	body?: IDataObject;
	retryAfterMs?: number;
	networkCode?: string;
	message: string;
}

export interface BlsRequestOptions {
	body?: IDataObject;
	qs?: IDataObject;
	/** Shown in "not found" errors, e.g. "booking 123". */
	resourceLabel?: string;
}

/**
 * One decrypted credential object per node run. n8n's 401 handling writes the refreshed token into
 * the object it was given, so handing the same object to every request means the pages after a
 * refresh use the new token instead of each paying for their own 401 and refresh.
 */
const credentialsPerRun = new WeakMap<object, Promise<ICredentialDataDecryptedObject>>();

async function credentialsOf(ctx: BlsFunctions): Promise<ICredentialDataDecryptedObject> {
	let credentials = credentialsPerRun.get(ctx);
	if (!credentials) {
		credentials = ctx.getCredentials<ICredentialDataDecryptedObject>(CREDENTIAL_TYPE);
		credentialsPerRun.set(ctx, credentials);
	}
	return await credentials;
}

function headerValue(headers: unknown, name: string): string | undefined {
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

/** Reads status, body and Retry-After from whatever n8n's request helper threw. */
function describeFailure(error: unknown): Failure {
	const e = error as {
		message?: string;
		httpCode?: string | null;
		code?: string;
		context?: { data?: unknown };
		response?: { status?: number; headers?: unknown; data?: unknown };
		cause?: { code?: string; message?: string; response?: { status?: number; headers?: unknown; data?: unknown } };
	};
	const response = e.cause?.response ?? e.response;
	const status = response?.status ?? (e.httpCode ? Number(e.httpCode) : undefined);
	const retryAfter = Number(headerValue(response?.headers, 'retry-after'));
	const rejected = credentialsRejection(error);
	return {
		status: Number.isFinite(status) ? status : undefined,
		...(rejected ? { rejectedCredentials: { message: rejected.message, description: rejected.description } } : {}),
		body: parseBody(response?.data ?? e.context?.data),
		retryAfterMs: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter * 1000 : undefined,
		networkCode: response ? undefined : (e.cause?.code ?? e.code),
		message: String(e.message ?? e.cause?.message ?? 'Unknown error'),
	};
}

function backoffMs(attempt: number): number {
	const exponential = Math.min(RETRY_LIMITS.maxBackoffMs, RETRY_LIMITS.firstBackoffMs * 2 ** attempt);
	return exponential / 2 + Math.random() * (exponential / 2);
}

function fieldErrors(body: IDataObject | undefined): string | undefined {
	const errors = body?.errors;
	if (!errors || typeof errors !== 'object') return undefined;
	const lines = Object.entries(errors as IDataObject).map(([field, messages]) => {
		const text = Array.isArray(messages) ? messages.join(' ') : String(messages);
		return `${field}: ${text}`;
	});
	return lines.length ? lines.join('\n') : undefined;
}

function withoutFullStop(text: string): string {
	return text.replace(/\.+$/, '');
}

function formatTime(iso: unknown): string | undefined {
	if (typeof iso !== 'string') return undefined;
	const date = new Date(iso);
	return Number.isNaN(date.getTime()) ? undefined : `${date.toISOString().slice(11, 16)} UTC`;
}

/** Turns a failure into the error the user sees: the API's reason first, then what to do about it. */
function toNodeApiError(ctx: BlsFunctions, failure: Failure, method: string, options: BlsRequestOptions): NodeApiError {
	const { status, body } = failure;
	const apiMessage = typeof body?.message === 'string' ? body.message : undefined;
	const sanitized = { message: apiMessage ?? failure.message, ...(status ? { httpCode: String(status) } : {}) } as JsonObject;
	const make = (message: string, description?: string) =>
		new NodeApiError(ctx.getNode(), sanitized, { message, description, httpCode: status ? String(status) : undefined });

	if (failure.rejectedCredentials) {
		return make(failure.rejectedCredentials.message, failure.rejectedCredentials.description);
	}
	switch (status) {
		case 401:
			return make(
				'BLS Portal did not accept the access token, even after signing in again',
				apiMessage ?? 'Check that the API key is still active and that the Base URL of the credential is right.',
			);
		case 404:
			return make(
				`The ${options.resourceLabel ?? 'requested item'} was not found in this BLS account`,
				`${withoutFullStop(apiMessage ?? 'Not found')}. It may not exist, or it may belong to another agency's account.`,
			);
		case 409: {
			const until = formatTime(body?.expires_at ?? (body?.data as IDataObject | undefined)?.expires_at);
			const holdHash = body?.hold_hash ?? (body?.data as IDataObject | undefined)?.hold_hash;
			return make(
				'Another timeslot hold is active on this account (one is allowed at a time)',
				`${withoutFullStop(apiMessage ?? 'Conflict')}. Release it with Timeslot → Release Hold${holdHash ? ` (hold hash ${String(holdHash)})` : ''}, or wait until it expires${until ? ` at ${until}` : ''}.`,
			);
		}
		case 422:
			return make(apiMessage ?? 'BLS Portal rejected the request', fieldErrors(body) ?? apiMessage);
		case 429:
			return make(
				'BLS Portal rate limit (60 requests a minute) is still exceeded after waiting',
				'The node waited as long as the API asked and retried. Run the workflow less often, use Limit instead of Return All, or spread the work over time.',
			);
		default:
			break;
	}
	if (status && status >= 300 && status < 400) {
		return make(
			`BLS Portal answered with a redirect (HTTP ${status}) instead of an answer`,
			'The node does not follow redirects when signing in, so the API key and tokens only ever go to the Base URL of the credential. Check that Base URL (https://, ending in /api/v1).',
		);
	}
	if (status && status >= 500) {
		const notRetried =
			method === 'GET' || method === 'DELETE'
				? 'The request was retried and kept failing.'
				: 'The request was not retried because the API may have applied it: check its effect (for example with Booking → Get Many) before running it again.';
		return make(`BLS Portal server error (${status})${apiMessage ? `: ${apiMessage}` : ''}`, notRetried);
	}
	if (failure.networkCode) {
		return make(`Could not reach BLS Portal (${failure.networkCode})`, failure.message);
	}
	return make(apiMessage ?? failure.message);
}

function mayRetry(method: IHttpRequestMethods, failure: Failure): boolean {
	// Connection refused means the API never saw the request, so even a POST is safe to send again.
	if (failure.networkCode === 'ECONNREFUSED') return true;
	if (method !== 'GET' && method !== 'DELETE') return false;
	if (failure.status !== undefined) return TRANSIENT_STATUSES.has(failure.status);
	return failure.networkCode !== undefined && NETWORK_ERROR_CODES.has(failure.networkCode);
}

/**
 * Sends one request with the credential's bearer token, riding out rate limits for every method
 * and transient failures for GET and DELETE (a retried POST could book a candidate twice).
 */
async function send(
	ctx: BlsFunctions,
	method: IHttpRequestMethods,
	endpoint: string,
	options: BlsRequestOptions,
	extra: Partial<IHttpRequestOptions> = {},
): Promise<IN8nHttpFullResponse> {
	const credentials = await credentialsOf(ctx);
	const node = ctx.getNode();
	const request: IHttpRequestOptions = {
		method,
		url: `${normalizeBaseUrl(credentials.baseUrl)}${endpoint}`,
		qs: options.qs,
		body: options.body,
		json: true,
		returnFullResponse: true,
		// n8n copies the Authorization header onto redirects to other hosts unless told not to: the
		// bearer token must only ever reach the credential's own API (a download kept elsewhere gets none).
		sendCredentialsOnCrossOriginRedirect: false,
		...extra,
	};
	const credentialsDecrypted = {
		id: node.credentials?.[CREDENTIAL_TYPE]?.id ?? '',
		name: node.credentials?.[CREDENTIAL_TYPE]?.name ?? '',
		type: CREDENTIAL_TYPE,
		data: credentials,
	};

	let rateLimited = 0;
	let waitedMs = 0;
	let transient = 0;
	for (;;) {
		try {
			return (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, { ...request }, {
				credentialsDecrypted,
			})) as IN8nHttpFullResponse;
		} catch (error) {
			const failure = describeFailure(error);
			if (failure.status === 429 && rateLimited < RETRY_LIMITS.rateLimitAttempts) {
				const wait = failure.retryAfterMs ?? backoffMs(rateLimited);
				if (waitedMs + wait <= RETRY_LIMITS.rateLimitTotalWaitMs) {
					rateLimited++;
					waitedMs += wait;
					await sleep(wait);
					continue;
				}
			}
			if (transient < RETRY_LIMITS.transientAttempts && mayRetry(method, failure)) {
				await sleep(backoffMs(transient++));
				continue;
			}
			throw toNodeApiError(ctx, failure, method, options);
		}
	}
}

/** Authenticated JSON request to the BLS Portal API; `endpoint` is a path such as `/bookings`. */
export async function blsApiRequest(
	this: BlsFunctions,
	method: IHttpRequestMethods,
	endpoint: string,
	options: BlsRequestOptions = {},
): Promise<IDataObject> {
	const response = await send(this, method, endpoint, options);
	return (response.body ?? {}) as IDataObject;
}

/** Downloads a file (the certificate PDF) with its file name from Content-Disposition. */
export async function blsApiDownload(
	this: BlsFunctions,
	endpoint: string,
	options: BlsRequestOptions = {},
): Promise<{ data: Buffer; fileName?: string; mimeType: string }> {
	const response = await send(this, 'GET', endpoint, options, { json: false, encoding: 'arraybuffer' });
	const disposition = headerValue(response.headers, 'content-disposition') ?? '';
	const fileName = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)?.[1];
	return {
		data: Buffer.from(response.body as Buffer),
		fileName: fileName ? decodeURIComponent(fileName) : undefined,
		mimeType: (headerValue(response.headers, 'content-type') ?? 'application/pdf').split(';')[0],
	};
}

interface PageRequest {
	page: number;
	perPage: number;
}

/**
 * The pages a Limit needs: always the fewest calls (`ceil(limit / 100)`), laid out to fetch as few
 * items beyond the limit as possible. Either the limit spread evenly over those pages, or full
 * pages followed by one page whose size divides the offset so it starts exactly where they end
 * (101 = page 1 of 100 + page 101 of 1).
 */
export function pagesForLimit(limit: number): PageRequest[] {
	const calls = Math.ceil(limit / MAX_PAGE_SIZE);
	const even = Math.ceil(limit / calls);
	const evenly = Array.from({ length: calls }, (_, i) => ({ page: i + 1, perPage: even }));

	const offset = (calls - 1) * MAX_PAGE_SIZE;
	const remainder = limit - offset;
	let lastSize = remainder;
	while (offset % lastSize !== 0) lastSize++;
	const fullThenExact = [
		...Array.from({ length: calls - 1 }, (_, i) => ({ page: i + 1, perPage: MAX_PAGE_SIZE })),
		{ page: offset / lastSize + 1, perPage: lastSize },
	];
	return even * calls - limit <= lastSize - remainder ? evenly : fullThenExact;
}

/**
 * Walks a list endpoint's `{ data, meta, links }` envelope. Without a limit it fetches every page at
 * the largest page size; with one it asks only for the pages {@link pagesForLimit} lays out.
 */
export async function blsApiList(
	this: BlsFunctions,
	endpoint: string,
	qs: IDataObject = {},
	limit?: number,
): Promise<IDataObject[]> {
	const items: IDataObject[] = [];
	const seenIds = new Set<unknown>();

	/** Fetches one page, keeps its new items, and tells whether the list goes on after it. */
	const readPage = async ({ page, perPage }: PageRequest): Promise<boolean> => {
		const response = await blsApiRequest.call(this, 'GET', endpoint, { qs: { ...qs, page, per_page: perPage } });
		const data = Array.isArray(response.data) ? (response.data as IDataObject[]) : [];
		for (const item of data) {
			// Pages are read one after another while bookings may change; never hand out one twice.
			if (item.id !== undefined) {
				if (seenIds.has(item.id)) continue;
				seenIds.add(item.id);
			}
			items.push(item);
		}
		const meta = (response.meta ?? {}) as IDataObject;
		const links = (response.links ?? {}) as IDataObject;
		const lastPage = Number(meta.last_page);
		const morePages = Number.isFinite(lastPage) && lastPage > 0 ? page < lastPage : Boolean(links.next);
		return data.length > 0 && morePages;
	};

	if (limit === undefined) {
		for (let page = 1; await readPage({ page, perPage: MAX_PAGE_SIZE }); page++);
		return items;
	}
	for (const request of pagesForLimit(Math.max(1, limit))) {
		if (!(await readPage(request)) || items.length >= limit) break;
	}
	return items.slice(0, limit);
}

/** Single resources come as `{ data: {...} }`; tolerate a bare object too. */
export function unwrapData(response: IDataObject): IDataObject {
	const data = response?.data;
	return data && typeof data === 'object' && !Array.isArray(data) ? (data as IDataObject) : response;
}
