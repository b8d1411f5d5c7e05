import type { IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import {
	apiBaseUrl,
	apiKind,
	BLS_PRODUCTION_URL,
	BlsPortalApi,
	normalizeBaseUrl,
	sessionOwner,
	TDTA_PRODUCTION_URL,
} from '../../credentials/BlsPortalApi.credentials';
import { startSandbox } from '../../sandbox';
import { N8nHarness } from '../harness/n8n';

const credentialType = new BlsPortalApi();
let sandbox: Awaited<ReturnType<typeof startSandbox>>;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, rateLimit: false });
});
afterAll(async () => await sandbox.stop());

/** The request helpers n8n hands to preAuthentication: n8n-core's own, over real HTTP. */
function requestHelpers(): IHttpRequestHelper {
	const [account] = sandbox.accounts;
	const context = new N8nHarness({
		clientId: account.hbClientId,
		apiKey: account.apiKey,
		baseUrl: sandbox.apiUrl,
	}).loadOptionsContext({});
	return { helpers: { httpRequest: context.helpers.httpRequest } };
}

describe('BLS Portal API credential', () => {
	it('passes the connection test the way n8n runs it: sign in, then GET /auth/token-info', async () => {
		const [account] = sandbox.accounts;
		const credentials = {
			clientId: account.hbClientId,
			apiKey: account.apiKey,
			baseUrl: `${sandbox.apiUrl}/`,
			accessToken: '',
		};
		Object.assign(
			credentials,
			await credentialType.preAuthentication.call(requestHelpers(), credentials),
		);
		const test = credentialType.test.request;
		const request = await credentialType.authenticate(credentials, {
			baseURL: sandbox.apiUrl,
			url: test.url!,
			method: test.method,
		});
		const response = await fetch(`${request.baseURL}${request.url}`, {
			headers: request.headers as Record<string, string>,
		});
		expect(response.status).toBe(200);
		expect(JSON.stringify(await response.json())).toContain(account.hbClientId);
	});

	it('fails the connection test with a clear message for a wrong key', async () => {
		const credentials = {
			clientId: sandbox.accounts[0].hbClientId,
			apiKey: 'wrong',
			baseUrl: sandbox.apiUrl,
			accessToken: '',
		};
		await expect(
			credentialType.preAuthentication.call(requestHelpers(), credentials),
		).rejects.toThrow(
			expect.objectContaining({
				name: 'BlsCredentialsRejectedError',
				httpStatus: 401,
				message: expect.stringMatching(/rejected the Client ID or API Key/),
			}),
		);
	});

	it('sends the bearer token only to the base URL of the credential', async () => {
		const fields = {
			clientId: 'hb_client',
			apiKey: 'key',
			baseUrl: 'https://bls.example.test/api/v1',
		};
		const credentials = {
			...fields,
			accessToken: 'token-value',
			sessionOwner: sessionOwner(fields),
		};
		const to = async (url: string) =>
			(
				(await credentialType.authenticate(credentials, { url } as IHttpRequestOptions)).headers ??
				{}
			).Authorization;
		expect(await to('https://bls.example.test/api/v1/bookings')).toBe('Bearer token-value');
		expect(await to('https://bls.example.test/api/v1')).toBe('Bearer token-value');
		expect(await to('https://bls.example.test/api/v10/bookings')).toBeUndefined();
		expect(await to('https://bls.example.test.evil.example/api/v1/bookings')).toBeUndefined();
		expect(await to('https://elsewhere.example/api/v1/bookings')).toBeUndefined();
	});

	it("sends no token issued for other fields: another client ID, API key or base URL (the API's 401 makes n8n sign in again)", async () => {
		const fields = {
			clientId: 'hb_client',
			apiKey: 'key',
			baseUrl: 'https://bls.example.test/api/v1',
		};
		const issued = { ...fields, accessToken: 'token-value', sessionOwner: sessionOwner(fields) };
		const header = async (credentials: Record<string, string>) =>
			(
				(
					await credentialType.authenticate(credentials, {
						url: `${normalizeBaseUrl(credentials.baseUrl)}/bookings`,
					})
				).headers ?? {}
			).Authorization;
		expect(await header(issued)).toBe('Bearer token-value');
		expect(await header({ ...issued, baseUrl: 'https://bls.example.test/api/v1/ ' })).toBe(
			'Bearer token-value',
		);
		expect(await header({ ...issued, clientId: 'hb_other' })).toBeUndefined();
		expect(await header({ ...issued, apiKey: 'rotated' })).toBeUndefined();
		expect(
			await header({ ...issued, baseUrl: 'https://staging.example.test/api/v1' }),
		).toBeUndefined();
		expect(await header({ ...issued, sessionOwner: '' })).toBeUndefined();
	});

	it('normalises the Base URL like the nodes: trimmed, no trailing slash, production when empty', () => {
		expect(normalizeBaseUrl(' http://127.0.0.1:1/api/v1/ ')).toBe('http://127.0.0.1:1/api/v1');
		expect(normalizeBaseUrl('')).toBe(BLS_PRODUCTION_URL);
		expect(normalizeBaseUrl('   ')).toBe(BLS_PRODUCTION_URL);
		expect(normalizeBaseUrl(undefined)).toBe(BLS_PRODUCTION_URL);
	});

	it("Test connection resolves its Base URL, in n8n's own expression engine, to the URL the nodes call", () => {
		const harness = new N8nHarness({ clientId: 'hb_client', apiKey: 'key', baseUrl: '' });
		const node = harness.node({});
		const workflow = harness.workflow(node);
		const expression = String(credentialType.test.request.baseURL);
		for (const baseUrl of [
			'',
			'   ',
			'http://127.0.0.1:1/api/v1',
			'http://127.0.0.1:1/api/v1/ ',
			' http://127.0.0.1:1/api/v1//',
		]) {
			// What n8n's CredentialsHelper.resolveValue does with the test request's fields.
			const resolved = workflow.expression.getSimpleParameterValue(
				node,
				expression,
				'internal',
				{ $credentials: { baseUrl } },
				undefined,
				'',
			);
			expect(resolved).toBe(normalizeBaseUrl(baseUrl));
		}
		// With the API choice: the production URL of the chosen API, or the Base URL of a custom one.
		for (const environment of ['bls', 'tdta', 'custom', undefined]) {
			for (const baseUrl of ['', 'http://127.0.0.1:1/api/v1/']) {
				const $credentials: Record<string, string> =
					environment === undefined ? { baseUrl } : { environment, baseUrl };
				const resolved = workflow.expression.getSimpleParameterValue(
					node,
					expression,
					'internal',
					{ $credentials },
					undefined,
					'',
				);
				expect(resolved).toBe(apiBaseUrl($credentials));
			}
		}
	});

	describe('API choice (BLS, TDTA or a custom URL)', () => {
		const fields = { clientId: 'hb_client', apiKey: 'key' };

		it('calls the chosen production API, or the Base URL of a custom one', () => {
			expect(
				apiBaseUrl({ ...fields, environment: 'bls', baseUrl: 'http://127.0.0.1:1/api/v1' }),
			).toBe(BLS_PRODUCTION_URL);
			expect(
				apiBaseUrl({ ...fields, environment: 'tdta', baseUrl: 'http://127.0.0.1:1/api/v1' }),
			).toBe(TDTA_PRODUCTION_URL);
			expect(
				apiBaseUrl({ ...fields, environment: 'custom', baseUrl: 'http://127.0.0.1:1/api/v1/' }),
			).toBe('http://127.0.0.1:1/api/v1');
			expect(TDTA_PRODUCTION_URL).toBe('https://tdta.hbcompliance.co.uk/api/v1');
		});

		it('keeps a credential saved before the choice existed on its stored Base URL, with its session', () => {
			const legacy = { ...fields, baseUrl: 'http://127.0.0.1:1/api/v1' };
			expect(apiBaseUrl(legacy)).toBe('http://127.0.0.1:1/api/v1');
			// n8n fills the missing field with its default: that default must mean the same URL.
			const withDefaults = {
				...legacy,
				environment: new BlsPortalApi().properties.find((p) => p.name === 'environment')?.default,
			};
			expect(apiBaseUrl(withDefaults as typeof legacy)).toBe('http://127.0.0.1:1/api/v1');
			expect(sessionOwner(withDefaults as typeof legacy)).toBe(sessionOwner(legacy));
			expect(apiKind(legacy)).toBe('bls');
		});

		it('applies TDTA rules to TDTA production and to a custom URL that serves TDTA', () => {
			expect(apiKind({ ...fields, environment: 'tdta' })).toBe('tdta');
			expect(apiKind({ ...fields, environment: 'custom', customApi: 'tdta' })).toBe('tdta');
			expect(apiKind({ ...fields, environment: 'bls', customApi: 'tdta' })).toBe('bls');
			expect(apiKind({ ...fields, environment: 'custom' })).toBe('bls');
		});

		it('never reuses a session across APIs', () => {
			expect(sessionOwner({ ...fields, environment: 'bls' })).not.toBe(
				sessionOwner({ ...fields, environment: 'tdta' }),
			);
		});
	});
});
