import type { INodeProperties } from 'n8n-workflow';

import type { BlsResource } from '../operation';
import * as getMany from './getMany.operation';

const operationPicker: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['course'] } },
	options: [
		{
			name: 'Get Many',
			value: 'getMany',
			description:
				'List the active BLS courses with their price; their IDs are used by timeslots and bookings',
			action: 'Get many courses',
		},
	],
	default: 'getMany',
};

export const course: BlsResource<'getMany'> = {
	operations: { getMany },
	description: [operationPicker, ...getMany.description],
};
