import type {
	IDataObject,
	IDisplayOptions,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { blsApiRequest } from '../../transport';
import { requireText } from '../validate';

/** The hold hash field, shared with Booking → Create. */
export function holdHashField(show: IDisplayOptions['show'], description: string): INodeProperties {
	return {
		displayName: 'Hold Hash',
		name: 'holdHash',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'Xy7kRtQmNpLsWvBzJcFdEaHgUiOeYtAn',
		description,
		hint: 'The hold_hash output of Timeslot → Hold, e.g. {{ $json.hold_hash }}',
		displayOptions: { show },
	};
}

export function readHoldHash(this: IExecuteFunctions, itemIndex: number): string {
	const holdHash = requireText.call(
		this,
		itemIndex,
		'Hold Hash',
		this.getNodeParameter('holdHash', itemIndex, ''),
	);
	// The docs show a hash of letters and digits but state no format, so any text is sent (encoded
	// as one path segment). Only "." and "..", which a URL resolves away instead of sending, are refused.
	if (holdHash === '.' || holdHash === '..') {
		throw new NodeOperationError(this.getNode(), `Hold Hash: "${holdHash}" is not a hold hash`, {
			itemIndex,
			description:
				'Use the hold_hash returned by Timeslot → Hold, for example {{ $json.hold_hash }}. No request was sent to BLS Portal.',
		});
	}
	return holdHash;
}

/** DELETE /timeslots/hold/{holdHash}; 404 when the hold is unknown, expired or already used. */
export async function releaseHold(this: IExecuteFunctions, holdHash: string): Promise<IDataObject> {
	return await blsApiRequest.call(
		this,
		'DELETE',
		`/timeslots/hold/${encodeURIComponent(holdHash)}`,
		{
			resourceLabel: `timeslot hold ${holdHash} (it may have expired or been turned into a booking)`,
		},
	);
}

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
