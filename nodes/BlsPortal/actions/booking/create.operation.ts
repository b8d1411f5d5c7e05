import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { candidateFields, createBooking, readCandidate } from '../common/candidate';
import { holdHashField, readHoldHash } from '../common/holds';

const show = { resource: ['booking'], operation: ['create'] };

export const description: INodeProperties[] = [
	holdHashField(
		show,
		'The held timeslot to book (holds last 30 minutes). If the booking is rejected the hold stays in place: fix and retry, or release it with Timeslot → Release Hold.',
	),
	...candidateFields(show),
];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const holdHash = readHoldHash.call(this, itemIndex);
	const booking = await createBooking.call(
		this,
		holdHash,
		await readCandidate.call(this, itemIndex),
	);
	return [{ json: booking }];
}
