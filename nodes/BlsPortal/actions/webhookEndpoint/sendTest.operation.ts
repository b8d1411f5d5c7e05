import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { blsApiRequest, unwrapData } from '../../../shared/transport';
import { readWebhookEndpointId, webhookEndpointLocator } from './endpointFields';

export const description = [webhookEndpointLocator('sendTest')];

/** Asks BLS Portal to send a `webhook.test` event to the endpoint; the delivery itself happens afterwards. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const id = readWebhookEndpointId.call(this, itemIndex);
	const response = await blsApiRequest.call(this, 'POST', `/webhooks/${id}/test`, {
		resourceLabel: `webhook endpoint ${id}`,
	});
	// `{ message, data: { event_id } }` as documented, or the same fields bare.
	const data = unwrapData(response);
	return [
		{
			json: {
				webhook_id: id,
				event_id: data.event_id,
				message: response.message ?? 'Test delivery queued',
			},
		},
	];
}
