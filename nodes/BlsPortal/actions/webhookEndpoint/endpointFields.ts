import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { unwrapData } from '../../transport';
import { optionalText, requireHttpUrl, requireIntegerBetween, requirePositiveInteger } from '../validate';
import { WEBHOOK_EVENT_OPTIONS, WEBHOOK_EVENT_TYPES } from './events';

/** Webhook endpoint picker: search the account's endpoints by name or URL, or give the numeric ID. */
export function webhookEndpointLocator(operation: string): INodeProperties {
	return {
		displayName: 'Webhook Endpoint',
		name: 'webhookId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'The webhook endpoint, by its numeric ID',
		displayOptions: { show: { resource: ['webhookEndpoint'], operation: [operation] } },
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a webhook endpoint...',
				typeOptions: { searchListMethod: 'searchWebhookEndpoints', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 12',
				validation: [
					{
						type: 'regex',
						properties: { regex: '^\\s*[1-9][0-9]*\\s*$', errorMessage: 'Not a valid webhook endpoint ID: use a whole number such as 12' },
					},
				],
			},
		],
	};
}

export function readWebhookEndpointId(this: IExecuteFunctions, itemIndex: number): number {
	const value = this.getNodeParameter('webhookId', itemIndex, '', { extractValue: true });
	return requirePositiveInteger.call(this, itemIndex, 'Webhook Endpoint', value);
}

/** The endpoint settings, as Create's required fields and additional fields and as Update's fields. */
export const endpointSetting = {
	name: {
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		description: 'A label to recognise the endpoint by in BLS Portal',
	},
	url: {
		displayName: 'URL',
		name: 'url',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/bls-webhook',
		description: 'Where BLS Portal POSTs the events (http or https)',
	},
	events: {
		displayName: 'Events',
		name: 'events',
		type: 'multiOptions',
		default: [],
		options: [...WEBHOOK_EVENT_OPTIONS],
		description: 'The events sent to this endpoint',
	},
	timeoutSeconds: {
		displayName: 'Timeout (Seconds)',
		name: 'timeoutSeconds',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 60 },
		default: 30,
		description: 'How long BLS Portal waits for a 2xx answer before it counts the delivery as failed and retries it',
	},
	active: {
		displayName: 'Active',
		name: 'active',
		type: 'boolean',
		default: true,
		description: 'Whether BLS Portal sends events to this endpoint',
	},
} satisfies Record<string, INodeProperties>;

function requireEvents(ctx: IExecuteFunctions, itemIndex: number, value: unknown): string[] {
	const events = Array.isArray(value) ? value.map(String) : typeof value === 'string' && value ? value.split(',').map((e) => e.trim()) : [];
	const unknown = events.filter((event) => !WEBHOOK_EVENT_TYPES.includes(event));
	if (events.length === 0 || unknown.length > 0) {
		throw new NodeOperationError(
			ctx.getNode(),
			events.length === 0 ? 'Events: choose at least one event' : `Events: unknown event ${unknown.map((e) => `"${e}"`).join(', ')}`,
			{
				itemIndex,
				description: `Valid events: ${WEBHOOK_EVENT_TYPES.join(', ')}. No request was sent to BLS Portal.`,
			},
		);
	}
	return [...new Set(events)];
}

/** Turns the settings the user set into the API's body, checking each before any request. */
export function endpointBody(this: IExecuteFunctions, itemIndex: number, settings: IDataObject): IDataObject {
	const body: IDataObject = {};
	if (settings.name !== undefined) body.name = optionalText.call(this, itemIndex, 'Name', settings.name) ?? null;
	if (settings.url !== undefined) body.url = requireHttpUrl.call(this, itemIndex, 'URL', settings.url);
	if (settings.events !== undefined) body.events = requireEvents(this, itemIndex, settings.events);
	if (settings.timeoutSeconds !== undefined) {
		body.timeout_seconds = requireIntegerBetween.call(this, itemIndex, 'Timeout (Seconds)', settings.timeoutSeconds, 1, 60);
	}
	if (settings.active !== undefined) body.is_active = settings.active === true || settings.active === 'true';
	return body;
}

/** Create and Rotate Secret: the endpoint plus the signing secret, which the API shows this once only. */
export function endpointWithSecret(response: IDataObject): IDataObject {
	const endpoint = unwrapData(response);
	return { ...endpoint, secret: response.secret ?? endpoint.secret, message: response.message };
}

export const secretShownOnceNotice = (operation: string): INodeProperties => ({
	displayName:
		'The signing secret is in this node\'s output (field "secret") this one time only: BLS Portal never shows it again. Store it where the receiving system can read it, for verifying the X-TDTA-Signature header.',
	name: `${operation}SecretNotice`,
	type: 'notice',
	default: '',
	displayOptions: { show: { resource: ['webhookEndpoint'], operation: [operation] } },
});
