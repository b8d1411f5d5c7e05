import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { blsApiRequest } from '../../../shared/transport';
import { endpointOutput, readWebhookEndpointId, webhookEndpointLocator } from './endpointFields';

export const description = [webhookEndpointLocator('get')];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const id = readWebhookEndpointId.call(this, itemIndex);
	const response = await blsApiRequest.call(this, 'GET', `/webhooks/${id}`, {
		resourceLabel: `webhook endpoint ${id}`,
	});
	return [{ json: endpointOutput(response) }];
}
