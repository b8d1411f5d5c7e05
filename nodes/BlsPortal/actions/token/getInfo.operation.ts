import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { blsApiRequest, unwrapData } from '../../../shared/transport';

export const description: INodeProperties[] = [];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const info = { ...unwrapData(await blsApiRequest.call(this, 'GET', '/auth/token-info')) };
	// Token info describes the token; it must never hand the token itself on to later nodes.
	delete info.access_token;
	delete info.refresh_token;
	delete info.token;
	return [{ json: info }];
}
