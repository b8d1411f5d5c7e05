import type { IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readFlag, readSigningSecret } from '../BlsPortal/actions/apiShapes';
import { blsApiRequest, unwrapData } from '../BlsPortal/transport';
import { forgetEndpoint } from './deliveryGuard';
import { openSecret, sealSecret } from './sealedSecret';

/** What the trigger keeps about the endpoint it registered, in the node's workflow static data. */
export interface RegisteredEndpoint {
	endpointId: string;
	/**
	 * Returned once by POST /webhooks; needed to verify every delivery. Stored sealed; undefined
	 * when it no longer opens (the credential's API key was changed since registration).
	 */
	secret?: string;
	url: string;
	events: string[];
	/** The endpoint's `updated_at` when registered; a later value means someone changed it. */
	updatedAt?: string;
}

type TriggerContext = IHookFunctions | IWebhookFunctions;

/**
 * Secrets already opened in this process, by their sealed form (unique per registration), so a
 * delivery does not pay for reading the credential. Process memory only, like n8n's own.
 */
const openedSecrets = new Map<string, string>();

async function apiKey(this: TriggerContext): Promise<string> {
	const credentials = await this.getCredentials<{ apiKey?: string }>('blsPortalApi');
	return String(credentials.apiKey ?? '');
}

export async function registeredEndpoint(this: TriggerContext): Promise<RegisteredEndpoint | undefined> {
	const stored = this.getWorkflowStaticData('node');
	if (typeof stored.endpointId !== 'string' || typeof stored.sealedSecret !== 'string') return undefined;
	let secret = openedSecrets.get(stored.sealedSecret);
	if (secret === undefined) {
		secret = openSecret(stored.sealedSecret, await apiKey.call(this), stored.endpointId);
		if (secret !== undefined) openedSecrets.set(stored.sealedSecret, secret);
	}
	return {
		endpointId: stored.endpointId,
		secret,
		url: String(stored.url ?? ''),
		events: Array.isArray(stored.events) ? (stored.events as string[]) : [],
		updatedAt: typeof stored.updatedAt === 'string' ? stored.updatedAt : undefined,
	};
}

function forgetRegisteredEndpoint(this: TriggerContext): void {
	const stored = this.getWorkflowStaticData('node');
	if (typeof stored.sealedSecret === 'string') openedSecrets.delete(stored.sealedSecret);
	for (const key of ['endpointId', 'sealedSecret', 'url', 'events', 'updatedAt']) delete stored[key];
}

/** Key of the duplicate-delivery memory: one per workflow, trigger node and portal endpoint. */
export function endpointKey(this: TriggerContext, endpointId: string): string {
	return `${this.getWorkflow().id ?? ''}/${this.getNode().name}/${endpointId}`;
}

export function subscribedEvents(this: TriggerContext): string[] {
	const events = this.getNodeParameter('events', []) as string[];
	return [...new Set(events)].sort();
}

function sameEvents(a: unknown, b: string[]): boolean {
	if (!Array.isArray(a)) return false;
	const left = [...new Set(a.map(String))].sort();
	return left.length === b.length && left.every((event, index) => event === b[index]);
}

/** The request's result, or undefined when BLS Portal answered 404 (the transport's errors keep their HTTP code). */
async function unlessNotFound<T>(request: Promise<T>): Promise<T | undefined> {
	return await request.then(
		(result) => result,
		(error: unknown) => {
			if (String((error as { httpCode?: unknown })?.httpCode) === '404') return undefined;
			throw error;
		},
	);
}

/** Deletes an endpoint in the portal; one already gone counts as deleted. */
async function deleteEndpoint(this: IHookFunctions, endpointId: string): Promise<void> {
	await unlessNotFound(
		blsApiRequest.call(this, 'DELETE', `/webhooks/${encodeURIComponent(endpointId)}`, {
			resourceLabel: `webhook endpoint ${endpointId}`,
		}),
	);
	forgetEndpoint(endpointKey.call(this, endpointId));
}

/**
 * Whether the endpoint this node registered still exists and still matches: same URL, same
 * events, active, and not edited or secret-rotated since (its `updated_at` unchanged, because
 * a rotated secret is invisible otherwise and would make every delivery fail verification),
 * with a stored secret that still opens under the credential's API key.
 * A stale endpoint is deleted so that `create` registers a fresh one with a known secret.
 */
