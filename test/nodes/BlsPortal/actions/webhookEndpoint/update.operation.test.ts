import { useSandboxedNode } from '../../sandboxedNode';
import { createEndpoint, onEndpoint, portalEndpoint } from './webhookEndpointNode';

const node = useSandboxedNode();

describe('Webhook Endpoint → Update', () => {
	it('changes only the fields the user added', async () => {
		const created = await createEndpoint(node, { events: ['booking.created', 'booking.cancelled'], additionalFields: { name: 'Before' } });

		const [item] = await node.output(onEndpoint('update', created.id, { updateFields: { name: 'After', active: false } }));

		expect(item.json).toMatchObject({ name: 'After', is_active: false, url: created.url, events: created.events, timeout_seconds: 30 });
		expect(portalEndpoint(node, created.id)).toMatchObject({ name: 'After', is_active: false, url: created.url });
	});

	it('changes URL, events and timeout', async () => {
		const created = await createEndpoint(node);
		const updateFields = { url: 'https://other.example.com/in', events: ['booking.certificate_available'], timeoutSeconds: 5 };
		const [item] = await node.output(onEndpoint('update', created.id, { updateFields }));
		expect(item.json).toMatchObject({ url: updateFields.url, events: updateFields.events, timeout_seconds: 5 });
	});

	it('asks for a field when none was added, and sends nothing', async () => {
		const created = await createEndpoint(node);
		node.sandbox.clearRequests();
		const { error } = await node.run(onEndpoint('update', created.id, { updateFields: {} }));
		expect(error?.message).toBe('Add at least one field to update');
		expect(node.requestsTo('PUT /webhooks/{id}')).toBe(0);
		expect(node.sandbox.requests().total).toBe(0);
	});
});
