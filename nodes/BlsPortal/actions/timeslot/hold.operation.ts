import type {
	IDataObject,
	IDisplayOptions,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { blsApiRequest, unwrapData } from '../../transport';
import { withNormalizedTimes } from '../apiShapes';
import { coursePicker, readCourseId } from '../course/coursePicker';
import { requireDate, requireTime } from '../validate';

export interface Slot {
	courseId: number;
	date: string;
	time: string;
}

/** Course, day and time of a slot, each picked from what is free (shared with Booking → Book). */
export function slotFields(show: IDisplayOptions['show']): INodeProperties[] {
	return [
		coursePicker(show),
		{
			// eslint-disable-next-line n8n-nodes-base/node-param-display-name-wrong-for-dynamic-options -- a day is a value, "Date Name or ID" would mislead
			displayName: 'Date',
			name: 'date',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getTimeslotDates', loadOptionsDependsOn: ['courseId'] },
			required: true,
			default: '',
			// eslint-disable-next-line n8n-nodes-base/node-param-description-wrong-for-dynamic-options -- the expression takes a date, not an ID
			description:
				'Training day with free places for the course (the next 3 months are listed). For another day use an expression giving YYYY-MM-DD.',
			displayOptions: { show },
		},
		{
			// eslint-disable-next-line n8n-nodes-base/node-param-display-name-wrong-for-dynamic-options -- a time is a value, "Time Name or ID" would mislead
			displayName: 'Time',
			name: 'time',
			type: 'options',
			typeOptions: {
				loadOptionsMethod: 'getTimeslotTimes',
				loadOptionsDependsOn: ['courseId', 'date'],
			},
			required: true,
			default: '',
			// eslint-disable-next-line n8n-nodes-base/node-param-description-wrong-for-dynamic-options -- the expression takes a time, not an ID
			description:
				'Start time with free places on that day. With an expression, give a 24-hour time as HH:MM (HH:MM:SS is accepted too).',
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
