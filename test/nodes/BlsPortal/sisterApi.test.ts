/**
 * The node against the sister API: the sandbox serving as TDTA (same auth, envelope and signed
 * webhooks) and a credential set to a custom URL that serves TDTA. The token and webhook-endpoint
 * operations work as against BLS; BLS-only rules (no `inv` pay option) apply to BLS only.
 */
import type { INodeParameters } from 'n8n-workflow';

import { startSandbox } from '../../../sandbox';
import type { Sandbox } from '../../../sandbox';
import { N8nHarness } from '../../harness/n8n';
import { candidateParameters, PRACTICAL } from './sandboxedNode';

let sandbox: Sandbox;
let tdta: N8nHarness;
let bls: N8nHarness;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, rateLimit: false });
	// The suite's dialect (BLS_SANDBOX_DIALECT) plus TDTA's rules.
	sandbox.setDialect([...sandbox.dialect, 'tdta']);
	const [demo] = sandbox.accounts;
	const fields = {
		clientId: demo.hbClientId,
		apiKey: demo.apiKey,
		baseUrl: sandbox.apiUrl,
		environment: 'custom',
	};
	tdta = new N8nHarness({ ...fields, customApi: 'tdta' });
	bls = new N8nHarness({ ...fields, customApi: 'bls' });
});
afterAll(async () => await sandbox.stop());
beforeEach(() => sandbox.expireHolds());

const byId = (id: unknown) => ({ __rl: true, mode: 'id', value: String(id) });

describe('BLS Portal node against the TDTA API', () => {
	it('Token → Get Info and Revoke', async () => {
		const [info] = await tdta.output({ parameters: { resource: 'token', operation: 'getInfo' } });
		expect(info.json).toMatchObject({
			hb_client_id: sandbox.accounts[0].hbClientId,
			token_type: 'Bearer',
		});
		const [revoked] = await tdta.output({ parameters: { resource: 'token', operation: 'revoke' } });
		expect(revoked.json).toMatchObject({ revoked: true });
		// The next run signs in again.
		await expect(
			tdta.output({ parameters: { resource: 'token', operation: 'getInfo' } }),
		).resolves.toHaveLength(1);
	});

	it('Webhook Endpoint → Create, Get, Update, Rotate Secret, Send Test and Delete', async () => {
		const run = async (parameters: INodeParameters) =>
			(await tdta.output({ parameters: { resource: 'webhookEndpoint', ...parameters } }))[0].json;
		const created = await run({
			operation: 'create',
			url: 'https://hooks.example.com/tdta',
			events: ['booking.created'],
		});
		expect(created.secret).toBe(sandbox.webhookSecret(Number(created.id)));
		expect(await run({ operation: 'get', webhookId: byId(created.id) })).toMatchObject({
			id: created.id,
			url: 'https://hooks.example.com/tdta',
		});
		expect(
			await run({
				operation: 'update',
				webhookId: byId(created.id),
				updateFields: { active: false },
			}),
		).toMatchObject({ is_active: false });
		const rotated = await run({ operation: 'rotateSecret', webhookId: byId(created.id) });
		expect(rotated.secret).toBe(sandbox.webhookSecret(Number(created.id)));
		expect(await run({ operation: 'sendTest', webhookId: byId(created.id) })).toMatchObject({
			webhook_id: created.id,
		});
		expect(await run({ operation: 'delete', webhookId: byId(created.id) })).toMatchObject({
			deleted: true,
		});
	});

	it('sends TDTA’s "inv" pay option, which BLS refuses before any request', async () => {
		const [slot] = await tdta.output({
			parameters: { resource: 'timeslot', operation: 'getMany', courseId: PRACTICAL, limit: 1 },
		});
		const book: INodeParameters = {
			resource: 'booking',
			operation: 'book',
			courseId: PRACTICAL,
			date: String(slot.json.date),
			time: String(slot.json.time),
			...candidateParameters,
			payOption: '={{ "inv" }}',
		};

		sandbox.clearRequests();
		const refused = await bls.run({ parameters: book });
		expect(refused.error?.message).toBe(
			'Pay Option: must be one of credits, balance, invoice, candidate_pays (got "inv")',
		);
		expect(refused.error?.description).toMatch(/BLS uses invoice \(not inv\)/);
		expect(sandbox.requests().byEndpoint['POST /timeslots/hold'] ?? 0).toBe(0);

		const [booking] = await tdta.output({ parameters: book });
		expect(booking.json).toMatchObject({
			status: 'booked',
			pay_option: 'invoice',
			email: candidateParameters.email,
		});
	});
});
