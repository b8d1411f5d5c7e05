/** Request and retry: one authenticated call, riding out rate limits and transient failures. */
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
} from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import { apiBaseUrl, apiKind } from '../../../credentials/BlsPortalApi.credentials';
import type { ApiKind } from '../../../credentials/BlsPortalApi.credentials';
import {
	pacedRequest,
	pacerSettingsOf,
	type RequestClass,
} from '../../../credentials/requestPacer';
import { toNodeApiError } from './apiError';
import { fileNameFromDisposition } from './contentDisposition';
import { describeFailure, headerValue } from './failure';
import type { Failure } from './failure';

export type BlsFunctions =
	IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

const CREDENTIAL_TYPE = 'blsPortalApi';

/** The documented quota: 60 requests a minute. */
export const QUOTA_WINDOW_MS = 60_000;

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

export interface BlsRequestOptions {
	body?: IDataObject;
	qs?: IDataObject;
	/** Shown in "not found" errors, e.g. "booking 123". */
	resourceLabel?: string;
	/** Where the host's request pacer queues this call (default: a single call). */
	pacing?: RequestClass;
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

/** Which API the credential talks to (BLS or TDTA), for the rules only one of them documents. */
export async function blsApiKind(this: BlsFunctions): Promise<ApiKind> {
	return apiKind(await credentialsOf(this));
}

export function backoffMs(attempt: number): number {
	const exponential = Math.min(
		RETRY_LIMITS.maxBackoffMs,
		RETRY_LIMITS.firstBackoffMs * 2 ** attempt,
	);
	return exponential / 2 + Math.random() * (exponential / 2);
}

/**
 * How long to wait before the next try after a 429, or undefined to give up. The API's
 * Retry-After when it gives one; without it, growing back-off that never gives up before a
 * whole quota window has been waited out, since that is when the documented 60 a minute reopen.
 */
export function rateLimitWait(
	failure: Failure,
	attempt: number,
	waitedMs: number,
): number | undefined {
	const wait = failure.retryAfterMs ?? backoffMs(attempt);
	const windowStillClosed = failure.retryAfterMs === undefined && waitedMs <= QUOTA_WINDOW_MS;
	if (attempt >= RETRY_LIMITS.rateLimitAttempts && !windowStillClosed) return undefined;
	return waitedMs + wait <= RETRY_LIMITS.rateLimitTotalWaitMs ? wait : undefined;
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
		url: `${apiBaseUrl(credentials)}${endpoint}`,
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

	const pacing = pacerSettingsOf(credentials);
	// A cancelled or timed-out execution leaves the pacer's queue instead of waiting on.
	const cancelSignal =
		'getExecutionCancelSignal' in ctx ? ctx.getExecutionCancelSignal?.() : undefined;

	let rateLimited = 0;
	let waitedMs = 0;
	let transient = 0;
	for (;;) {
		try {
			return await pacedRequest(
				request.url,
				pacing,
				options.pacing ?? 'interactive',
				cancelSignal,
				async () =>
					(await ctx.helpers.httpRequestWithAuthentication.call(
						ctx,
						CREDENTIAL_TYPE,
						{ ...request },
						{
							credentialsDecrypted,
						},
					)) as IN8nHttpFullResponse,
			);
		} catch (error) {
			const failure = describeFailure(error);
			if (failure.status === 429) {
				const wait = rateLimitWait(failure, rateLimited, waitedMs);
				if (wait !== undefined) {
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
			throw toNodeApiError(node, failure, { method, resourceLabel: options.resourceLabel });
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
	const response = await send(this, 'GET', endpoint, options, {
		json: false,
		encoding: 'arraybuffer',
	});
	const disposition = headerValue(response.headers, 'content-disposition') ?? '';
	const fileName = fileNameFromDisposition(disposition);
	return {
		data: Buffer.from(response.body as Buffer),
		fileName,
		mimeType: (headerValue(response.headers, 'content-type') ?? 'application/pdf').split(';')[0],
	};
}
