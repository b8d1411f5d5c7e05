/**
 * The benchmark's workflows, both ways, as n8n workflow JSON:
 *
 * - "ours": a Webhook trigger, then one BLS Portal node using the `blsPortalApi` credential.
 * - "HTTP Request way": a Webhook trigger, then what a competent n8n user builds with
 *   n8n-nodes-base's HTTP Request node without this package: `POST /auth/token` with the client
 *   id and API key, then the API call(s) with `Authorization: Bearer {{ token }}`, lists with the
 *   node's own pagination (Split Out on `data` to get one item per booking), Retry On Fail where
 *   the scenario asks for it.
 *
 * Every workflow starts with a Webhook node answering with all items of its last node, so each
 * POST is one separate production execution (no `n8n execute` process per run), and the bench
 * reads the items the workflow produced from the response.
 */
import { randomUUID } from 'crypto';

import { chainWorkflow, NODE_TYPES } from '../scripts/n8n/workflows';
import type { NodeSpec, WorkflowJson, WorkflowNode } from '../scripts/n8n/workflows';

export const HTTP_REQUEST = 'n8n-nodes-base.httpRequest';
/** The HTTP Request node version n8n 2.41.1 puts in new workflows. */
export const HTTP_REQUEST_VERSION = 4.2;

/** What the HTTP Request way needs to know (a user would paste these into the nodes). */
export interface ApiAccess {
	apiUrl: string;
	clientId: string;
	apiKey: string;
}

/** Settings for workflows whose items are large: run data is not stored (the response carries it). */
const LEAN_SETTINGS = {
	executionOrder: 'v1',
	saveDataSuccessExecution: 'none',
	saveDataErrorExecution: 'all',
};
const DEFAULT_SETTINGS = { executionOrder: 'v1' };

function webhookTrigger(path: string): NodeSpec {
	return {
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: randomUUID(),
		parameters: {
			httpMethod: 'POST',
			path,
			responseMode: 'lastNode',
			responseData: 'allEntries',
			options: {},
		},
	};
}

/** Nodes run one after another, after a Webhook trigger at `path`. */
function chain(
	name: string,
	path: string,
	nodes: NodeSpec[],
	settings: Record<string, unknown> = DEFAULT_SETTINGS,
): WorkflowJson {
	return chainWorkflow(name, [webhookTrigger(path), ...nodes], settings);
}

function blsNode(parameters: Record<string, unknown>): NodeSpec {
	return { name: 'BLS Portal', type: NODE_TYPES.blsPortal, typeVersion: 1, parameters };
}

export const ours = {
	getBooking: (path: string, bookingId: number): WorkflowJson =>
		chain('bench: ours: get booking', path, [
			blsNode({
				resource: 'booking',
				operation: 'get',
				bookingId: { __rl: true, mode: 'id', value: String(bookingId) },
			}),
		]),

	listAll: (path: string): WorkflowJson =>
		chain(
			'bench: ours: return all',
			path,
			[blsNode({ resource: 'booking', operation: 'getMany', returnAll: true, filters: {} })],
			LEAN_SETTINGS,
		),

	listLimit: (path: string, limit: number): WorkflowJson =>
		chain(`bench: ours: limit ${limit}`, path, [
			blsNode({ resource: 'booking', operation: 'getMany', returnAll: false, limit, filters: {} }),
		]),

	/** Booking → Book: hold + create in one node; the candidate's email comes from the webhook body. */
	book: (path: string, slot: { courseId: number; date: string; time: string }): WorkflowJson =>
		chain('bench: ours: book', path, [
			blsNode({
				resource: 'booking',
				operation: 'book',
				courseId: slot.courseId,
				date: slot.date,
				time: slot.time,
				firstName: 'Bench',
				lastName: '={{ $json.body.lastName }}',
				email: '={{ $json.body.email }}',
				payOption: 'credits',
				additionalFields: {},
			}),
		]),
};

// ---- the HTTP Request way -------------------------------------------------------------------

const BEARER = "=Bearer {{ $('Get token').item.json.access_token }}";

