import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { blsApiList } from '../../../shared/transport';
import { normalizeEndpoint } from '../../../shared/apiShapes';
import { paginationFields, requestedLimit } from '../common/pagination';

export const description = paginationFields('webhookEndpoint', 'getMany', 'webhook endpoints');

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const endpoints = await blsApiList.call(
		this,
		'/webhooks',
		{},
		requestedLimit.call(this, itemIndex),
	);
	return endpoints.map((endpoint) => ({ json: normalizeEndpoint(endpoint) }));
}
