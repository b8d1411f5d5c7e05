import type { IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { BlsPortalApi } from '../../credentials/BlsPortalApi.credentials';
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
	const context = new N8nHarness({ clientId: account.hbClientId, apiKey: account.apiKey, baseUrl: sandbox.apiUrl })
		.loadOptionsContext({});
	return { helpers: { httpRequest: context.helpers.httpRequest } };
}

describe('BLS Portal API credential', () => {
	it('passes the connection test the way n8n runs it: sign in, then GET /auth/token-info', async () => {
		const [account] = sandbox.accounts;
		const credentials = { clientId: account.hbClientId, apiKey: account.apiKey, baseUrl: `${sandbox.apiUrl}/`, accessToken: '' };
		Object.assign(credentials, await credentialType.preAuthentication.call(requestHelpers(), credentials));
		const test = credentialType.test.request;
		const request = await credentialType.authenticate(credentials, {
			baseURL: sandbox.apiUrl,
			url: test.url!,
			method: test.method,
		});
		const response = await fetch(`${request.baseURL}${request.url}`, { headers: request.headers as Record<string, string> });
		expect(response.status).toBe(200);
		expect(JSON.stringify(await response.json())).toContain(account.hbClientId);
	});

	it('fails the connection test with a clear message for a wrong key', async () => {
		const credentials = { clientId: sandbox.accounts[0].hbClientId, apiKey: 'wrong', baseUrl: sandbox.apiUrl, accessToken: '' };
		await expect(credentialType.preAuthentication.call(requestHelpers(), credentials)).rejects.toThrow(
			/rejected the Client ID or API Key \(HTTP 401\)/,
		);
	});

	it('sends the bearer token only to the base URL of the credential', async () => {
		const credentials = { baseUrl: 'https://bls.example.test/api/v1', accessToken: 'token-value' };
		const to = async (url: string) =>
			((await credentialType.authenticate(credentials, { url } as IHttpRequestOptions)).headers ?? {}).Authorization;
		expect(await to('https://bls.example.test/api/v1/bookings')).toBe('Bearer token-value');
		expect(await to('https://bls.example.test/api/v1')).toBe('Bearer token-value');
		expect(await to('https://bls.example.test/api/v10/bookings')).toBeUndefined();
		expect(await to('https://bls.example.test.evil.example/api/v1/bookings')).toBeUndefined();
		expect(await to('https://elsewhere.example/api/v1/bookings')).toBeUndefined();
	});
});
