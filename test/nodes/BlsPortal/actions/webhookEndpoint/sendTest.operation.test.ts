import { useSandboxedNode } from '../../sandboxedNode';
import { createEndpoint, onEndpoint } from './webhookEndpointNode';

const node = useSandboxedNode();

describe('Webhook Endpoint → Send Test', () => {
	it('has BLS Portal send a webhook.test event to that endpoint only', async () => {
		const created = await createEndpoint(node, { url: 'http://127.0.0.1:9/unreachable' });
		await createEndpoint(node);

		const [item] = await node.output(onEndpoint('sendTest', created.id));

		expect(item.json).toMatchObject({
			webhook_id: created.id,
			event_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
			message: expect.any(String),
		});
		const event = node.sandbox.deliveries().events.find((e) => e.eventId === item.json.event_id);
		expect(event).toMatchObject({ eventType: 'webhook.test', endpointIds: [created.id] });
	});
});
