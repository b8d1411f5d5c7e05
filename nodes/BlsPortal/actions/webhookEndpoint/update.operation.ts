import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { apiErrorOf, blsApiRequest } from '../../../shared/transport';
import {
	endpointBody,
	endpointOutput,
	endpointSetting,
	readWebhookEndpointId,
	webhookEndpointLocator,
} from './endpointFields';

const show = { resource: ['webhookEndpoint'], operation: ['update'] };

export const description: INodeProperties[] = [
	webhookEndpointLocator('update'),
	{
		displayName: 'Update Fields',
		name: 'updateFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description:
			'Only the fields added here are changed (the others are sent unchanged if BLS Portal needs the whole endpoint)',
		displayOptions: { show },
		options: [
			endpointSetting.active,
			endpointSetting.events,
			endpointSetting.name,
			endpointSetting.timeoutSeconds,
			endpointSetting.url,
		],
	},
];

/** The settings PUT /webhooks/{id} takes (docs: "name, URL, events, timeout, active state"). */
const SETTINGS = ['name', 'url', 'events', 'timeout_seconds', 'max_retries', 'is_active'];

/** The settings a 422 names that this request did not send: the API wants the whole object. */
function missingFields(error: unknown, sent: IDataObject): string[] {
	const refusal = apiErrorOf(error);
	const errors = refusal?.status === 422 ? refusal.body?.errors : undefined;
	if (!errors || typeof errors !== 'object') return [];
	return Object.keys(errors).filter((field) => SETTINGS.includes(field) && !(field in sent));
}

/**
 * Sends only the changed fields first: one call, and a concurrent edit of another field survives.
 * A server whose PUT needs the whole object answers 422 naming the fields left out; then the
 * endpoint is read and sent whole with the changes applied (read-modify-write), once.
 */
export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const id = readWebhookEndpointId.call(this, itemIndex);
	const changes = endpointBody.call(
		this,
		itemIndex,
		this.getNodeParameter('updateFields', itemIndex, {}) as IDataObject,
	);
	if (Object.keys(changes).length === 0) {
		throw new NodeOperationError(this.getNode(), 'Add at least one field to update', {
			itemIndex,
			description:
				'Use "Add Field" under Update Fields to choose what to change. No request was sent to BLS Portal.',
		});
	}
	const put = async (body: IDataObject) =>
		await blsApiRequest.call(this, 'PUT', `/webhooks/${id}`, {
			body,
			resourceLabel: `webhook endpoint ${id}`,
		});
	let refusal: unknown;
	let response = await put(changes).catch((error: unknown) => {
		refusal = error;
		return undefined;
	});
	if (!response) {
		// Any other failure is the API's answer to the change itself: report it as it is.
		if (missingFields(refusal, changes).length === 0) throw refusal;
		const current = endpointOutput(
			await blsApiRequest.call(this, 'GET', `/webhooks/${id}`, {
				resourceLabel: `webhook endpoint ${id}`,
			}),
		);
		const whole: IDataObject = {};
		for (const field of SETTINGS) if (current[field] !== undefined) whole[field] = current[field];
		response = await put({ ...whole, ...changes });
	}
	return [{ json: endpointOutput(response) }];
}