function tokenNode(api: ApiAccess): NodeSpec {
	return {
		name: 'Get token',
		type: HTTP_REQUEST,
		typeVersion: HTTP_REQUEST_VERSION,
		parameters: {
			method: 'POST',
			url: `${api.apiUrl}/auth/token`,
			sendBody: true,
			contentType: 'json',
			specifyBody: 'keypair',
			bodyParameters: {
				parameters: [
					{ name: 'hb_client_id', value: api.clientId },
					{ name: 'api_key', value: api.apiKey },
				],
			},
			options: {},
		},
	};
}

function apiCall(
	name: string,
	method: string,
	url: string,
	extra: Record<string, unknown> = {},
	options: Record<string, unknown> = {},
): NodeSpec {
	return {
		name,
		type: HTTP_REQUEST,
		typeVersion: HTTP_REQUEST_VERSION,
		parameters: {
			method,
			url,
			sendHeaders: true,
			headerParameters: { parameters: [{ name: 'Authorization', value: BEARER }] },
			...extra,
			options,
		},
	};
}

function query(parameters: Record<string, string | number>): Record<string, unknown> {
	return {
		sendQuery: true,
		queryParameters: {
			parameters: Object.entries(parameters).map(([name, value]) => ({
				name,
				value: String(value),
			})),
		},
	};
}

export interface PaginationSettings {
	/** Stop after this many pages ("Limit Pages Fetched"). */
	maxPages?: number;
	/** "Interval Between Requests (ms)". */
	requestIntervalMs?: number;
	/** Default: `{{ $response.body.links.next === null }}`. */
	completeExpression?: string;
}

/**
 * The HTTP Request node's own pagination: "Update a Parameter in Each Request" sets `page` to the
 * next page after the one `meta.current_page` says was read (1 for the first request), and
 * "Pagination Complete When: Other" stops when `links.next` is null.
 */
function pagination(settings: PaginationSettings): Record<string, unknown> {
	return {
		pagination: {
			pagination: {
				paginationMode: 'updateAParameterInEachRequest',
				parameters: {
					parameters: [
						{
							type: 'qs',
							name: 'page',
							value: '={{ $response.body ? $response.body.meta.current_page + 1 : 1 }}',
						},
					],
				},
				paginationCompleteWhen: 'other',
				completeExpression:
					settings.completeExpression ?? '={{ $response.body.links.next === null }}',
				limitPagesFetched: settings.maxPages !== undefined,
				...(settings.maxPages !== undefined ? { maxRequests: settings.maxPages } : {}),
				requestInterval: settings.requestIntervalMs ?? 0,
			},
		},
	};
}

const SPLIT_OUT: NodeSpec = {
	name: 'Split Out',
	type: 'n8n-nodes-base.splitOut',
	typeVersion: 1,
	parameters: { fieldToSplitOut: 'data', options: {} },
};

export interface RetrySettings {
	maxTries: number;
	waitBetweenTriesMs: number;
}

