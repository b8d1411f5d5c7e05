import type { INodeProperties } from 'n8n-workflow';

import type { BlsResource } from '../operation';
import * as book from './book.operation';
import * as create from './create.operation';
import * as downloadCertificate from './downloadCertificate.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';

const operationPicker: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['booking'] } },
	options: [
		{
			name: 'Book',
			value: 'book',
			description: 'Hold a slot and book it in one step; the hold is released if the booking fails',
			action: 'Book a timeslot',
		},
		{
			name: 'Create',
			value: 'create',
			description: 'Book a slot held with Timeslot → Hold',
			action: 'Create a booking',
		},
		{
			name: 'Download Certificate',
			value: 'downloadCertificate',
			description:
				'Download the completion certificate PDF (needs training completed and the kit returned)',
			action: 'Download a certificate',
		},
		{
			name: 'Get',
			value: 'get',
			description: 'Get a booking with its training and equipment status',
			action: 'Get a booking',
		},
		{
			name: 'Get Many',
			value: 'getMany',
			description: 'List bookings, optionally filtered',
			action: 'Get many bookings',
		},
	],
	default: 'book',
};

export const booking: BlsResource<'book' | 'create' | 'downloadCertificate' | 'get' | 'getMany'> = {
	operations: { book, create, downloadCertificate, get, getMany },
	description: [
		operationPicker,
		...book.description,
		...create.description,
		...get.description,
		...getMany.description,
		...downloadCertificate.description,
	],
};
