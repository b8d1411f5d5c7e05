import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { blsApiRequest } from '../../../shared/transport';

export const description: INodeProperties[] = [
	{
		displayName:
			'Revokes the access token this credential is using (and its refresh token). The next request signs in again with the client ID and API key.',
		name: 'revokeNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { resource: ['token'], operation: ['revoke'] } },
	},
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const response = await blsApiRequest.call(this, 'POST', '/auth/revoke');
	return [{ json: { revoked: true, message: response.message ?? 'Token revoked' } }];
}
