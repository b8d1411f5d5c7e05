import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { requirePositiveInteger } from '../common/validate';

/** Booking picker: search the account's bookings, or give the numeric ID (also as an expression). */
export function bookingLocator(operation: string): INodeProperties {
	return {
		displayName: 'Booking',
		name: 'bookingId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'The booking, by its numeric ID (not its BLS-… reference)',
		displayOptions: { show: { resource: ['booking'], operation: [operation] } },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a booking...',
				typeOptions: { searchListMethod: 'searchBookings', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 123',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^\\s*[1-9][0-9]*\\s*$',
							errorMessage: 'Not a valid booking ID: use a whole number such as 123',
						},
					},
				],
			},
		],
	};
}

export function readBookingId(this: IExecuteFunctions, itemIndex: number): number {
	// extractValue also unwraps a plain value, so an expression in place of the whole locator works too.
	const value = this.getNodeParameter('bookingId', itemIndex, '', { extractValue: true });
	return requirePositiveInteger.call(this, itemIndex, 'Booking', value);
}
