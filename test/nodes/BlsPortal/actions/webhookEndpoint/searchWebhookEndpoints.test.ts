import { searchWebhookEndpoints } from '../../../../../nodes/BlsPortal/methods/listSearch';
import { useSandboxedNode } from '../../sandboxedNode';
import { createEndpoint } from './webhookEndpointNode';

const node = useSandboxedNode();

describe('Webhook Endpoint picker search', () => {
	it('finds endpoints by name or URL, case-insensitively, with the ID as value', async () => {
		const crm = await createEndpoint(node, {
			url: 'https://crm.example.com/in',
			additionalFields: { name: 'CRM sync' },
		});
		await createEndpoint(node, {
			url: 'https://lms.example.com/in',
			additionalFields: { name: 'LMS' },
		});
		const context = node.harness.loadOptionsContext({
			resource: 'webhookEndpoint',
			operation: 'get',
		});

		const byName = await searchWebhookEndpoints.call(context, 'crm SYNC');
		expect(byName.results).toEqual([
			{ name: 'CRM sync · https://crm.example.com/in', value: String(crm.id) },
		]);
		const byUrl = await searchWebhookEndpoints.call(context, 'lms.example');
		expect(byUrl.results.map((r) => r.name)).toEqual(['LMS · https://lms.example.com/in']);
		expect((await searchWebhookEndpoints.call(context)).results).toHaveLength(2);
	});
});

describe('Webhook Endpoint picker against a server sending is_active as 1 / 0', () => {
	it('marks the inactive endpoint, and only that one', async () => {
		await node.withDialect('active-as-int', async () => {
			const off = await createEndpoint(node, {
				url: 'https://off.example.com/in',
				additionalFields: { name: 'Off', active: false },
			});
			const on = await createEndpoint(node, {
				url: 'https://on.example.com/in',
				additionalFields: { name: 'On' },
			});
			const context = node.harness.loadOptionsContext({
				resource: 'webhookEndpoint',
				operation: 'get',
			});
			const { results } = await searchWebhookEndpoints.call(context);
			expect(results.find((r) => r.value === String(off.id))?.name).toBe(
				'Off · https://off.example.com/in (inactive)',
			);
			expect(results.find((r) => r.value === String(on.id))?.name).toBe(
				'On · https://on.example.com/in',
			);
		});
	});
});
