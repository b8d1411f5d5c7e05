/**
 * The request pacer in real n8n (N8N_VERSION, default 2.41.1), against the sandbox's real rate limit
 * (60 requests per 60 s window per IP): executions running at once in one n8n process share one
 * budget, so together they draw at most one 429 and every item arrives.
 */
import { randomUUID } from 'crypto';

import { pageCap } from '../../sandbox';
import { versionFromEnv } from '../../scripts/n8n/instance';
import { fewestCalls, testDialect } from '../harness/dialect';
import {
	chainWorkflow,
	createSandboxCredential,
	NODE_TYPES,
	useN8n,
	useSandbox,
	withCredential,
} from './helpers';

const version = versionFromEnv();
// 14 pages of the server's size (100 as documented), so every dialect puts the same pressure on the quota.
const PAGES = 14;
const BOOKINGS = PAGES * (testDialect.has('per-page-ignored') ? 20 : pageCap(testDialect));
const EXECUTIONS = 5;
const n8n = useN8n({ version });
// The sandbox's default rate limit: 60 requests per 60 s.
const sandbox = useSandbox({ bookings: BOOKINGS });

async function post(url: string): Promise<{ status: number; body: unknown }> {
	// Activation registers the webhook asynchronously: a 404 during the first seconds means "not yet".
	const deadline = Date.now() + 15_000;
	for (;;) {
		const response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
		});
		const text = await response.text();
		if (response.status === 404 && Date.now() < deadline) {
			await new Promise((resolve) => setTimeout(resolve, 200));
			continue;
		}
		return { status: response.status, body: JSON.parse(text) as unknown };
	}
}

describe(`request pacer in real n8n ${version}`, () => {
	it(`${EXECUTIONS} Return Alls started together (${EXECUTIONS} × ${PAGES} pages + sign-in, over one window of quota) draw at most one 429 and lose nothing`, async () => {
		const credential = await createSandboxCredential(n8n(), sandbox());
		const path = `pacer-${randomUUID()}`;
		const workflow = await n8n().importWorkflow(
			withCredential(
				chainWorkflow(
					'e2e: request pacer',
					[
						{
							name: 'Bookings',
							type: NODE_TYPES.blsPortal,
							typeVersion: 1,
							parameters: {
								resource: 'booking',
								operation: 'getMany',
								returnAll: true,
								filters: {},
							},
						},
					],
					{
						name: 'Webhook',
						type: 'n8n-nodes-base.webhook',
						typeVersion: 2,
						webhookId: randomUUID(),
						parameters: {
							httpMethod: 'POST',
							path,
							responseMode: 'lastNode',
							responseData: 'allEntries',
							options: {},
						},
					},
				),
				credential,
			),
		);
		await n8n().activate(workflow.id);
		sandbox().clearRequests();

		const runs = await Promise.all(
			Array.from({ length: EXECUTIONS }, () => post(n8n().webhookUrl(path))),
		);

		const expectedIds = Array.from({ length: BOOKINGS }, (_, i) => i + 1);
		for (const run of runs) {
			expect(run.status).toBe(200);
			const ids = (run.body as Array<{ id: number }>).map((booking) => booking.id);
			expect(ids).toHaveLength(BOOKINGS);
			expect(new Set(ids)).toEqual(new Set(expectedIds));
		}
		const log = sandbox().requests();
		expect(log.byEndpoint['GET /bookings']).toBe(EXECUTIONS * fewestCalls(BOOKINGS));
		// More than one window of quota was needed, so the pacer really held requests back.
		expect(log.total - log.status429).toBeGreaterThan(60);
		expect(log.status429).toBeLessThanOrEqual(1);
		const executions = await n8n().executions({ workflowId: workflow.id });
		expect(executions.map((execution) => execution.status)).toEqual(
			Array(EXECUTIONS).fill('success'),
		);
	}, 300_000);
});
