import { useSandboxedNode } from '../../sandboxedNode';
import { createEndpoint, onEndpoint, portalEndpoint } from './webhookEndpointNode';

const node = useSandboxedNode();

describe('Webhook Endpoint → Update', () => {
	it('changes only the fields the user added', async () => {
		const created = await createEndpoint(node, {
			events: ['booking.created', 'booking.cancelled'],
			additionalFields: { name: 'Before' },
		});

		const [item] = await node.output(
			onEndpoint('update', created.id, { updateFields: { name: 'After', active: false } }),
		);

		expect(item.json).toMatchObject({
			name: 'After',
			is_active: false,
			url: created.url,
			events: created.events,
			timeout_seconds: 30,
		});
		expect(portalEndpoint(node, created.id)).toMatchObject({
			name: 'After',
			is_active: false,
			url: created.url,
		});
	});

	it('changes URL, events and timeout', async () => {
		const created = await createEndpoint(node);
		const updateFields = {
			url: 'https://other.example.com/in',
			events: ['booking.certificate_available'],
			timeoutSeconds: 5,
		};
		const [item] = await node.output(onEndpoint('update', created.id, { updateFields }));
		expect(item.json).toMatchObject({
			url: updateFields.url,
			events: updateFields.events,
			timeout_seconds: 5,
		});
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

describe('Webhook Endpoint → Update against a PUT that needs the whole endpoint', () => {
	it('sends only the change when the API takes it (one PUT)', async () => {
		const created = await createEndpoint(node);
		node.sandbox.clearRequests();
		await node.output(onEndpoint('update', created.id, { updateFields: { active: false } }));
		// Unless the suite itself runs against a PUT that needs the whole endpoint.
		const whole = node.sandbox.dialect.has('put-whole-object');
		expect(node.requestsTo('PUT /webhooks/{id}')).toBe(whole ? 2 : 1);
		expect(node.requestsTo('GET /webhooks/{id}')).toBe(whole ? 1 : 0);
	});

	it('reads the endpoint and sends it whole with the change when the API answers 422 naming the fields left out', async () => {
		await node.withDialect('put-whole-object,active-as-int', async () => {
			const created = await createEndpoint(node, {
				events: ['booking.created', 'booking.cancelled'],
				additionalFields: { name: 'Keep me', timeoutSeconds: 12 },
			});
			node.sandbox.clearRequests();
			const [item] = await node.output(
				onEndpoint('update', created.id, { updateFields: { active: false } }),
			);
			expect(item.json).toMatchObject({
				is_active: false,
				name: 'Keep me',
				url: created.url,
				events: created.events,
				timeout_seconds: 12,
			});
			expect(portalEndpoint(node, created.id)).toMatchObject({
				is_active: false,
				name: 'Keep me',
				url: created.url,
				timeout_seconds: 12,
			});
			expect(node.requestsTo('PUT /webhooks/{id}')).toBe(2);
			expect(node.requestsTo('GET /webhooks/{id}')).toBe(1);
		});
	});

	it('reports the API’s 422 about a value it sent, after one whole PUT at most, and changes nothing', async () => {
		await node.withDialect('put-whole-object', async () => {
			const created = await createEndpoint(node);
			node.sandbox.clearRequests();
			const { error } = await node.run(
				onEndpoint('update', created.id, { updateFields: { timeoutSeconds: 0 } }),
			);
			expect(error?.description).toMatch(/timeout_seconds: /);
			expect(error?.description).not.toMatch(/url: |events: /);
			expect(node.requestsTo('PUT /webhooks/{id}')).toBe(2);
			expect(portalEndpoint(node, created.id)).toMatchObject({ timeout_seconds: 30 });
		});
	});
});
