import { useSandboxedNode } from '../../sandboxedNode';
import { createEndpoint, onEndpoint, portalEndpoint } from './webhookEndpointNode';

const node = useSandboxedNode();

describe('Webhook Endpoint → Create', () => {
	it('registers the endpoint and shows its signing secret, this once', async () => {
		const created = await createEndpoint(node, {
			events: ['booking.cancelled', 'booking.created'],
			additionalFields: { name: 'CRM sync', timeoutSeconds: 10, active: false },
		});

		expect(created).toMatchObject({
			name: 'CRM sync',
			url: 'https://hooks.example.com/bls',
			events: ['booking.cancelled', 'booking.created'],
			timeout_seconds: 10,
			is_active: false,
			secret: expect.stringMatching(/^whsec_/),
		});
		expect(portalEndpoint(node, created.id)).toMatchObject({ name: 'CRM sync', is_active: false });
	});

	it('creates an active endpoint with the API defaults when only URL and events are given', async () => {
		const created = await createEndpoint(node);
		expect(created).toMatchObject({ is_active: true, timeout_seconds: 30, max_retries: 5 });
	});

	it.each([
		[{ url: 'ftp://hooks.example.com' }, /URL: must be an http\(s\):\/\/ URL/],
		// An expression gets past the editor's required check; the node still refuses it.
		[{ events: '={{ [] }}' }, /Events: choose at least one event/],
		[{ events: ['booking.deleted'] }, /Events: unknown event "booking.deleted"/],
		[
			{ additionalFields: { timeoutSeconds: '={{ "soon" }}' } },
			/Timeout \(Seconds\): must be a whole number/,
		],
		[{ additionalFields: { active: '={{ "maybe" }}' } }, /Active: must be true or false/],
	])('refuses %j before sending anything', async (change, message) => {
		const { error } = await node.run({
			resource: 'webhookEndpoint',
			operation: 'create',
			url: 'https://hooks.example.com/bls',
			events: ['booking.created'],
			...change,
		});
		expect(error?.message).toMatch(message);
		expect(node.requestsTo('POST /webhooks')).toBe(0);
	});

	it('leaves the timeout range to the API (the docs state none) and reports its 422 naming the field', async () => {
		const { error } = await node.run({
			resource: 'webhookEndpoint',
			operation: 'create',
			url: 'https://hooks.example.com/bls',
			events: ['booking.created'],
			additionalFields: { timeoutSeconds: 61 },
		});
		expect(error?.description).toMatch(/^timeout_seconds: /m);
		expect(node.requestsTo('POST /webhooks')).toBe(1);
	});
});

describe('Webhook Endpoint → Create, whatever shape the API answers in', () => {
	it.each([
		'default',
		'secret-named-signing-secret',
		'secret-under-data',
		'secret-named-signing-secret,secret-under-data',
		'single-bare,secret-under-data',
	])('finds the secret under %s and outputs it as "secret"', async (dialect) => {
		await node.withDialect(dialect, async () => {
			const created = await createEndpoint(node);
			expect(created.secret).toBe(node.sandbox.webhookSecret(Number(created.id)));
			expect(created).toMatchObject({
				url: 'https://hooks.example.com/bls',
				events: ['booking.created'],
			});
		});
	});

	it('outputs is_active as a boolean when the API sends 1 / 0', async () => {
		await node.withDialect('active-as-int', async () => {
			const created = await createEndpoint(node, { additionalFields: { active: false } });
			expect(created.is_active).toBe(false);
			const [fetched] = await node.output(onEndpoint('get', created.id));
			expect(fetched.json.is_active).toBe(false);
			const listed = await node.output({
				resource: 'webhookEndpoint',
				operation: 'getMany',
				returnAll: true,
			});
			expect(listed.find((item) => item.json.id === created.id)?.json.is_active).toBe(false);
		});
	});

	it('works with endpoints that have no updated_at (nothing is invented in its place)', async () => {
		await node.withDialect('endpoint-no-updated-at', async () => {
			const created = await createEndpoint(node);
			expect(created).not.toHaveProperty('updated_at');
			expect(created.secret).toBe(node.sandbox.webhookSecret(Number(created.id)));
		});
	});
});