export const httpWay = {
	getBooking: (path: string, api: ApiAccess, bookingId: number): WorkflowJson =>
		chain('bench: HTTP: get booking', path, [
			tokenNode(api),
			apiCall('Get booking', 'GET', `${api.apiUrl}/bookings/${bookingId}`),
		]),

	/**
	 * Every page at `perPage` (undefined: not set, so the API's default of 20), paginated by the
	 * node, then one item per booking.
	 */
	listAll: (
		path: string,
		api: ApiAccess,
		perPage: number | undefined,
		settings: PaginationSettings & { retry?: RetrySettings } = {},
	): WorkflowJson => {
		const list = apiCall(
			'Get bookings',
			'GET',
			`${api.apiUrl}/bookings`,
			perPage === undefined ? {} : query({ per_page: perPage }),
			pagination(settings),
		);
		if (settings.retry) {
			Object.assign(list, {
				retryOnFail: true,
				maxTries: settings.retry.maxTries,
				waitBetweenTries: settings.retry.waitBetweenTriesMs,
			});
		}
		return chain(
			`bench: HTTP: return all (per_page ${perPage ?? 'default'})`,
			path,
			[tokenNode(api), list, SPLIT_OUT],
			LEAN_SETTINGS,
		);
	},

	/**
	 * What a user does for "the first N": `per_page = N` when one page holds it; otherwise pages of
	 * 100, "Limit Pages Fetched" at the pages needed, and a Limit node to cut the surplus.
	 */
	listLimit: (path: string, api: ApiAccess, limit: number): WorkflowJson => {
		if (limit <= 100) {
			return chain(`bench: HTTP: limit ${limit}`, path, [
				tokenNode(api),
				apiCall('Get bookings', 'GET', `${api.apiUrl}/bookings`, query({ per_page: limit })),
				SPLIT_OUT,
			]);
		}
		return chain(`bench: HTTP: limit ${limit}`, path, [
			tokenNode(api),
			apiCall(
				'Get bookings',
				'GET',
				`${api.apiUrl}/bookings`,
				query({ per_page: 100 }),
				pagination({ maxPages: Math.ceil(limit / 100) }),
			),
			SPLIT_OUT,
			{
				name: 'Limit',
				type: 'n8n-nodes-base.limit',
				typeVersion: 1,
				parameters: { maxItems: limit },
			},
		]);
	},

	/** Token, then Timeslot hold, then the booking from the hold. */
	book: (
		path: string,
		api: ApiAccess,
		slot: { courseId: number; date: string; time: string },
	): WorkflowJson => {
		const keypairBody = (parameters: Record<string, string>) => ({
			sendBody: true,
			contentType: 'json',
			specifyBody: 'keypair',
			bodyParameters: {
				parameters: Object.entries(parameters).map(([name, value]) => ({ name, value })),
			},
		});
		return chain('bench: HTTP: book', path, [
			tokenNode(api),
			apiCall(
				'Hold slot',
				'POST',
				`${api.apiUrl}/timeslots/hold`,
				keypairBody({ course_id: String(slot.courseId), date: slot.date, time: slot.time }),
			),
			apiCall(
				'Create booking',
				'POST',
				`${api.apiUrl}/bookings`,
				keypairBody({
					hold_hash: '={{ $json.data.hold_hash }}',
					first_name: 'Bench',
					last_name: "={{ $('Webhook').item.json.body.lastName }}",
					email: "={{ $('Webhook').item.json.body.email }}",
					pay_option: 'credits',
				}),
			),
		]);
	},
};

// ---- scenario 6: webhook receivers ------------------------------------------------------------

/** The BLS Portal Trigger alone (duplicate guard on, as by default). Activation registers it with the API. */
export function triggerWorkflow(): WorkflowJson {
	return {
		name: 'bench: BLS Portal Trigger',
		nodes: [
			{
				id: randomUUID(),
				name: 'BLS Portal Trigger',
				type: NODE_TYPES.blsPortalTrigger,
				typeVersion: 1,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { events: ['booking.created'], options: { ignoreDuplicates: true } },
			},
		],
		connections: {},
		settings: DEFAULT_SETTINGS,
	};
}

/**
 * n8n's plain Webhook node, answering at once and verifying nothing. As the `control`, it is made
 * to cost what n8n adds to every webhook node but its own Webhook node with static parameters,
 * such as the trigger: one option set by an expression (n8n 2.x then takes an expression isolate
 * for the webhook phase: webhookPhaseNeedsIsolate in packages/cli/src/webhooks/live-webhooks.ts),
 * and a BLS Portal node that never runs (not connected), so n8n checks for every execution that
 * the workflow may use its credential. What is left between the trigger and the control is the
 * trigger's own work.
 */
export function plainWebhookWorkflow(path: string, control = false): WorkflowJson {
	const nodes: WorkflowNode[] = [
		{
			id: randomUUID(),
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: randomUUID(),
			parameters: {
				httpMethod: 'POST',
				path,
				responseMode: 'onReceived',
				options: control ? { ignoreBots: '={{ false }}' } : {},
			},
		},
	];
	if (control) {
		nodes.push({
			id: randomUUID(),
			name: 'Unused BLS Portal node',
			type: NODE_TYPES.blsPortal,
			typeVersion: 1,
			position: [0, 240],
			parameters: {
				resource: 'booking',
				operation: 'get',
				bookingId: { __rl: true, mode: 'id', value: '1' },
			},
		});
	}
	return {
		name: control ? 'bench: plain Webhook, control' : 'bench: plain Webhook',
		nodes,
		connections: {},
		settings: DEFAULT_SETTINGS,
	};
}
