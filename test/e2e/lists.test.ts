/**
 * Lists in real n8n (N8N_VERSION, default 2.41.1) under the run's sandbox dialect
 * (BLS_SANDBOX_DIALECT): Booking → Get Many with Return All and Limits around the page sizes a
 * server may use gives exactly the first N bookings, in order, in the fewest calls that server
 * allows, or fails saying why (the issue this guards: a 50 cap once gave 100 of 120 without an error).
 */
import { versionFromEnv } from '../../scripts/n8n/instance';
import { CANNOT_COMPLETE, listOutcome, testDialect } from '../harness/dialect';
import {
	chainWorkflow,
	createSandboxCredential,
	NODE_TYPES,
	useN8n,
	useSandbox,
	withCredential,
} from './helpers';

const version = versionFromEnv();
const BOOKINGS = 300;
const CASES: Array<number | undefined> = [undefined, 1, 50, 101, 120, 250];
const n8n = useN8n({ version });
const sandbox = useSandbox({ bookings: BOOKINGS, rateLimit: false });

const label = (limit: number | undefined) =>
	limit === undefined ? 'Return All' : `Limit ${limit}`;

describe(`lists in real n8n ${version}, dialect ${[...testDialect].join(',') || 'default'}`, () => {
	it('Booking → Get Many gives exactly the first N bookings in the fewest calls, or an error naming the cause', async () => {
		const outcomes = CASES.map((limit) => listOutcome(testDialect, BOOKINGS, limit));
		const credential = await createSandboxCredential(n8n(), sandbox());
		const workflow = await n8n().importWorkflow(
			withCredential(
				chainWorkflow(
					'e2e: lists',
					CASES.map((limit) => ({
						name: label(limit),
						type: NODE_TYPES.blsPortal,
						typeVersion: 1,
						executeOnce: true,
						parameters: {
							resource: 'booking',
							operation: 'getMany',
							filters: {},
							...(limit === undefined ? { returnAll: true } : { returnAll: false, limit }),
						},
					})),
				),
				credential,
			),
		);
		sandbox().clearRequests();
		const result = await n8n().runWorkflow(workflow.id);

		const firstFailing = outcomes.findIndex((outcome) => !outcome.ok);
		if (firstFailing !== -1) {
			// The chain stops at the first list the server makes impossible, with the cause.
			expect(result.error?.message).toMatch(CANNOT_COMPLETE);
			return;
		}
		expect(result.error?.message).toBeUndefined();
		for (const limit of CASES) {
			const ids = (result.output(label(limit)) as Array<{ id?: unknown }>).map((item) => item.id);
			expect({ [label(limit)]: ids }).toEqual({
				[label(limit)]: Array.from({ length: limit ?? BOOKINGS }, (_, i) => i + 1),
			});
		}
		const calls = outcomes.reduce((sum, outcome) => sum + (outcome.ok ? outcome.calls : 0), 0);
		expect(sandbox().requests().byEndpoint['GET /bookings']).toBe(calls);
	});
});
