import type {
	IExecuteFunctions,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { WEBHOOK_EVENT_OPTIONS } from '../shared/webhookEvents';
import { endpointIsCurrent, registerEndpoint, unregisterEndpoint } from './endpointRegistration';
import { passNewEvents } from './handledEvents';
import { receiveDelivery } from './receiveDelivery';

export class BlsPortalTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'BLS Portal Trigger',
		name: 'blsPortalTrigger',
		icon: { light: 'file:blsPortal.svg', dark: 'file:blsPortal.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["events"].join(", ")}}',
		// n8n's node creator shows one card for both BLS Portal nodes and gives it the trigger's
		// description, so this describes the whole package, as the action node's does.
		description:
			'Book Basic Life Support training, sync bookings and download certificates with the HB Compliance / TDTA BLS Portal API',
		defaults: { name: 'BLS Portal Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'blsPortalApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				// n8n answers 2xx as soon as the execution is created; the node answers itself when
				// it refuses a delivery or before downloading a certificate.
				responseMode: 'onReceived',
				path: 'webhook',
			},
		],
		properties: [
			{
				// The editor renders a notice as HTML, so no angle brackets.
				displayName:
					'Activating the workflow registers a webhook endpoint in BLS Portal named after the workflow, for example "n8n: Certificate email (Xb7QpL2s)" for the workflow Certificate email with ID Xb7QpL2s. Deactivating it deletes the endpoint. Every delivery is checked against the endpoint\'s signing secret.',
				name: 'registrationNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				default: [],
				options: [...WEBHOOK_EVENT_OPTIONS],
				description: 'The events that start the workflow; others are acknowledged and ignored',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Attach Certificate',
						name: 'attachCertificate',
						type: 'boolean',
						default: false,
						description:
							'Whether to download the certificate PDF for Booking Certificate Available events and add it to the item as binary data. A failed download adds certificate_error to the item instead.',
					},
					{
						displayName: 'Certificate Property Name',
						name: 'binaryPropertyName',
						type: 'string',
						default: 'certificate',
						description: 'Name of the binary property the certificate PDF is put in',
						displayOptions: { show: { attachCertificate: [true] } },
					},
					{
						displayName: 'Ignore Duplicate Deliveries',
						name: 'ignoreDuplicates',
						type: 'boolean',
						default: true,
						description:
							"Whether to let an event that was already received (BLS Portal retries a delivery up to 5 times, 15 minutes apart) start nothing after the trigger. Event IDs are recorded in n8n's database (the store Remove Duplicates uses, last 10,000), so restarts and every n8n process know them. Where n8n does not offer that store, only the receiving n8n process remembers them (2 hours), and the execution says so.",
					},
				],
			},
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await endpointIsCurrent.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await registerEndpoint.call(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await unregisterEndpoint.call(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveDelivery.call(this);
	}

	/** n8n runs this with the items webhook() returned: it drops events already handled (see handledEvents.ts). */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await passNewEvents.call(this);
	}
}
