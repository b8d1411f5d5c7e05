import { createHash } from 'crypto';
import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import {
	DEFAULT_REQUESTS_PER_MINUTE,
	DEFAULT_WINDOW_SECONDS,
	pacedRequest,
	pacerSettingsOf,
	takeSlotForNextRequest,
} from './requestPacer';

export const BLS_PRODUCTION_URL = 'https://bls.hbcompliance.co.uk/api/v1';
/** The sister API (tdta-client-api.txt): same auth, envelope and signed webhooks. */
export const TDTA_PRODUCTION_URL = 'https://tdta.hbcompliance.co.uk/api/v1';

/** Which API's documented rules apply (for example BLS refuses `inv` as a pay option). */
export type ApiKind = 'bls' | 'tdta';

/**
 * Thrown by preAuthentication when the portal refuses the client ID / API key pair. n8n wraps it
 * (as the `cause` of its own error), so the transport finds it with {@link credentialsRejection}
 * by its name, which survives a second copy of this module, unlike `instanceof`.
 */
export class CredentialsRejectedError extends Error {
	readonly name = 'BlsCredentialsRejectedError';

	constructor(
		readonly httpStatus: number,
		readonly description: string,
	) {
		super('BLS Portal rejected the Client ID or API Key');
	}
}

/** The rejection of the credential's fields anywhere in an error's `cause` chain, if there is one. */
export function credentialsRejection(error: unknown): CredentialsRejectedError | undefined {
	for (
		let e = error as { name?: unknown; cause?: unknown } | undefined, depth = 0;
		e && depth < 5;
		e = e.cause as typeof e, depth++
	) {
		if (e.name === 'BlsCredentialsRejectedError') return e as CredentialsRejectedError;
	}
	return undefined;
}

/**
 * The API root every request of the nodes and the credential uses: trimmed, without trailing
 * slashes, production when left empty. The connection test's expression below does the same.
 */
export function normalizeBaseUrl(baseUrl: unknown): string {
	const trimmed = (typeof baseUrl === 'string' ? baseUrl : '').trim().replace(/\/+$/, '');
	return trimmed || BLS_PRODUCTION_URL;
}

/**
 * The API root of a credential: the chosen production API, or the Base URL of a custom one.
 * Anything but `bls` or `tdta` counts as custom, so a credential saved before the API choice
 * existed keeps calling the Base URL it stored.
 */
export function apiBaseUrl(credentials: ICredentialDataDecryptedObject): string {
	if (credentials.environment === 'bls') return BLS_PRODUCTION_URL;
	if (credentials.environment === 'tdta') return TDTA_PRODUCTION_URL;
	return normalizeBaseUrl(credentials.baseUrl);
}

/** The API a credential talks to: TDTA when chosen (production or a custom URL serving it), else BLS. */
export function apiKind(credentials: ICredentialDataDecryptedObject): ApiKind {
	if (credentials.environment === 'tdta') return 'tdta';
	if (credentials.environment !== 'bls' && credentials.customApi === 'tdta') return 'tdta';
	return 'bls';
}

/**
 * Identifies the client ID + API key a stored token pair was issued for, so a refresh token is
 * never used after the user edited the credential (it would keep the old account's session).
 * A truncated hash: it cannot be turned back into the key.
 */
export function sessionOwner(credentials: ICredentialDataDecryptedObject): string {
	return createHash('sha256')
		.update(
			`${String(credentials.clientId)}\n${String(credentials.apiKey)}\n${apiBaseUrl(credentials)}`,
		)
		.digest('hex')
		.slice(0, 16);
}

function statusOf(error: unknown): number | undefined {
	const e = error as {
		httpCode?: string;
		response?: { status?: number };
		cause?: { response?: { status?: number } };
	};
	return (
		e?.response?.status ??
		e?.cause?.response?.status ??
		(e?.httpCode ? Number(e.httpCode) : undefined)
	);
}

/**
 * When the access token expires: `expires_in` seconds, else `expires_at`, else the docs' stated
 * lifetime ("Access tokens expire after 1 hour"). Informational only: the token is used until the
 * API answers 401, then renewed, so a shorter real lifetime costs one refused call, never a failure.
 */
