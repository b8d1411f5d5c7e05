/** Slot, hold and hold-hash helpers shared by Timeslot → Hold / Release Hold and Booking → Create / Book. */
import type {
	IDataObject,
	IDisplayOptions,
	IExecuteFunctions,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { withNormalizedTimes } from '../../../shared/apiShapes';
import { blsApiRequest, unwrapData } from '../../../shared/transport';
import { coursePicker, readCourseId } from './coursePicker';
import { requireDate, requireText, requireTime } from './validate';

export interface Slot {
	courseId: number;
	date: string;
	time: string;
}

/** Course, day and time of a slot, each picked from what is free . */
export function slotFields(show: IDisplayOptions['show']): INodeProperties[] {
	return [
		coursePicker(show),
		{
			// n8n's convention for a dropdown loaded from the API: "Name or ID", with the standard
			// description; a day's ID is its date, which the description says.
			displayName: 'Date Name or ID',
			name: 'date',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getTimeslotDates', loadOptionsDependsOn: ['courseId'] },
			required: true,
			default: '',
			description:
				'Training day with free places for the course (the next 3 months are listed); a day\'s ID is its date as YYYY-MM-DD, so an expression can give any day. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			displayOptions: { show },
		},
		{
			displayName: 'Time Name or ID',
			name: 'time',
			type: 'options',
			typeOptions: {
				loadOptionsMethod: 'getTimeslotTimes',
				loadOptionsDependsOn: ['courseId', 'date'],
			},
			required: true,
			default: '',
			description:
				'Start time with free places on that day; a time\'s ID is the 24-hour time as HH:MM (HH:MM:SS is accepted too). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			displayOptions: { show },
		},
	];
}

export function readSlot(this: IExecuteFunctions, itemIndex: number): Slot {
	return {
		courseId: readCourseId.call(this, itemIndex),
		date: requireDate.call(this, itemIndex, 'Date', this.getNodeParameter('date', itemIndex, '')),
		time: requireTime.call(this, itemIndex, 'Time', this.getNodeParameter('time', itemIndex, '')),
	};
}

/** POST /timeslots/hold: `{ hold_hash, course_id, date, time, expires_at }`. */
export async function holdTimeslot(this: IExecuteFunctions, slot: Slot): Promise<IDataObject> {
	const response = await blsApiRequest.call(this, 'POST', '/timeslots/hold', {
		body: { course_id: slot.courseId, date: slot.date, time: slot.time },
	});
	return withNormalizedTimes(unwrapData(response));
}

/** The hold hash field of Booking → Create and Timeslot → Release Hold. */
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
