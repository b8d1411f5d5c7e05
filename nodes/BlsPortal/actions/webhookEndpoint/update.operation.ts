import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { blsApiRequest, unwrapData } from '../../transport';
import { endpointBody, endpointSetting, readWebhookEndpointId, webhookEndpointLocator } from './endpointFields';

const show = { resource: ['webhookEndpoint'], operation: ['update'] };

export const description: INodeProperties[] = [
	webhookEndpointLocator('update'),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'Only the fields added here are changed',
		displayOptions: { show },
		options: [
			endpointSetting.active,
			endpointSetting.events,
			endpointSetting.name,
			endpointSetting.timeoutSeconds,
			endpointSetting.url,
		],
	},
];

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	const id = readWebhookEndpointId.call(this, itemIndex);
	const body = endpointBody.call(this, itemIndex, this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject);
	if (Object.keys(body).length === 0) {
		throw new NodeOperationError(this.getNode(), 'Add at least one field to update', {
			itemIndex,
			description: 'Use "Add Field" under Update Fields to choose what to change. No request was sent to BLS Portal.',
		});
	}
	const response = await blsApiRequest.call(this, 'PUT', `/webhooks/${id}`, { body, resourceLabel: `webhook endpoint ${id}` });
	return [{ json: unwrapData(response) }];
}