export async function endpointIsCurrent(this: IHookFunctions): Promise<boolean> {
	const stored = await registeredEndpoint.call(this);
	if (!stored) return false;
	const url = this.getNodeWebhookUrl('default');

	const response = await unlessNotFound(
		blsApiRequest.call(this, 'GET', `/webhooks/${encodeURIComponent(stored.endpointId)}`, {
			resourceLabel: `webhook endpoint ${stored.endpointId}`,
		}),
	);
	if (!response) {
		// Deleted in the portal: register again.
		forgetRegisteredEndpoint.call(this);
		return false;
	}
	const endpoint = unwrapData(response);

	const current =
		stored.secret !== undefined &&
		endpoint.url === url &&
		stored.url === url &&
		sameEvents(endpoint.events, subscribedEvents.call(this)) &&
		readFlag(endpoint.is_active) === true &&
		(stored.updatedAt === undefined || endpoint.updated_at === stored.updatedAt);
	if (current) return true;

	// "Listen for test event" starts from the production static data: an endpoint registered for
	// another URL there belongs to the active workflow and must survive the test.
	if (stored.url === url || this.getMode() !== 'manual') {
		await deleteEndpoint.call(this, stored.endpointId);
	}
	forgetRegisteredEndpoint.call(this);
	return false;
}

/** A name that tells a person in the portal which n8n workflow owns the endpoint. */
function endpointName(this: IHookFunctions): string {
	const workflow = this.getWorkflow();
	const suffix = ` (${workflow.id ?? 'unsaved'})`;
	return `n8n: ${(workflow.name ?? 'workflow').slice(0, 200)}${suffix}`;
}

/** Registers this node's webhook URL for the chosen events and keeps the id and the secret. */
export async function registerEndpoint(this: IHookFunctions): Promise<boolean> {
	const events = subscribedEvents.call(this);
	if (events.length === 0) {
		throw new NodeOperationError(this.getNode(), 'Choose at least one event to listen for', {
			description: 'BLS Portal needs at least one event to send to the webhook endpoint.',
		});
	}
	const url = this.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(this.getNode(), 'n8n did not provide a webhook URL for this trigger');

	// Read before registering, so the secret is stored the moment it arrives: n8n saves static data
	// after create() returns, and a delivery can come as soon as the portal knows the endpoint.
	const sealingKey = await apiKey.call(this);
	const response = await blsApiRequest.call(this, 'POST', '/webhooks', {
		body: { name: endpointName.call(this), url, events, is_active: true },
	});
	const endpoint = unwrapData(response);
	const secret = readSigningSecret(response);
	if (endpoint.id === undefined || endpoint.id === null) {
		throw new NodeOperationError(this.getNode(), 'BLS Portal registered the webhook but returned no endpoint id');
	}
	const endpointId = String(endpoint.id);
	if (typeof secret !== 'string' || secret === '') {
		// Without the secret no delivery could be verified; do not leave a useless endpoint behind.
		await deleteEndpoint.call(this, endpointId);
		throw new NodeOperationError(this.getNode(), 'BLS Portal did not return a signing secret for the new webhook', {
			description: 'The endpoint was deleted again. Try activating the workflow once more.',
		});
	}

	const stored = this.getWorkflowStaticData('node');
	stored.endpointId = endpointId;
	stored.sealedSecret = sealSecret(secret, sealingKey, endpointId);
	stored.url = url;
	stored.events = events;
	if (typeof endpoint.updated_at === 'string') stored.updatedAt = endpoint.updated_at;
	else delete stored.updatedAt;
	return true;
}

/**
 * Deletes the registered endpoint (already gone is fine) and forgets it. Only the endpoint
 * registered for this node's current URL: when a test listener failed to register, n8n calls
 * `delete` with the production static data, whose endpoint must stay.
 */
export async function unregisterEndpoint(this: IHookFunctions): Promise<boolean> {
	const stored = await registeredEndpoint.call(this);
	if (stored && stored.url === this.getNodeWebhookUrl('default')) {
		await deleteEndpoint.call(this, stored.endpointId);
	}
	forgetRegisteredEndpoint.call(this);
	return true;
}
