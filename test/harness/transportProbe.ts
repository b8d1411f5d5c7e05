import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { blsApiList, blsApiRequest } from '../../nodes/shared/transport';

/**
 * A node that only calls the transport, so its tests can go through n8n-core's real request path
 * with any endpoint, method and limit, independent of the operations built on top of it.
 */
export class TransportProbe implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Transport Probe',
		name: 'transportProbe',
		group: ['transform'],
		version: 1,
		description: 'Test-only',
		defaults: { name: 'Transport Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'blsPortalApi', required: true }],
		properties: [
			{ displayName: 'Endpoint', name: 'endpoint', type: 'string', default: '' },
			{ displayName: 'Method', name: 'method', type: 'string', default: 'GET' },
			{ displayName: 'List', name: 'list', type: 'boolean', default: false },
			{ displayName: 'Limit', name: 'limit', type: 'number', default: 0 },
			{ displayName: 'Query', name: 'qs', type: 'json', default: {} },
			{ displayName: 'Body', name: 'body', type: 'json', default: {} },
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const endpoint = this.getNodeParameter('endpoint', 0) as string;
		const method = this.getNodeParameter('method', 0) as 'GET' | 'POST' | 'DELETE';
		if (this.getNodeParameter('list', 0)) {
			const limit = this.getNodeParameter('limit', 0) as number;
			const qs = this.getNodeParameter('qs', 0) as IDataObject;
			const items = await blsApiList.call(this, endpoint, qs, limit || undefined);
			return [items.map((json) => ({ json }))];
		}
		const body = this.getNodeParameter('body', 0) as IDataObject;
		const options = method === 'GET' ? {} : { body };
		return [[{ json: await blsApiRequest.call(this, method, endpoint, options) }]];
	}
}
