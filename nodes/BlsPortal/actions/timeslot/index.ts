import type { INodeProperties } from 'n8n-workflow';

import type { BlsResource } from '../operation';
import * as getMany from './getMany.operation';
import * as hold from './hold.operation';
import * as releaseHold from './releaseHold.operation';

const operationPicker: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['timeslot'] } },
	options: [
		{
			name: 'Get Many',
			value: 'getMany',
			description: 'List free training slots (day, time, places left) for a course',
			action: 'Get many timeslots',
		},
		{
			name: 'Hold',
			value: 'hold',
			description:
				'Reserve a slot for 30 minutes, to book it with Booking → Create (one hold per account)',
			action: 'Hold a timeslot',
		},
		{
			name: 'Release Hold',
			value: 'releaseHold',
			description: 'Free a held slot early, so the account can hold another one',
			action: 'Release a timeslot hold',
		},
	],
	default: 'getMany',
};

export const timeslot: BlsResource<'getMany' | 'hold' | 'releaseHold'> = {
	operations: { getMany, hold, releaseHold },
	description: [
		operationPicker,
		...getMany.description,
		...hold.description,
		...releaseHold.description,
	],
};
