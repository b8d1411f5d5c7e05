import { useSandboxedNode } from '../../sandboxedNode';
import { createEndpoint } from './webhookEndpointNode';

const node = useSandboxedNode();

describe('Webhook Endpoint → Get Many', () => {
	it('lists every endpoint with Return All, never with a secret, or up to the limit', async () => {
		const secrets = [];
		for (let i = 0; i < 3; i++)
			secrets.push(
				String(
					(await createEndpoint(node, { additionalFields: { name: `Endpoint ${i}` } })).secret,
				),
			);

		const all = await node.output({
			resource: 'webhookEndpoint',
			operation: 'getMany',
			returnAll: true,
		});
		expect(all.map((item) => item.json.name)).toEqual(['Endpoint 0', 'Endpoint 1', 'Endpoint 2']);
		for (const item of all) expect(item.json).not.toHaveProperty('secret');
		expect(JSON.stringify(all)).not.toMatch(new RegExp(secrets.join('|')));

		const limited = await node.output({
			resource: 'webhookEndpoint',
			operation: 'getMany',
			returnAll: false,
			limit: 2,
		});
		expect(limited).toHaveLength(2);
	});
});
