import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { blsApiRequest, unwrapData } from '../../../shared/transport';

export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const response = await blsApiRequest.call(this, 'GET', '/booking-url');
	return [{ json: unwrapData(response) }];
}
