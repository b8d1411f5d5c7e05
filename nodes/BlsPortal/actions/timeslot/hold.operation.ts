import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { holdTimeslot, readSlot, slotFields } from '../common/holds';

const show = { resource: ['timeslot'], operation: ['hold'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'A hold keeps the place for 30 minutes. Only one hold can be active per account: turn it into a booking with Booking → Create, or free it with Timeslot → Release Hold, before holding another slot.',
		name: 'holdNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	...slotFields(show),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const hold = await holdTimeslot.call(this, readSlot.call(this, itemIndex));
	return [{ json: hold }];
}
