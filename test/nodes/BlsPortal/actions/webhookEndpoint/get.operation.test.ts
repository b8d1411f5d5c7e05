import { useSandboxedNode } from '../../sandboxedNode';
import { createEndpoint, onEndpoint } from './webhookEndpointNode';

const node = useSandboxedNode();

describe('Webhook Endpoint → Get', () => {
	it('returns the endpoint without its secret', async () => {
		const created = await createEndpoint(node, { additionalFields: { name: 'Get me' } });
		const [item] = await node.output(onEndpoint('get', created.id));
		expect(item.json).toMatchObject({
			id: created.id,
			name: 'Get me',
			url: created.url,
			failure_count: 0,
		});
		expect(item.json).not.toHaveProperty('secret');
		expect(JSON.stringify(item.json)).not.toContain(String(created.secret));
	});

	it('says plainly that an unknown endpoint is not in this account', async () => {
		const { error } = await node.run(onEndpoint('get', 99999));
		expect(error?.message).toBe('The webhook endpoint 99999 was not found in this BLS account');
	});

	it('refuses an ID from an expression that is not a whole number, before sending anything', async () => {
		const { error } = await node.run(onEndpoint('get', '={{ "abc" }}'));
		expect(error?.message).toMatch(/Webhook Endpoint: must be a whole number/);
		expect(node.sandbox.requests().total).toBe(0);
	});
});
