import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { blsApiList } from '../../../shared/transport';
import { withNormalizedTimes } from '../../../shared/apiShapes';
import { coursePicker, readCourseId } from '../common/coursePicker';
import { paginationFields, requestedLimit } from '../common/pagination';
import { optionalDate, requirePositiveInteger } from '../common/validate';

const show = { resource: ['timeslot'], operation: ['getMany'] };

export const description: INodeProperties[] = [
	coursePicker(show),
	{
		displayName: 'Months Ahead',
		name: 'monthsAhead',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 1,
		description: 'How far ahead to look for free slots, in months',
		hint: 'The API docs state no maximum; BLS Portal answers with the allowed range if it refuses the value',
		displayOptions: { show },
	},
	{
		displayName: 'Date',
		name: 'date',
		type: 'string',
		default: '',
		placeholder: '2026-07-15',
		description: 'Only slots on this day (YYYY-MM-DD). Leave empty for every day in the range.',
		displayOptions: { show },
	},
	...paginationFields('timeslot', 'getMany', 'timeslots'),
];

/** Free slots as `{ date, time, course, spaces_available }`; full slots are not listed by the API. */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const qs: IDataObject = {
		course_id: readCourseId.call(this, itemIndex),
		// Only "a whole number of at least 1": the docs give no maximum, so the API judges the rest.
		months_ahead: requirePositiveInteger.call(
			this,
			itemIndex,
			'Months Ahead',
			this.getNodeParameter('monthsAhead', itemIndex, 1),
		),
	};
	const date = optionalDate.call(
		this,
		itemIndex,
		'Date',
		this.getNodeParameter('date', itemIndex, ''),
	);
	if (date) qs.date = date;
	const slots = await blsApiList.call(this, '/timeslots', qs, requestedLimit.call(this, itemIndex));
	return slots.map((slot) => ({ json: withNormalizedTimes(slot) }));
}