function accessTokenExpiry(pair: IDataObject): string {
	const seconds = Number(pair.expires_in);
	if (Number.isFinite(seconds) && seconds > 0)
		return new Date(Date.now() + seconds * 1000).toISOString();
	const at = typeof pair.expires_at === 'string' ? Date.parse(pair.expires_at) : NaN;
	if (Number.isFinite(at)) return new Date(at).toISOString();
	return new Date(Date.now() + 3600 * 1000).toISOString();
}

function readTokenPair(response: IDataObject, owner: string): IDataObject {
	// Tolerate the pair arriving either at top level or under `data`.
	const pair = (response?.access_token ? response : (response?.data as IDataObject)) ?? {};
	if (typeof pair.access_token !== 'string' || pair.access_token === '') {
		throw new Error('BLS Portal answered the token request without an access_token');
	}
	return {
		accessToken: pair.access_token,
		refreshToken: typeof pair.refresh_token === 'string' ? pair.refresh_token : '',
		sessionExpiresAt: accessTokenExpiry(pair),
		sessionOwner: owner,
	};
}

export class BlsPortalApi implements ICredentialType {
	name = 'blsPortalApi';

	displayName = 'BLS Portal API';

	icon: Icon = {
		light: 'file:../nodes/BlsPortal/blsPortal.svg',
		dark: 'file:../nodes/BlsPortal/blsPortal.dark.svg',
	};

	documentationUrl = 'https://bls.hbcompliance.co.uk/api/docs';

