/** Error translation: a failed request becomes the error the user sees, the API's reason first, then the remedy. */
import type { IDataObject, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { Failure } from './failure';

/**
 * Fields of an API error body kept on the error (`context.apiError`) so a Continue On Fail item can
 * branch on them. An allow-list: whatever else a body carries (a token, a secret) never reaches an item.
 */
const API_ERROR_FIELDS = ['message', 'errors', 'code', 'error', 'hold_hash', 'expires_at'] as const;

/** The allow-listed part of an API error body (`data` of a 409 included), or undefined when none. */
export function apiErrorBody(body: IDataObject | undefined): IDataObject | undefined {
	if (!body || typeof body !== 'object') return undefined;
	const nested =
		body.data && typeof body.data === 'object' && !Array.isArray(body.data)
			? (body.data as IDataObject)
			: {};
	const kept: IDataObject = {};
	for (const field of API_ERROR_FIELDS) {
		const value = body[field] ?? nested[field];
		if (value !== undefined && value !== null) kept[field] = value;
	}
	return Object.keys(kept).length > 0 ? kept : undefined;
}

function fieldErrors(body: IDataObject | undefined): string | undefined {
	const errors = body?.errors;
	if (!errors || typeof errors !== 'object') return undefined;
	const lines = Object.entries(errors as IDataObject).map(([field, messages]) => {
		const text = Array.isArray(messages) ? messages.join(' ') : String(messages);
		return `${field}: ${text}`;
	});
	return lines.length ? lines.join('\n') : undefined;
}

function withoutFullStop(text: string): string {
	return text.replace(/\.+$/, '');
}

function formatTime(iso: unknown): string | undefined {
	if (typeof iso !== 'string') return undefined;
	const date = new Date(iso);
	return Number.isNaN(date.getTime()) ? undefined : `${date.toISOString().slice(11, 16)} UTC`;
}

export interface RequestDescription {
	method: string;
	/** Shown in "not found" errors, e.g. "booking 123". */
	resourceLabel?: string;
}

/** Turns a failure into the error the user sees: the API's reason first, then what to do about it. */
export function toNodeApiError(
	node: INode,
	failure: Failure,
	request: RequestDescription,
): NodeApiError {
	const { status, body } = failure;
	const apiMessage = typeof body?.message === 'string' ? body.message : undefined;
	const sanitized = {
		message: apiMessage ?? failure.message,
		...(status ? { httpCode: String(status) } : {}),
	} as JsonObject;
	const apiError = apiErrorBody(body);
	const make = (message: string, description?: string) => {
		const error = new NodeApiError(node, sanitized, {
			message,
			description,
			httpCode: status ? String(status) : undefined,
		});
		if (apiError) error.context.apiError = apiError;
		return error;
	};

	if (failure.rejectedCredentials) {
		return make(failure.rejectedCredentials.message, failure.rejectedCredentials.description);
	}
	switch (status) {
		case 401:
			return make(
				'BLS Portal did not accept the access token, even after signing in again',
				apiMessage ??
					'Check that the API key is still active and that the Base URL of the credential is right.',
			);
		case 404:
			return make(
				`The ${request.resourceLabel ?? 'requested item'} was not found in this BLS account`,
				`${withoutFullStop(apiMessage ?? 'Not found')}. It may not exist, or it may belong to another agency's account.`,
			);
		case 409: {
			const until = formatTime(
				body?.expires_at ?? (body?.data as IDataObject | undefined)?.expires_at,
			);
			const holdHash = body?.hold_hash ?? (body?.data as IDataObject | undefined)?.hold_hash;
			return make(
				'Another timeslot hold is active on this account (one is allowed at a time)',
				`${withoutFullStop(apiMessage ?? 'Conflict')}. Release it with Timeslot → Release Hold${holdHash ? ` (hold hash ${String(holdHash)})` : ''}, or wait until it expires${until ? ` at ${until}` : ''}.`,
			);
		}
		case 422:
			return make(apiMessage ?? 'BLS Portal rejected the request', fieldErrors(body) ?? apiMessage);
		case 429:
			return make(
				'BLS Portal rate limit (60 requests a minute) is still exceeded after waiting',
				'The node waited as long as the API asked (or a full minute when it did not say) and retried. Run the workflow less often, use Limit instead of Return All, or spread the work over time.',
			);
		default:
			break;
	}
	if (status && status >= 300 && status < 400) {
		return make(
			`BLS Portal answered with a redirect (HTTP ${status}) instead of an answer`,
			'The node does not follow redirects when signing in, so the API key and tokens only ever go to the Base URL of the credential. Check that Base URL (https://, ending in /api/v1).',
		);
	}
	if (status && status >= 500) {
		const notRetried =
			request.method === 'GET' || request.method === 'DELETE'
				? 'The request was retried and kept failing.'
				: 'The request was not retried because the API may have applied it: check its effect (for example with Booking → Get Many) before running it again.';
		return make(
			`BLS Portal server error (${status})${apiMessage ? `: ${apiMessage}` : ''}`,
			notRetried,
		);
	}
	if (failure.networkCode) {
		return make(`Could not reach BLS Portal (${failure.networkCode})`, failure.message);
	}
	return make(apiMessage ?? failure.message);
}

/**
 * An error a caller passes on after handling some failures itself: the transport's NodeApiError (or
 * a NodeOperationError) as it is, anything else wrapped, so the user always sees a node error.
 */
export function asNodeError(node: INode, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(node, error instanceof Error ? error : String(error));
}

/** The HTTP status and allow-listed API body of an error the transport threw (undefined for others). */
export function apiErrorOf(error: unknown): { status?: number; body?: IDataObject } | undefined {
	if (!(error instanceof NodeApiError)) return undefined;
	const status = error.httpCode ? Number(error.httpCode) : undefined;
	return {
		status: Number.isFinite(status) ? status : undefined,
		body: error.context.apiError as IDataObject | undefined,
	};
}
