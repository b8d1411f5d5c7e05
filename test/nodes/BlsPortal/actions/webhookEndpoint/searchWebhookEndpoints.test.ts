import { searchWebhookEndpoints } from '../../../../../nodes/BlsPortal/methods/listSearch';
import { useSandboxedNode } from '../../sandboxedNode';
import { createEndpoint } from './webhookEndpointNode';

const node = useSandboxedNode();

describe('Webhook Endpoint picker search', () => {
	it('finds endpoints by name or URL, case-insensitively, with the ID as value', async () => {
		const crm = await createEndpoint(node, { url: 'https://crm.example.com/in', additionalFields: { name: 'CRM sync' } });
		await createEndpoint(node, { url: 'https://lms.example.com/in', additionalFields: { name: 'LMS' } });
		const context = node.harness.loadOptionsContext({ resource: 'webhookEndpoint', operation: 'get' });

		const byName = await searchWebhookEndpoints.call(context, 'crm SYNC');
		expect(byName.results).toEqual([{ name: 'CRM sync · https://crm.example.com/in', value: String(crm.id) }]);
		const byUrl = await searchWebhookEndpoints.call(context, 'lms.example');
		expect(byUrl.results.map((r) => r.name)).toEqual(['LMS · https://lms.example.com/in']);
		expect((await searchWebhookEndpoints.call(context)).results).toHaveLength(2);
	});
});
