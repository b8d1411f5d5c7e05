import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { blsApiList } from '../../../shared/transport';
import { paginationFields, requestedLimit } from '../common/pagination';

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
