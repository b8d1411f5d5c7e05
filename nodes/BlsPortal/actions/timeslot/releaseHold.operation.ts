import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { holdHashField, readHoldHash, releaseHold } from '../common/holds';

export const description: INodeProperties[] = [
	holdHashField(
		{ resource: ['timeslot'], operation: ['releaseHold'] },
		'The hold to release, so the place is free again and the account can hold another slot',
	),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const holdHash = readHoldHash.call(this, itemIndex);
	const response = await releaseHold.call(this, holdHash);
	return [
		{ json: { released: true, hold_hash: holdHash, message: response.message ?? 'Hold released' } },
	];
}
