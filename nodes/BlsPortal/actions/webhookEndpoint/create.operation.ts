import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { blsApiRequest } from '../../../shared/transport';
import {
	endpointBody,
	endpointSetting,
	endpointWithSecret,
	secretShownOnceNotice,
} from './endpointFields';

const show = { resource: ['webhookEndpoint'], operation: ['create'] };

export const description: INodeProperties[] = [
	secretShownOnceNotice('create'),
	{ ...endpointSetting.url, required: true, displayOptions: { show } },
	{ ...endpointSetting.events, required: true, displayOptions: { show } },
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show },
		options: [endpointSetting.active, endpointSetting.name, endpointSetting.timeoutSeconds],
	},
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const body = endpointBody.call(this, itemIndex, {
		url: this.getNodeParameter('url', itemIndex),
		events: this.getNodeParameter('events', itemIndex),
		...(this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject),
	});
	const response = await blsApiRequest.call(this, 'POST', '/webhooks', { body });
	return [{ json: endpointWithSecret(this, itemIndex, response) }];
}
