import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { blsApiRequest } from '../../../shared/transport';
import { readWebhookEndpointId, webhookEndpointLocator } from './endpointFields';

export const description = [webhookEndpointLocator('delete')];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const id = readWebhookEndpointId.call(this, itemIndex);
	const response = await blsApiRequest.call(this, 'DELETE', `/webhooks/${id}`, {
		resourceLabel: `webhook endpoint ${id}`,
	});
	return [{ json: { deleted: true, id, message: response.message ?? 'Webhook endpoint deleted' } }];
}
