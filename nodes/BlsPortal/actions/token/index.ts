import type { INodeProperties } from 'n8n-workflow';

import type { BlsResource } from '../operation';
import * as getInfo from './getInfo.operation';
import * as revoke from './revoke.operation';

const operationPicker: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['token'] } },
	options: [
		{
			name: 'Get Info',
			value: 'getInfo',
			description: 'Inspect the access token in use: account, issue and expiry times',
			action: 'Get token info',
		},
		{
			name: 'Revoke',
			value: 'revoke',
			description: 'Revoke the access token in use, for example after rotating the API key',
			action: 'Revoke the token',
		},
	],
	default: 'getInfo',
};

export const token: BlsResource<'getInfo' | 'revoke'> = {
	operations: { getInfo, revoke },
	description: [operationPicker, ...revoke.description],
};