	properties: INodeProperties[] = [
		{
			displayName: 'Client ID',
			name: 'clientId',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'hb_client_…',
			description:
				"Your agency's hb_client_id, shown with your API keys in the HB Compliance portal",
		},
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'An active API key of the account. It is only sent to exchange it for a bearer token.',
		},
		// "Custom URL" is the default so that a credential saved before this choice existed (n8n fills a
		// missing field with its default, and drops fields whose display conditions no longer hold)
		// keeps its stored Base URL; that Base URL's default is BLS production, so a new one works as is.
		{
			displayName: 'API',
			name: 'environment',
			type: 'options',
			default: 'custom',
			options: [
				{ name: 'BLS Portal (Production)', value: 'bls', description: BLS_PRODUCTION_URL },
				{
					name: 'Custom URL',
					value: 'custom',
					description:
						'The Base URL below: BLS production by default, or a staging host or the local sandbox',
				},
				{ name: 'TDTA (Production)', value: 'tdta', description: TDTA_PRODUCTION_URL },
			],
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: BLS_PRODUCTION_URL,
			description:
				'The API root, ending in /api/v1: a staging host or the local BLS sandbox (for example http://127.0.0.1:8787/api/v1) to try things out',
			displayOptions: { show: { environment: ['custom'] } },
		},
		{
			displayName: 'The URL Serves',
			name: 'customApi',
			type: 'options',
			default: 'bls',
			options: [
				{ name: 'BLS Portal API', value: 'bls' },
				{ name: 'TDTA API', value: 'tdta' },
			],
			description:
				"Which API's documented rules the node applies (BLS refuses 'inv' as a pay option, for example)",
			displayOptions: { show: { environment: ['custom'] } },
		},
		{
			displayName: 'Requests per Minute',
			name: 'requestsPerMinute',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: DEFAULT_REQUESTS_PER_MINUTE,
			description:
				"The share of the API's quota (60 requests a minute per IP) this n8n process may use. Every workflow, trigger and dropdown of this process that talks to the same API host waits its turn, so none of them draws a 429. When several n8n processes share one IP (queue mode), split the 60 between them. 0 turns pacing off.",
		},
		{
			displayName: 'Rate Limit Window (Seconds)',
			name: 'rateWindowSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: DEFAULT_WINDOW_SECONDS,
			description:
				'The window the API counts its quota over (a minute). Change it only for a host that counts over another window, such as the local sandbox started with --rate-window-ms.',
			displayOptions: { hide: { requestsPerMinute: [0] } },
		},
		// Filled by preAuthentication and stored encrypted with the credential, so one token serves every
		// execution and workflow until the API answers 401, then n8n calls preAuthentication again.
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'hidden',
			typeOptions: { expirable: true, password: true },
			default: '',
		},
		{
			displayName: 'Refresh Token',
			name: 'refreshToken',
			type: 'hidden',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Session Expires At',
			name: 'sessionExpiresAt',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Session Owner',
			name: 'sessionOwner',
			type: 'hidden',
			default: '',
		},
	];

	/**
	 * Called by n8n when there is no access token yet or a request was answered 401. Rotates the
	 * stored refresh token (7 days) when it belongs to these credentials, and falls back to a fresh
	 * exchange of the client ID and API key when it is missing, used up or expired.
	 */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject) {
		const baseUrl = apiBaseUrl(credentials);
		const owner = sessionOwner(credentials);
		// Sign-in and refresh count against the same quota as every other call, and go first.
		const pacing = pacerSettingsOf(credentials);
		const post = async (url: string, body: IDataObject) => {
			const answer = await pacedRequest(
				url,
				pacing,
				'interactive',
				undefined,
				async () =>
					(await this.helpers.httpRequest({
						method: 'POST',
						url,
						body,
						json: true,
						// A redirect (307/308 keep the body) would hand the key or refresh token to wherever it points.
						disableFollowRedirect: true,
					})) as IDataObject,
			);
			// n8n sends the request that needed the token as soon as this returns.
			await takeSlotForNextRequest(url, pacing);
			return answer;
		};

		if (credentials.refreshToken && credentials.sessionOwner === owner) {
			try {
				const refreshed = await post(`${baseUrl}/auth/refresh`, {
					refresh_token: credentials.refreshToken,
				});
				return readTokenPair(refreshed, owner);
			} catch (error) {
				// Only a refused refresh token falls through to a new exchange; anything else (rate limit,
				// outage) would fail the exchange the same way, so report it as it is.
				const status = statusOf(error);
				if (status !== 401 && status !== 422 && status !== 400) throw error;
			}
		}

		try {
			const issued = await post(`${baseUrl}/auth/token`, {
				hb_client_id: credentials.clientId,
				api_key: credentials.apiKey,
			});
			return readTokenPair(issued, owner);
		} catch (error) {
			const status = statusOf(error);
			if (status === 401 || status === 403 || status === 422) {
				throw new CredentialsRejectedError(
					status,
					`HTTP ${status}. Check both fields of the "BLS Portal API" credential and that the key is still active in the HB Compliance portal.`,
				);
			}
			throw error;
		}
	}

	/**
	 * Adds the bearer token, but only to requests for the credential's own base URL, and only when
	 * the stored token was issued for the credential's current client ID, API key and base URL.
	 * n8n keeps the hidden token when the credential is edited: sending it would act on the old
	 * account or hand it to the new host. Without a token the API answers 401, and n8n then runs
	 * preAuthentication, which signs in with the new fields.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const baseUrl = apiBaseUrl(credentials);
		const target = `${requestOptions.baseURL ?? ''}${requestOptions.url}`;
		if (
			target !== baseUrl &&
			!target.startsWith(`${baseUrl}/`) &&
			!target.startsWith(`${baseUrl}?`)
		) {
			return requestOptions;
		}
		if (!credentials.accessToken || credentials.sessionOwner !== sessionOwner(credentials)) {
			return requestOptions;
		}
		return {
			...requestOptions,
			headers: {
				...requestOptions.headers,
				Authorization: `Bearer ${String(credentials.accessToken)}`,
			},
		};
	}

	test: ICredentialTestRequest = {
		request: {
			// apiBaseUrl as an n8n expression: the test must call the URL the nodes call.
			baseURL: `={{ $credentials.environment === "bls" ? "${BLS_PRODUCTION_URL}" : $credentials.environment === "tdta" ? "${TDTA_PRODUCTION_URL}" : (typeof $credentials.baseUrl === "string" ? $credentials.baseUrl : "").trim().replace(/\\/+$/, "") || "${BLS_PRODUCTION_URL}" }}`,
			url: '/auth/token-info',
			method: 'GET',
		},
	};
}
