import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { blsApiList } from '../../transport';
import { paginationFields, requestedLimit } from '../pagination';

export const description = paginationFields('account', 'getManyTransactions', 'transactions');

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const transactions = await blsApiList.call(
		this,
		'/transactions',
		{},
		requestedLimit.call(this, itemIndex),
	);
	return transactions.map((json) => ({ json }));
}
