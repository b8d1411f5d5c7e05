import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { blsApiRequest, unwrapData } from '../../../shared/transport';

export const description: INodeProperties[] = [];

/** One item: per-course booking credits and the GBP money balance, as the API reports them. */
export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const response = await blsApiRequest.call(this, 'GET', '/credits');
	return [{ json: unwrapData(response) }];
}
