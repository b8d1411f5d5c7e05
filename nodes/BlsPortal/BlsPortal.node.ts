import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { router } from './actions/router';
import { resources } from './actions/resources';
import { listSearch, loadOptions } from './methods';

export class BlsPortal implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'BLS Portal',
		name: 'blsPortal',
		icon: { light: 'file:blsPortal.svg', dark: 'file:blsPortal.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Book Basic Life Support training, sync bookings and download certificates with the HB Compliance / TDTA BLS Portal API',
		defaults: { name: 'BLS Portal' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'blsPortalApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Account', value: 'account' },
					{ name: 'Booking', value: 'booking' },
					{ name: 'Course', value: 'course' },
					{ name: 'Timeslot', value: 'timeslot' },
					{ name: 'Token', value: 'token' },
					{ name: 'Webhook Endpoint', value: 'webhookEndpoint' },
				],
				default: 'account',
			},
			...Object.values(resources).flatMap((resource) => resource.description),
		],
	};

	methods = { loadOptions, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
