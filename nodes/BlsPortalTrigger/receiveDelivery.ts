import type {
	IDataObject,
	INodeExecutionData,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { bookingIdOfEvent } from '../shared/apiShapes';
import { blsApiDownload } from '../shared/transport';
import { seenEventIdsFor } from './deliveryGuard';
import {
	askPortalForSecretProbe,
	endpointKey,
	registeredEndpoint,
	renewIfChangedInPortal,
	renewUnopenableSecret,
	takeSecretProbe,
	type RegisteredEndpoint,
} from './endpointRegistration';
import { verifyDelivery, type DeliveryEnvelope } from './verifySignature';

interface TriggerOptions {
	ignoreDuplicates?: boolean;
	attachCertificate?: boolean;
	binaryPropertyName?: string;
}

/** The parts of express's request and response this trigger uses. */
interface DeliveryRequest {
	headers: Record<string, string | string[] | undefined>;
	rawBody?: unknown;
	readRawBody?: () => Promise<void>;
}
interface DeliveryResponse {
	status(code: number): DeliveryResponse;
	json(body: unknown): unknown;
}

/**
 * n8n's body parser keeps the exact bytes in `rawBody`; older paths only read them on request.
 * Never throws: n8n turns an error thrown by `webhook()` into a (failed) execution, so a request
 * whose bytes cannot be read (a multipart body n8n already consumed, an aborted upload) must be
 * refused like any other unverifiable delivery instead.
 */
async function rawBodyOf(request: DeliveryRequest): Promise<Buffer | undefined> {
	try {
		if (!Buffer.isBuffer(request.rawBody) && typeof request.readRawBody === 'function')
			await request.readRawBody();
	} catch {
		return undefined;
	}
	return Buffer.isBuffer(request.rawBody) ? request.rawBody : undefined;
}

function answer(
	response: DeliveryResponse,
	status: number,
	body: IDataObject,
): IWebhookResponseData {
	response.status(status).json(body);
	return { noWebhookResponse: true };
}

function eventItem(envelope: DeliveryEnvelope, deliveryId: string): INodeExecutionData {
	return {
		json: {
			event_id: envelope.event_id,
			event_type: envelope.event_type,
			occurred_at: envelope.occurred_at as IDataObject[keyof IDataObject],
			data: (envelope.data ?? {}) as IDataObject,
			// A string: delivery ids beyond 2^53 would lose digits as a JavaScript number.
			delivery_id: deliveryId,
		},
	};
}

/**
 * Downloads the booking's certificate onto the item. A failure becomes `certificate_error` on the
 * item rather than an error: the event was acknowledged already and would otherwise be lost.
 */
async function attachCertificate(
	this: IWebhookFunctions,
	item: INodeExecutionData,
	propertyName: string,
): Promise<void> {
	const bookingId = bookingIdOfEvent(item.json.data);
	try {
		if (bookingId === undefined) {
			throw new NodeOperationError(
				this.getNode(),
				'The event names no booking id, so there is no certificate to download',
			);
		}
		const file = await blsApiDownload.call(
			this,
			`/bookings/${encodeURIComponent(String(bookingId))}/certificate`,
			{
				resourceLabel: `certificate of booking ${String(bookingId)}`,
			},
		);
		const fileName = file.fileName ?? `BLS-Certificate-${String(bookingId)}.pdf`;
		item.binary = {
			[propertyName]: await this.helpers.prepareBinaryData(file.data, fileName, file.mimeType),
		};
	} catch (error) {
		const { message, description } = error as { message?: string; description?: string | null };
		item.json.certificate_error = {
			message: message ?? 'The certificate could not be downloaded',
			...(description ? { description } : {}),
		};
	}
}

/**
 * The stored secret does not open with the credential's API key (the key was changed, and no
 * activation has resealed it yet): the delivery cannot be verified. A new secret is obtained and
 * stored, and the delivery is answered 503, so the API sends it again signed with the new secret.
 * Never silent: n8n's log names the workflow and says what happened and what to do.
 */
async function refuseUntilSecretRenewed(
	this: IWebhookFunctions,
	response: DeliveryResponse,
	endpoint: RegisteredEndpoint,
): Promise<IWebhookResponseData> {
	const workflow = this.getWorkflow();
	const where = `BLS Portal Trigger "${this.getNode().name}" in workflow "${workflow.name ?? ''}" (${workflow.id ?? ''})`;
	try {
		await renewUnopenableSecret.call(this, endpoint);
		this.logger.error(
			`${where}: a delivery could not be verified because the credential's API key was changed since the webhook endpoint was registered. A new signing secret was obtained from BLS Portal (endpoint ${endpoint.endpointId}) and stored; the delivery was answered 503 and BLS Portal sends it again (up to 5 times, 15 minutes apart). Nothing to do unless this message repeats; then deactivate and activate the workflow.`,
		);
		return answer(response, 503, {
			received: false,
			reason: 'Signing secret renewed after an API key change; send again',
		});
	} catch (error) {
		this.logger.error(
			`${where}: a delivery could not be verified because the credential's API key was changed since the webhook endpoint was registered, and a new signing secret could not be obtained (${(error as Error)?.message ?? 'unknown error'}). Deliveries are refused until the workflow is deactivated and activated again; BLS Portal retries each delivery 5 times, 15 minutes apart.`,
		);
		return answer(response, 503, {
			received: false,
			reason: 'This trigger cannot verify deliveries: reactivate the workflow',
		});
	}
}

const EVENT_ID = 'x-tdta-event-id';

/** A header's text when it appears once (only to recognise a requested test event, never trusted). */
function headerText(request: DeliveryRequest, name: string): string | undefined {
	const value = request.headers[name];
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The test event the trigger asked for was signed with a secret it does not hold: the secret was
 * rotated in the portal. A new one is obtained; the API's retries of earlier events are signed with it.
 */
async function renewAfterFailedProbe(
	this: IWebhookFunctions,
	response: DeliveryResponse,
	endpoint: RegisteredEndpoint,
): Promise<IWebhookResponseData> {
	const workflow = this.getWorkflow();
	const where = `BLS Portal Trigger "${this.getNode().name}" in workflow "${workflow.name ?? ''}" (${workflow.id ?? ''})`;
	try {
		await renewUnopenableSecret.call(this, endpoint);
	} catch (error) {
		this.logger.error(
			`${where}: BLS Portal signs deliveries to webhook endpoint ${endpoint.endpointId} with a secret this trigger does not hold (rotated in the portal?), and a new one could not be obtained (${(error as Error)?.message ?? 'unknown error'}). Deactivate and activate the workflow.`,
		);
		return answer(response, 503, {
			received: false,
			reason: 'Signing secret could not be renewed',
		});
	}
	this.logger.error(
		`${where}: BLS Portal signed a test event this trigger asked for with a secret it does not hold: the secret of webhook endpoint ${endpoint.endpointId} was rotated in the portal. A new signing secret was obtained and stored; BLS Portal signs its retries of refused deliveries with it (up to 5 times, 15 minutes apart).`,
	);
	return answer(response, 200, {
		received: true,
		ignored: 'Signing-secret check: a new secret was obtained',
	});
}

/**
 * Handles one delivery: refuses anything not provably from BLS Portal for this endpoint (401, no
 * execution), acknowledges events the user did not choose and repeated deliveries of an event
 * already handled (200, no execution), and turns the rest into one item.
 */
export async function receiveDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const request = this.getRequestObject() as unknown as DeliveryRequest;
	const response = this.getResponseObject() as unknown as DeliveryResponse;
	const endpoint = await registeredEndpoint.call(this);
	if (endpoint && endpoint.secret === undefined && this.getMode() !== 'manual') {
		return await refuseUntilSecretRenewed.call(this, response, endpoint);
	}

	const rawBody = await rawBodyOf(request);
	const verdict = rawBody
		? verifyDelivery({
				headers: request.headers,
				rawBody,
				secret: endpoint?.secret,
				nowSeconds: Math.floor(Date.now() / 1000),
			})
		: ({
				valid: false,
				reason: 'The raw request body is not available to verify the signature',
			} as const);
	if (!verdict.valid) {
		const mismatch =
			verdict.reason === 'Signature does not match' && endpoint && this.getMode() !== 'manual';
		if (mismatch && (await takeSecretProbe.call(this, endpoint, headerText(request, EVENT_ID)))) {
			return await renewAfterFailedProbe.call(this, response, endpoint);
		}
		if (mismatch && endpoint.updatedAt === undefined) {
			// No updated_at to compare: ask the portal to sign a test event (see askPortalForSecretProbe).
			await askPortalForSecretProbe.call(this, endpoint);
		} else if (mismatch && (await renewIfChangedInPortal.call(this, endpoint))) {
			const workflow = this.getWorkflow();
			this.logger.error(
				`BLS Portal Trigger "${this.getNode().name}" in workflow "${workflow.name ?? ''}" (${workflow.id ?? ''}): a delivery did not match the stored signing secret, and webhook endpoint ${endpoint.endpointId} was changed in BLS Portal since it was registered (its secret may have been rotated there). A new signing secret was obtained and stored; the delivery was answered 503 and BLS Portal sends it again (up to 5 times, 15 minutes apart).`,
			);
			return answer(response, 503, {
				received: false,
				reason: 'Signing secret renewed after a change in the portal; send again',
			});
		}
		return answer(response, 401, { received: false, reason: verdict.reason });
	}

	const { envelope, deliveryId } = verdict;
	if (endpoint && (await takeSecretProbe.call(this, endpoint, envelope.event_id))) {
		return answer(response, 200, {
			received: true,
			ignored: 'Signing-secret check: the stored secret is current',
		});
	}
	const events = this.getNodeParameter('events', []) as string[];
	if (!events.includes(envelope.event_type)) {
		return answer(response, 200, {
			received: true,
			ignored: 'This trigger does not listen for this event type',
		});
	}

	const options = this.getNodeParameter('options', {}) as TriggerOptions;
	const seen =
		options.ignoreDuplicates === false
			? undefined
			: seenEventIdsFor(endpointKey.call(this, endpoint?.endpointId ?? ''));
	if (seen && !seen.firstSighting(envelope.event_id)) {
		return answer(response, 200, {
			received: true,
			ignored: 'Event already received (a retried delivery)',
		});
	}

	let acknowledged = false;
	try {
		const item = eventItem(envelope, deliveryId);
		if (
			options.attachCertificate === true &&
			envelope.event_type === 'booking.certificate_available'
		) {
			// Answer first: the API gives up on a delivery after its timeout and would send it again,
			// while the download may wait out rate limits.
			response.status(200).json({ received: true });
			acknowledged = true;
			await attachCertificate.call(this, item, options.binaryPropertyName?.trim() || 'certificate');
			return { noWebhookResponse: true, workflowData: [[item]] };
		}
		acknowledged = true;
		return { workflowData: [[item]] };
	} finally {
		// Failed before it was acknowledged: let the API's retry through.
		if (!acknowledged) seen?.forget(envelope.event_id);
	}
}
