import type { INodeProperties } from 'n8n-workflow';

import type { BlsResource } from '../operation';
import * as create from './create.operation';
import * as deleteEndpoint from './delete.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as rotateSecret from './rotateSecret.operation';
import * as sendTest from './sendTest.operation';
import * as update from './update.operation';

const operationPicker: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['webhookEndpoint'] } },
	options: [
		{
			name: 'Create',
			value: 'create',
			description: 'Register a URL to receive booking events; the signing secret is shown once',
			action: 'Create a webhook endpoint',
		},
		{
			name: 'Delete',
			value: 'delete',
			description: 'Stop sending events to an endpoint and remove it',
			action: 'Delete a webhook endpoint',
		},
		{
			name: 'Get',
			value: 'get',
			description: 'Get an endpoint with its events and delivery health (never its secret)',
			action: 'Get a webhook endpoint',
		},
		{
			name: 'Get Many',
			value: 'getMany',
			description: 'List the webhook endpoints of the account',
			action: 'Get many webhook endpoints',
		},
		{
			name: 'Rotate Secret',
			value: 'rotateSecret',
			description:
				'Replace the signing secret; the new one is shown once and the old one stops working',
			action: 'Rotate a webhook endpoint secret',
		},
		{
			name: 'Send Test',
			value: 'sendTest',
			description: 'Have BLS Portal send a webhook.test event to the endpoint',
			action: 'Send a test event to a webhook endpoint',
		},
		{
			name: 'Update',
			value: 'update',
			description: 'Change the name, URL, events, timeout or active state',
			action: 'Update a webhook endpoint',
		},
	],
	default: 'getMany',
};

export const webhookEndpoint: BlsResource<
	'create' | 'delete' | 'get' | 'getMany' | 'rotateSecret' | 'sendTest' | 'update'
> = {
	operations: { create, delete: deleteEndpoint, get, getMany, rotateSecret, sendTest, update },
	description: [
		operationPicker,
		...create.description,
		...get.description,
		...getMany.description,
		...update.description,
		...deleteEndpoint.description,
		...rotateSecret.description,
		...sendTest.description,
	],
};
