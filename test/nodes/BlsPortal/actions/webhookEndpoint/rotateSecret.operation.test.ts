import { useSandboxedNode } from '../../sandboxedNode';
import { createEndpoint, onEndpoint } from './webhookEndpointNode';

const node = useSandboxedNode();

describe('Webhook Endpoint → Rotate Secret', () => {
	it('shows the new secret once; Get never shows it', async () => {
		const created = await createEndpoint(node);
		const [rotated] = await node.output(onEndpoint('rotateSecret', created.id));

		// Everything the API answered, its message too, not only the endpoint's fields.
		expect(rotated.json).toMatchObject({
			id: created.id,
			secret: expect.stringMatching(/^whsec_/),
			message: expect.stringMatching(/rotated/),
		});
		expect(rotated.json.secret).not.toBe(created.secret);
		const [fetched] = await node.output(onEndpoint('get', created.id));
		expect(fetched.json).not.toHaveProperty('secret');
	});
});

describe('Webhook Endpoint → Rotate Secret, whatever shape the API answers in', () => {
	it.each([
		'secret-named-signing-secret',
		'secret-under-data',
		'secret-named-signing-secret,secret-under-data,active-as-int',
	])('outputs the new secret as "secret" under %s', async (dialect) => {
		await node.withDialect(dialect, async () => {
			const created = await createEndpoint(node);
			const [rotated] = await node.output(onEndpoint('rotateSecret', created.id));
			expect(rotated.json.secret).toBe(node.sandbox.webhookSecret(Number(created.id)));
			expect(rotated.json.secret).not.toBe(created.secret);
			expect(rotated.json).toMatchObject({ id: created.id, is_active: true });
		});
	});
});
