import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { readFlag, readSigningSecret } from '../shared/apiShapes';
import { blsApiRequest, unwrapData } from '../shared/transport';
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
	/** The sealed form as stored (unique per registration and rotation). */
	sealedSecret: string;
	url: string;
	events: string[];
	/** The endpoint's `updated_at` when registered; a later value means someone changed it. */
	updatedAt?: string;
	/**
	 * The workflow that registered the endpoint. A copy of a workflow carries the original's static
	 * data; it must neither change nor delete the original's endpoint. Undefined for registrations
	 * made before it was recorded.
	 */
	workflowId?: string;
}

type TriggerContext = IHookFunctions | IWebhookFunctions;

/**
 * Secrets already opened in this process, by their sealed form (unique per registration), so a
 * delivery does not pay for reading the credential. Process memory only, like n8n's own. After a
 * rotation the previous sealed form maps to the new secret too, until n8n has saved the new one.
 */
const openedSecrets = new Map<string, string>();

async function apiKey(this: TriggerContext): Promise<string> {
	const credentials = await this.getCredentials<{ apiKey?: string }>('blsPortalApi');
	return String(credentials.apiKey ?? '');
}

function stringOrUndefined(value: unknown): string | undefined {
	return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/**
 * The registration in static data, its secret opened. `reopen` opens the seal with the
 * credential's current API key even when this process knows the secret already, to tell whether
 * the seal still opens after the key was changed.
 */
export async function registeredEndpoint(
	this: TriggerContext,
	{ reopen = false } = {},
): Promise<RegisteredEndpoint | undefined> {
	const stored = this.getWorkflowStaticData('node');
	if (typeof stored.endpointId !== 'string' || typeof stored.sealedSecret !== 'string')
		return undefined;
	let secret = reopen ? undefined : openedSecrets.get(stored.sealedSecret);
	if (secret === undefined) {
		secret = openSecret(stored.sealedSecret, await apiKey.call(this), stored.endpointId);
		if (secret !== undefined) openedSecrets.set(stored.sealedSecret, secret);
	}
	return {
		endpointId: stored.endpointId,
		secret,
		sealedSecret: stored.sealedSecret,
		url: String(stored.url ?? ''),
		events: Array.isArray(stored.events) ? (stored.events as string[]) : [],
		updatedAt: stringOrUndefined(stored.updatedAt),
		workflowId: typeof stored.workflowId === 'string' ? stored.workflowId : undefined,
	};
}

function forgetRegisteredEndpoint(this: TriggerContext): void {
	const stored = this.getWorkflowStaticData('node');
	if (typeof stored.sealedSecret === 'string') openedSecrets.delete(stored.sealedSecret);
	for (const key of ['endpointId', 'sealedSecret', 'url', 'events', 'updatedAt', 'workflowId'])
		delete stored[key];
}

/** Keeps a secret sealed under the credential's current API key, and the endpoint's current `updated_at`. */
function storeSecret(
	this: TriggerContext,
	endpointId: string,
	secret: string,
	sealingKey: string,
	updatedAt: unknown,
): void {
	const stored = this.getWorkflowStaticData('node');
	const previous = stored.sealedSecret;
	stored.sealedSecret = sealSecret(secret, sealingKey, endpointId);
	openedSecrets.set(stored.sealedSecret, secret);
	// A delivery read with the static data of before n8n saved this one still verifies.
	if (typeof previous === 'string') openedSecrets.set(previous, secret);
	const time = stringOrUndefined(updatedAt);
	if (time !== undefined) stored.updatedAt = time;
	else delete stored.updatedAt;
}

/**
 * Whether this workflow registered the endpoint. Registrations made before the workflow ID was
 * recorded count as this workflow's when they are for this node's URL (a copy has its own URL), or
 * when the endpoint's name ends with this workflow's ID.
 */
function registeredByThisWorkflow(
	this: TriggerContext,
	stored: RegisteredEndpoint,
	endpoint?: IDataObject,
): boolean {
	const workflowId = String(this.getWorkflow().id ?? '');
	if (stored.workflowId !== undefined) return stored.workflowId === workflowId;
	if (stored.url === this.getNodeWebhookUrl('default')) return true;
	return (
		endpoint !== undefined &&
		typeof endpoint.name === 'string' &&
		endpoint.name.endsWith(`(${workflowId})`)
	);
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
 * Whether the endpoint this node registered still exists, repaired in place when it differs. n8n
 * calls this on every activation, including each start of n8n.
 * - Registered by another workflow (this is a copy): that endpoint is left alone, and `create`
 *   registers this workflow's own.
 * - Deleted in the portal: `create` registers a new one.
 * - Changed (URL, events, inactive, renamed, in the portal or because n8n's webhook URL moved):
 *   updated with PUT /webhooks/{id}, never deleted, so the API's pending retries still arrive.
 * - Its secret does not open with the credential's API key (the key was changed), or the endpoint
 *   was changed since registration (its secret may have been rotated in the portal): the secret is
 *   known again — resealed when this process still holds it, otherwise a new one is obtained with
 *   POST /webhooks/{id}/rotate-secret — and sealed under the current key. n8n saves static data
 *   after this returns.
 */
export async function endpointIsCurrent(this: IHookFunctions): Promise<boolean> {
	const known = await registeredEndpoint.call(this);
	if (!known) return false;
	const stored = (await registeredEndpoint.call(this, { reopen: true }))!;
	const url = this.getNodeWebhookUrl('default');
	if (!url) return false;

	// A copy carries the original's registration; "Listen for test event" starts from the production
	// static data. Neither may touch that endpoint: forget it here and register one of their own.
	const otherWorkflow =
		stored.workflowId !== undefined && stored.workflowId !== String(this.getWorkflow().id ?? '');
	if (otherWorkflow || (this.getMode() === 'manual' && stored.url !== url)) {
		forgetRegisteredEndpoint.call(this);
		return false;
	}

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
	let endpoint = unwrapData(response);
	if (!registeredByThisWorkflow.call(this, stored, endpoint)) {
		forgetRegisteredEndpoint.call(this);
		return false;
	}

	const events = subscribedEvents.call(this);
	const name = endpointName.call(this);
	const changedSince =
		stored.updatedAt !== undefined && stringOrUndefined(endpoint.updated_at) !== stored.updatedAt;
	// Without updated_at (the HB Portal endpoint example has none) a rotation in the portal cannot be
	// seen at all, so a secret is obtained afresh on every activation: one call, and never a dead secret.
	const rotationInvisible = stringOrUndefined(endpoint.updated_at) === undefined;
	const differs =
		endpoint.url !== url ||
		!sameEvents(endpoint.events, events) ||
		readFlag(endpoint.is_active) !== true ||
		endpoint.name !== name;
	const sealingKey = await apiKey.call(this);

	if (differs) {
		// Every setting the endpoint has, so a PUT that replaces the whole endpoint keeps its timeout.
		const timeout =
			endpoint.timeout_seconds === undefined ? {} : { timeout_seconds: endpoint.timeout_seconds };
		const updated = await blsApiRequest.call(
			this,
			'PUT',
			`/webhooks/${encodeURIComponent(stored.endpointId)}`,
			{
				body: { name, url, events, is_active: true, ...timeout },
				resourceLabel: `webhook endpoint ${stored.endpointId}`,
			},
		);
		endpoint = unwrapData(updated);
	}

	if (changedSince || rotationInvisible || known.secret === undefined) {
		// Someone changed the endpoint (a rotation in the portal looks the same), or nobody here can
		// open the secret: only a new one is certain.
		await rotateSecret.call(this, stored.endpointId, sealingKey);
	} else if (stored.secret === undefined) {
		// The key was changed, but this process opened the secret before: seal it again under the new key.
		storeSecret.call(this, stored.endpointId, known.secret, sealingKey, endpoint.updated_at);
	} else {
		const data = this.getWorkflowStaticData('node');
		const time = stringOrUndefined(endpoint.updated_at);
		if (time !== undefined) data.updatedAt = time;
	}
	const data = this.getWorkflowStaticData('node');
	data.url = url;
	data.events = events;
	data.workflowId = String(this.getWorkflow().id ?? '');
	return true;
}

/**
 * Obtains a new signing secret for the endpoint (POST /webhooks/{id}/rotate-secret) and keeps it
 * sealed under `sealingKey`. The API signs every later attempt, retries of earlier events
 * included, with the new secret.
 */
export async function rotateSecret(
	this: TriggerContext,
	endpointId: string,
	sealingKey: string,
): Promise<string> {
	const response = await blsApiRequest.call(
		this,
		'POST',
		`/webhooks/${encodeURIComponent(endpointId)}/rotate-secret`,
		{
			resourceLabel: `webhook endpoint ${endpointId}`,
		},
	);
	const secret = readSigningSecret(response);
	if (!secret) {
		throw new NodeOperationError(
			this.getNode(),
			'BLS Portal rotated the webhook secret but did not return the new one',
			{
				description: 'Deactivate and activate the workflow to register a new endpoint.',
			},
		);
	}
	storeSecret.call(this, endpointId, secret, sealingKey, unwrapData(response).updated_at);
	return secret;
}

/** When each endpoint was last looked up after a signature mismatch, in this process. */
const lastPortalChecks = new Map<string, number>();

/** At most one lookup per endpoint and process in this time, however many forged requests arrive. */
export const PORTAL_CHECK_INTERVAL_MS = 15 * 60 * 1000;

/**
 * After a delivery whose signature did not match: whether the endpoint was changed in the portal
 * since the trigger stored its secret (a rotation there looks like that), and if so a new secret is
 * obtained and stored, so the API's retries verify. Forged requests end here too, so the endpoint is
 * looked up at most once per {@link PORTAL_CHECK_INTERVAL_MS}; any failure leaves things as they are.
 */
export async function renewIfChangedInPortal(
	this: IWebhookFunctions,
	stored: RegisteredEndpoint,
): Promise<boolean> {
	if (stored.updatedAt === undefined) return false;
	const key = endpointKey.call(this, stored.endpointId);
	const now = Date.now();
	if (now - (lastPortalChecks.get(key) ?? 0) < PORTAL_CHECK_INTERVAL_MS) return false;
	lastPortalChecks.set(key, now);
	try {
		const response = await blsApiRequest.call(
			this,
			'GET',
			`/webhooks/${encodeURIComponent(stored.endpointId)}`,
			{
				resourceLabel: `webhook endpoint ${stored.endpointId}`,
			},
		);
		if (stringOrUndefined(unwrapData(response).updated_at) === stored.updatedAt) return false;
		await renewUnopenableSecret.call(this, stored);
		return true;
	} catch {
		return false;
	}
}

/** How long a requested test event counts as this trigger's check of its secret. */
const SECRET_PROBE_LIFETIME_MS = 60 * 60 * 1000;

/** The test event each endpoint was last asked for in this process (its id once the API answered). */
const secretProbes = new Map<string, { eventId: Promise<string | undefined>; expires: number }>();

/**
 * Without `updated_at` a delivery that does not match the stored secret is either a forgery or
 * signed with a secret rotated in the portal, and nothing in it tells which. The portal is asked to
 * sign something this trigger can recognise: POST /webhooks/{id}/test, whose event id only the API
 * and this process know. When that test delivery does not verify either, the stored secret provably
 * is not the one the portal signs with, and only then a new one is obtained
 * ({@link takeSecretProbe}). Forgeries cost at most one test request per
 * {@link PORTAL_CHECK_INTERVAL_MS} and never a rotation. Any failure leaves things as they are.
 */
export async function askPortalForSecretProbe(
	this: IWebhookFunctions,
	stored: RegisteredEndpoint,
): Promise<void> {
	const key = endpointKey.call(this, stored.endpointId);
	const now = Date.now();
	if (now - (lastPortalChecks.get(key) ?? 0) < PORTAL_CHECK_INTERVAL_MS) return;
	lastPortalChecks.set(key, now);
	const eventId = (async () => {
		try {
			const response = await blsApiRequest.call(
				this,
				'POST',
				`/webhooks/${encodeURIComponent(stored.endpointId)}/test`,
				{ resourceLabel: `webhook endpoint ${stored.endpointId}` },
			);
			// `{ message, data: { event_id } }` as documented, or bare.
			const id = unwrapData(response).event_id ?? response.event_id;
			return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
		} catch {
			return undefined;
		}
	})();
	secretProbes.set(key, { eventId, expires: now + SECRET_PROBE_LIFETIME_MS });
	await eventId;
}

/**
 * Whether a delivery carries the event id of the test event {@link askPortalForSecretProbe} asked
 * for (it may arrive before the API's answer to that request: this waits for it). The probe is
 * used up: it starts no execution, whether or not its signature matched.
 */
export async function takeSecretProbe(
	this: IWebhookFunctions,
	stored: RegisteredEndpoint,
	eventId: string | undefined,
): Promise<boolean> {
	if (eventId === undefined || secretProbes.size === 0) return false;
	const key = endpointKey.call(this, stored.endpointId);
	const probe = secretProbes.get(key);
	if (!probe) return false;
	if (Date.now() > probe.expires) {
		secretProbes.delete(key);
		return false;
	}
	if ((await probe.eventId) !== eventId) return false;
	secretProbes.delete(key);
	return true;
}

/**
 * Secrets being renewed from inside `webhook()`, by the sealed form that would not open, so
 * deliveries arriving at once in this process rotate once.
 */
const renewals = new Map<string, Promise<string>>();

/**
 * For a delivery that finds a sealed secret the credential's API key cannot open (the key was
 * changed, and this process never held the secret): obtains a new secret and seals it under the
 * current key. n8n saves static data changed in `webhook()` after the answer when no execution
 * starts. Throws what went wrong.
 */
export async function renewUnopenableSecret(
	this: IWebhookFunctions,
	stored: RegisteredEndpoint,
): Promise<void> {
	let renewal = renewals.get(stored.sealedSecret);
	if (!renewal) {
		renewal = (async () =>
			await rotateSecret.call(this, stored.endpointId, await apiKey.call(this)))();
		renewals.set(stored.sealedSecret, renewal);
		void renewal.then(
			() => renewals.delete(stored.sealedSecret),
			() => renewals.delete(stored.sealedSecret),
		);
	} else {
		const secret = await renewal;
		// Another delivery rotated it: this request's static data still names the old seal.
		storeSecret.call(
			this,
			stored.endpointId,
			secret,
			await apiKey.call(this),
			this.getWorkflowStaticData('node').updatedAt,
		);
		return;
	}
	await renewal;
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
	if (!url)
		throw new NodeOperationError(
			this.getNode(),
			'n8n did not provide a webhook URL for this trigger',
		);

	// Read before registering, so the secret is stored the moment it arrives: n8n saves static data
	// after create() returns, and a delivery can come as soon as the portal knows the endpoint.
	const sealingKey = await apiKey.call(this);
	const response = await blsApiRequest.call(this, 'POST', '/webhooks', {
		body: { name: endpointName.call(this), url, events, is_active: true },
	});
	const endpoint = unwrapData(response);
	const secret = readSigningSecret(response);
	if (endpoint.id === undefined || endpoint.id === null) {
		throw new NodeOperationError(
			this.getNode(),
			'BLS Portal registered the webhook but returned no endpoint id',
		);
	}
	const endpointId = String(endpoint.id);
	if (typeof secret !== 'string' || secret === '') {
		// Without the secret no delivery could be verified; do not leave a useless endpoint behind.
		await deleteEndpoint.call(this, endpointId);
		throw new NodeOperationError(
			this.getNode(),
			'BLS Portal did not return a signing secret for the new webhook',
			{
				description: 'The endpoint was deleted again. Try activating the workflow once more.',
			},
		);
	}

	const stored = this.getWorkflowStaticData('node');
	stored.endpointId = endpointId;
	stored.url = url;
	stored.events = events;
	stored.workflowId = String(this.getWorkflow().id ?? '');
	storeSecret.call(this, endpointId, secret, sealingKey, endpoint.updated_at);
	return true;
}

/**
 * Deletes the registered endpoint (already gone is fine) and forgets it: the workflow is
 * deactivated, the endpoint is gone for good. Only an endpoint this workflow registered, for this
 * node's current URL: when a test listener failed to register, n8n calls `delete` with the
 * production static data, whose endpoint must stay; a copy must not delete the original's.
 */
export async function unregisterEndpoint(this: IHookFunctions): Promise<boolean> {
	const stored = await registeredEndpoint.call(this);
	if (
		stored &&
		stored.url === this.getNodeWebhookUrl('default') &&
		registeredByThisWorkflow.call(this, stored)
	) {
		await deleteEndpoint.call(this, stored.endpointId);
	}
	forgetRegisteredEndpoint.call(this);
	return true;
}
