import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { blsApiRequest, unwrapData } from '../../../shared/transport';
import { withNormalizedTimes } from '../../../shared/apiShapes';
import { bookingLocator, readBookingId } from './bookingLocator';

export const description = [bookingLocator('get')];

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const id = readBookingId.call(this, itemIndex);
	const response = await blsApiRequest.call(this, 'GET', `/bookings/${id}`, {
		resourceLabel: `booking ${id}`,
	});
	return [{ json: withNormalizedTimes(unwrapData(response)) }];
}
