import { useSandboxedNode } from '../../sandboxedNode';
import { createEndpoint, onEndpoint, portalEndpoint } from './webhookEndpointNode';

const node = useSandboxedNode();

describe('Webhook Endpoint → Delete', () => {
	it('removes the endpoint from the account', async () => {
		const created = await createEndpoint(node);
		const [item] = await node.output(onEndpoint('delete', created.id));
		expect(item.json).toMatchObject({ deleted: true, id: created.id });
		expect(portalEndpoint(node, created.id)).toBeUndefined();

		const { error } = await node.run(onEndpoint('delete', created.id));
		expect(error?.message).toBe(
			`The webhook endpoint ${String(created.id)} was not found in this BLS account`,
		);
	});
});
