import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import {
	normalizeEndpoint,
	readSigningSecret,
	resourceWithExtras,
} from '../../../shared/apiShapes';
import {
	optionalText,
	requireBoolean,
	requireHttpUrl,
	requirePositiveInteger,
	requireWholeNumber,
} from '../common/validate';
import { WEBHOOK_EVENT_OPTIONS, WEBHOOK_EVENT_TYPES } from '../../../shared/webhookEvents';

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
						properties: {
							regex: '^\\s*[1-9][0-9]*\\s*$',
							errorMessage: 'Not a valid webhook endpoint ID: use a whole number such as 12',
						},
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
		default: 30,
		description:
			'How long BLS Portal waits for a 2xx answer before it counts the delivery as failed and retries it',
		hint: 'The API docs state no range; BLS Portal answers with the allowed range if it refuses the value',
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
	const events = Array.isArray(value)
		? value.map(String)
		: typeof value === 'string' && value
			? value.split(',').map((e) => e.trim())
			: [];
	const unknown = events.filter((event) => !WEBHOOK_EVENT_TYPES.includes(event));
	if (events.length === 0 || unknown.length > 0) {
		throw new NodeOperationError(
			ctx.getNode(),
			events.length === 0
				? 'Events: choose at least one event'
				: `Events: unknown event ${unknown.map((e) => `"${e}"`).join(', ')}`,
			{
				itemIndex,
				description: `Valid events: ${WEBHOOK_EVENT_TYPES.join(', ')}. No request was sent to BLS Portal.`,
			},
		);
	}
	return [...new Set(events)];
}

/** Turns the settings the user set into the API's body, checking each before any request. */
export function endpointBody(
	this: IExecuteFunctions,
	itemIndex: number,
	settings: IDataObject,
): IDataObject {
	const body: IDataObject = {};
	if (settings.name !== undefined)
		body.name = optionalText.call(this, itemIndex, 'Name', settings.name) ?? null;
	if (settings.url !== undefined)
		body.url = requireHttpUrl.call(this, itemIndex, 'URL', settings.url);
	if (settings.events !== undefined) body.events = requireEvents(this, itemIndex, settings.events);
	if (settings.timeoutSeconds !== undefined) {
		// The docs state no range (the sandbox's 1–60 is a guess): the API's 422 judges it.
		body.timeout_seconds = requireWholeNumber.call(
			this,
			itemIndex,
			'Timeout (Seconds)',
			settings.timeoutSeconds,
		);
	}
	if (settings.active !== undefined)
		body.is_active = requireBoolean.call(this, itemIndex, 'Active', settings.active);
	return body;
}

/**
 * Create and Rotate Secret: everything the API answered, plus the signing secret (shown this once
 * only) under `secret` whatever name the API gave it. Without a secret the endpoint is useless, so
 * its absence is an error, not an output that looks fine.
 */
export function endpointWithSecret(
	ctx: IExecuteFunctions,
	itemIndex: number,
	response: IDataObject,
): IDataObject {
	const secret = readSigningSecret(response);
	const endpoint = normalizeEndpoint(resourceWithExtras(response));
	if (secret === undefined) {
		throw new NodeOperationError(ctx.getNode(), 'BLS Portal answered without the signing secret', {
			itemIndex,
			description: `The endpoint${endpoint.id === undefined ? '' : ` (id ${String(endpoint.id)})`} exists, but no signing secret was found under secret or signing_secret (top level or under data). Use Webhook Endpoint → Rotate Secret to get a new one.`,
		});
	}
	return { ...endpoint, secret };
}

/** Get, Get Many and Update: the endpoint with everything the API sent, `is_active` as a boolean. */
export function endpointOutput(response: IDataObject): IDataObject {
	return normalizeEndpoint(resourceWithExtras(response));
}

export const secretShownOnceNotice = (operation: string): INodeProperties => ({
	displayName:
		'The signing secret is in this node\'s output (field "secret") this one time only: BLS Portal never shows it again. Store it where the receiving system can read it, for verifying the X-TDTA-Signature header.',
	name: `${operation}SecretNotice`,
	type: 'notice',
	default: '',
	displayOptions: { show: { resource: ['webhookEndpoint'], operation: [operation] } },
});
