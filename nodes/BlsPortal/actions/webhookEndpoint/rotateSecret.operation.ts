import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { blsApiRequest } from '../../../shared/transport';
import {
	endpointWithSecret,
	readWebhookEndpointId,
	secretShownOnceNotice,
	webhookEndpointLocator,
} from './endpointFields';

export const description: INodeProperties[] = [
	secretShownOnceNotice('rotateSecret'),
	{
		displayName:
			'The old secret stops working at once. An endpoint registered by a BLS Portal Trigger gets a fresh one when its workflow is deactivated and activated again.',
		name: 'rotateSecretEffectNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['webhookEndpoint'], operation: ['rotateSecret'] } },
	},
	webhookEndpointLocator('rotateSecret'),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const id = readWebhookEndpointId.call(this, itemIndex);
	const response = await blsApiRequest.call(this, 'POST', `/webhooks/${id}/rotate-secret`, {
		resourceLabel: `webhook endpoint ${id}`,
	});
	return [{ json: endpointWithSecret(this, itemIndex, response) }];
}
