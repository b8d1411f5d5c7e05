import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { withNormalizedTimes } from '../../../shared/apiShapes';
import { blsApiList } from '../../../shared/transport';
import { paginationFields, requestedLimit } from '../common/pagination';
import {
	optionalDate,
	optionalEmail,
	optionalText,
	requirePositiveInteger,
} from '../common/validate';
import { failedFilters, uncheckableFilters } from './bookingMatch';

const show = { resource: ['booking'], operation: ['getMany'] };

export const description: INodeProperties[] = [
	...paginationFields('booking', 'getMany', 'bookings'),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Course Name or ID',
				name: 'courseId',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getCourses' },
				default: '',
				description:
					'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
			{
				displayName: 'Date From',
				name: 'dateFrom',
				type: 'string',
				default: '',
				placeholder: '2026-07-01',
				description: 'Only training on or after this day (YYYY-MM-DD)',
			},
			{
				displayName: 'Date To',
				name: 'dateTo',
				type: 'string',
				default: '',
				placeholder: '2026-07-31',
				description: 'Only training on or before this day (YYYY-MM-DD)',
			},
			{
				displayName: 'Email',
				name: 'email',
				type: 'string',
				placeholder: 'name@email.com',
				default: '',
				description: "Only bookings with exactly this candidate email (case doesn't matter)",
			},
			{
				displayName: 'Equipment Status',
				name: 'equipmentStatus',
				type: 'options',
				default: 'in',
				description: 'Where the training kit is. Certificates need it returned (In).',
				options: [
					{ name: 'In (Returned)', value: 'in', description: 'The kit is back with TDTA' },
					{
						name: 'Late',
						value: 'late',
						description: 'The kit was not returned by the expected date',
					},
					{ name: 'Not Sent', value: 'not_sent', description: 'The kit has not been posted yet' },
					{ name: 'Out', value: 'out', description: 'The kit is with the candidate' },
				],
			},
			{
				displayName: 'Search',
				name: 'search',
				type: 'string',
				default: '',
				placeholder: 'Smith',
				description:
					'Only bookings whose candidate name, email or reference (BLS-…) contains this text',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				default: 'booked',
				options: [
					{ name: 'Booked', value: 'booked', description: 'Confirmed and paid for' },
					{ name: 'Cancelled', value: 'cancelled' },
					{
						name: 'Pending',
						value: 'pending',
						description: 'Candidate Pays bookings waiting for the candidate to pay',
					},
				],
			},
			{
				displayName: 'Training Status',
				name: 'trainingStatus',
				type: 'options',
				default: 'completed',
				description: 'Certificates need training completed',
				options: [
					{ name: 'Attended', value: 'attended' },
					{ name: 'Completed', value: 'completed' },
					{ name: 'No Show', value: 'no_show' },
					{ name: 'Scheduled', value: 'scheduled' },
				],
			},
		],
	},
];

/** The filters as API query parameters, each checked before any request. */
function readFilters(this: IExecuteFunctions, itemIndex: number): IDataObject {
	const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
	const qs: IDataObject = {
		// Status values beyond the dropdown's are passed on: the docs list none, the API judges them.
		status: optionalText.call(this, itemIndex, 'Status', filters.status),
		course_id:
			filters.courseId === undefined || filters.courseId === ''
				? undefined
				: requirePositiveInteger.call(this, itemIndex, 'Course', filters.courseId),
		date_from: optionalDate.call(this, itemIndex, 'Date From', filters.dateFrom),
		date_to: optionalDate.call(this, itemIndex, 'Date To', filters.dateTo),
		email: optionalEmail.call(this, itemIndex, 'Email', filters.email),
		search: optionalText.call(this, itemIndex, 'Search', filters.search),
		training_status: optionalText.call(this, itemIndex, 'Training Status', filters.trainingStatus),
		equipment_status: optionalText.call(
			this,
			itemIndex,
			'Equipment Status',
			filters.equipmentStatus,
		),
	};
	const { date_from: from, date_to: to } = qs;
	if (typeof from === 'string' && typeof to === 'string' && from > to) {
		throw new NodeOperationError(
			this.getNode(),
			`Date From: must not be after Date To (${from} > ${to})`,
			{
				itemIndex,
				description: 'Both dates are inclusive; swap them. No request was sent to BLS Portal.',
			},
		);
	}
	for (const key of Object.keys(qs)) if (qs[key] === undefined) delete qs[key];
	return qs;
}

/**
 * Bookings in ID order (stable pages while new bookings arrive), filtered by the API. Every item is
 * checked against the filters too: one that visibly fails them shows the server ignored a filter,
 * and then the whole list is read and filtered here, so the answer is still the filtered list.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const qs = readFilters.call(this, itemIndex);
	const limit = requestedLimit.call(this, itemIndex);
	let bookings = await blsApiList.call(this, '/bookings', qs, limit);
	if (bookings.some((booking) => failedFilters(booking, qs).length > 0)) {
		const everything =
			limit === undefined ? bookings : await blsApiList.call(this, '/bookings', qs);
		const uncheckable = [
			...new Set(everything.flatMap((booking) => uncheckableFilters(booking, qs))),
		];
		if (uncheckable.length > 0) {
			throw new NodeOperationError(
				this.getNode(),
				'BLS Portal ignored the filters, and they cannot be checked here',
				{
					itemIndex,
					description: `The API returned bookings that do not match the filters, and some bookings lack the field of ${uncheckable.join(', ')}, so the node cannot filter them itself. Remove those filters and filter the output (for example with the Filter node).`,
				},
			);
		}
		bookings = everything.filter((booking) => failedFilters(booking, qs, true).length === 0);
		if (limit !== undefined) bookings = bookings.slice(0, limit);
	}
	return bookings.map((booking) => ({ json: withNormalizedTimes(booking) }));
}
