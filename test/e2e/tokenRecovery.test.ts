/**
 * The credential's token handling inside real n8n (N8N_VERSION, default 2.41.1), where the unit
 * suites only have a stand-in for n8n's credential helper:
 * - Test connection through n8n's own REST call (POST /rest/credentials/test, as the editor runs
 *   it) signs in and calls GET /auth/token-info; a wrong API key is reported, with one sign-in.
 * - An access token revoked (with its refresh token) or expired in the middle of a run: the run
 *   still succeeds, with exactly one new token from the API (a sign-in, or a refresh when only the
 *   access token expired), and the next run, another `n8n execute` process, reuses that token.
 */
import type { RequestLogSummary } from '../../sandbox';
import { versionFromEnv } from '../../scripts/n8n/instance';
import {
	chainWorkflow,
	createSandboxCredential,
	NODE_TYPES,
	sandboxCredentialData,
	useN8n,
	useSandbox,
	withCredential,
} from './helpers';
import { testCredentialAsEditor } from './operatorSupport';

const version = versionFromEnv();
const n8n = useN8n({ version });
const sandbox = useSandbox({ rateLimit: false });

/** Tokens the API handed out (sign-ins and refreshes it granted). */
function granted(log: RequestLogSummary): { signIns: number; refreshes: number } {
	const ok = (path: string) =>
		log.entries.filter(
			(entry) => entry.method === 'POST' && entry.path === path && entry.status === 200,
		).length;
	return { signIns: ok('/auth/token'), refreshes: ok('/auth/refresh') };
}

describe(`Test connection through n8n ${version}'s own credential test`, () => {
	it('signs in and calls GET /auth/token-info', async () => {
		const credential = await createSandboxCredential(n8n(), sandbox(), {
			name: 'BLS test connection',
		});
		sandbox().clearRequests();
		const result = await testCredentialAsEditor(
			n8n(),
			credential,
			sandboxCredentialData(sandbox()),
		);
		expect(result.status).toBe('OK');
		const log = sandbox().requests();
		expect(log.entries.map((entry) => `${entry.method} ${entry.path} ${entry.status}`)).toEqual([
			'POST /auth/token 200',
			'GET /auth/token-info 200',
		]);
	});

	it('reports a wrong API key, after one refused sign-in', async () => {
		const credential = await createSandboxCredential(n8n(), sandbox(), { name: 'BLS wrong key' });
		sandbox().clearRequests();
		const result = await testCredentialAsEditor(n8n(), credential, {
			...sandboxCredentialData(sandbox()),
			apiKey: 'not-the-key',
		});
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/rejected the Client ID or API Key/);
		expect(result.message).not.toContain('not-the-key');
		const log = sandbox().requests();
		expect(log.entries.map((entry) => `${entry.method} ${entry.path} ${entry.status}`)).toEqual([
			'POST /auth/token 401',
		]);
	});
});

describe(`a token lost in the middle of a run in n8n ${version}`, () => {
	/** Credits, then a list whose first page the sandbox holds back while `midRun` acts, then the credits again. */
	const workflow = (name: string) =>
		chainWorkflow(name, [
			{
				name: 'Credits',
				type: NODE_TYPES.blsPortal,
				typeVersion: 1,
				parameters: { resource: 'account', operation: 'getCredits' },
			},
			{
				name: 'Bookings',
				type: NODE_TYPES.blsPortal,
				typeVersion: 1,
				executeOnce: true,
				parameters: {
					resource: 'booking',
					operation: 'getMany',
					returnAll: false,
					limit: 5,
					filters: {},
				},
			},
			{
				name: 'Credits Again',
				type: NODE_TYPES.blsPortal,
				typeVersion: 1,
				executeOnce: true,
				parameters: { resource: 'account', operation: 'getCredits' },
			},
		]);

	async function runWithTokenLost(
		name: string,
		loseToken: () => void,
	): Promise<{ during: RequestLogSummary; after: RequestLogSummary }> {
		const credential = await createSandboxCredential(n8n(), sandbox(), { name });
		const created = await n8n().importWorkflow(
			withCredential(workflow(`e2e: ${name}`), credential),
		);
		// A first run signs in and stores the token with the credential.
		const first = await n8n().runWorkflow(created.id);
		expect(first.error?.message).toBeUndefined();

		sandbox().clearRequests();
		sandbox().clearFaults();
		// The list request waits 2 s at the sandbox before it is checked; the token goes during that wait.
		const marker = sandbox().addFault({
			latencyMs: 2000,
			count: 1,
			method: 'GET',
			path: '/bookings',
		});
		let lost = false;
		const watcher = setInterval(() => {
			if (
				!lost &&
				!sandbox()
					.faults()
					.some((fault) => fault.id === marker.id)
			) {
				lost = true;
				loseToken();
			}
		}, 5);
		const during = await n8n().runWorkflow(created.id);
		clearInterval(watcher);
		expect(lost).toBe(true);
		expect(during.error?.message).toBeUndefined();
		expect(during.output('Bookings')).toHaveLength(5);
		expect(during.output('Credits Again')).toHaveLength(1);
		const duringLog = sandbox().requests();

		sandbox().clearRequests();
		const next = await n8n().runWorkflow(created.id);
		expect(next.error?.message).toBeUndefined();
		return { during: duringLog, after: sandbox().requests() };
	}

	it('revoked (access and refresh token): the run signs in once and succeeds; the next run reuses that token', async () => {
		const { during, after } = await runWithTokenLost('BLS revoked mid-run', () =>
			sandbox().revokeAllTokens(),
		);
		// The held-back list request met the revoked token, and was sent again with the new one.
		expect(
			during.entries.filter((entry) => entry.path === '/bookings').map((entry) => entry.status),
		).toEqual([401, 200]);
		expect(granted(during)).toEqual({ signIns: 1, refreshes: 0 });
		expect(granted(after)).toEqual({ signIns: 0, refreshes: 0 });
		expect(after.tokenExchanges + after.refreshes).toBe(0);
	});

	it('expired (access token only): the run refreshes once and succeeds; the next run reuses the new token', async () => {
		const { during, after } = await runWithTokenLost('BLS expired mid-run', () =>
			sandbox().expireTokens({ access: true }),
		);
		expect(
			during.entries.filter((entry) => entry.path === '/bookings').map((entry) => entry.status),
		).toEqual([401, 200]);
		expect(granted(during)).toEqual({ signIns: 0, refreshes: 1 });
		expect(during.tokenExchanges).toBe(0);
		expect(after.tokenExchanges + after.refreshes).toBe(0);
	});
});
