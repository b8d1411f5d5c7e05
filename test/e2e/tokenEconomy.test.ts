/**
 * Token economy in real n8n (N8N_VERSION, default 2.41.1): one workflow run 10 times, each run a
 * separate `n8n execute` process, signs in to BLS Portal once. The token the first run obtained is
 * stored (encrypted) with the credential and every later run reuses it — read from the sandbox's
 * request log. And the token shows up nowhere in n8n's log, files, workflows or executions.
 */
import { versionFromEnv } from '../../scripts/n8n/instance';
import {
	chainWorkflow,
	createSandboxCredential,
	NODE_TYPES,
	useN8n,
	useSandbox,
	withCredential,
} from './helpers';
import { SecretWatch } from './scenarioSupport';

const version = versionFromEnv();
const RUNS = 10;
const n8n = useN8n({ version });
const sandbox = useSandbox();

describe(`token economy in real n8n ${version}`, () => {
	let watch: SecretWatch;

	it(`${RUNS} runs of one workflow exchange the API key for a token exactly once`, async () => {
		watch = new SecretWatch(sandbox());
		const credential = await createSandboxCredential(n8n(), sandbox());
		const workflow = await n8n().importWorkflow(
			withCredential(
				chainWorkflow('e2e: token economy', [
					{
						name: 'Credits',
						type: NODE_TYPES.blsPortal,
						typeVersion: 1,
						parameters: { resource: 'account', operation: 'getCredits' },
					},
					{
						name: 'Latest bookings',
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
				]),
				credential,
			),
		);
		sandbox().clearRequests();

		for (let run = 1; run <= RUNS; run++) {
			const result = await n8n().runWorkflow(workflow.id);
			expect({ run, error: result.error?.message }).toEqual({ run, error: undefined });
			expect(result.output('Latest bookings')).toHaveLength(5);
		}

		const log = sandbox().requests();
		expect(log.tokenExchanges).toBe(1);
		expect(log.refreshes).toBe(0);
		expect(log.byEndpoint).toEqual({
			'POST /auth/token': 1,
			'GET /credits': RUNS,
			'GET /bookings': RUNS,
		});
		expect(log.byStatus).toEqual({ '200': 2 * RUNS + 1 });
		// Every call used the one token pair.
		expect(new Set(log.entries.map((entry) => entry.tokenId))).toEqual(
			new Set([log.entries[0].tokenId]),
		);
		const executions = await n8n().executions({ workflowId: workflow.id });
		expect(executions.map((execution) => execution.status)).toEqual(Array(RUNS).fill('success'));
	});

	it('leaves no API key or token in n8n’s log, files, workflows or executions', async () => {
		expect(watch.collect().summary()).toMatchObject({ apiKeys: 2, tokens: 2 });
		expect(await watch.leaks(n8n())).toEqual([]);
	});
});
