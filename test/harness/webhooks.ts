/**
 * Webhook triggers the way n8n runs them: the lifecycle methods through n8n-core's HookContext
 * (static data saved after activation, as n8n's ActiveWorkflowManager does) and every delivery
 * through its WebhookContext with an express-like request and response, static data loaded fresh
 * and changes to it discarded (measured: n8n 2.41.1 does not persist static data changed in a
 * production `webhook()`). After `webhook()` the harness answers as n8n's webhook helpers do for
 * `responseMode: 'onReceived'`.
 *
 * {@link WebhookReceiver} is the HTTP side: a local server the sandbox delivers to, which keeps the
 * exact raw request and forwards it to the trigger owning the URL, answering the sender with what
 * the node answered, as soon as the node answers.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { HookContext, WebhookContext } from 'n8n-core';
import type {
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IWebhookData,
	IWebhookDescription,
	IWebhookResponseData,
	IWorkflowExecuteAdditionalData,
	Workflow,
} from 'n8n-workflow';
import { ObservableObject } from 'n8n-workflow';

import { BlsPortalTrigger } from '../../nodes/BlsPortalTrigger/BlsPortalTrigger.node';
import { registerNodeType, type N8nHarness } from './n8n';

const triggerType = new BlsPortalTrigger();
registerNodeType('blsPortalTrigger', triggerType);

/** One HTTP request exactly as it arrived: header names lower-case, body as received. */
export interface CapturedRequest {
	method: string;
	path: string;
	headers: http.IncomingHttpHeaders;
	rawBody: Buffer;
}

/** A copy of the request with one header replaced (a string or a repeated header) or removed (`undefined`). */
export function withHeader(
	request: CapturedRequest,
	name: string,
	value: string | string[] | undefined,
): CapturedRequest {
	const headers = { ...request.headers };
	if (value === undefined) delete headers[name.toLowerCase()];
	else headers[name.toLowerCase()] = value;
	return { ...request, headers };
}

export function withBody(request: CapturedRequest, rawBody: Buffer): CapturedRequest {
	return {
		...request,
		rawBody,
		headers: { ...request.headers, 'content-length': String(rawBody.length) },
	};
}

export function header(request: CapturedRequest, name: string): string {
	const value = request.headers[name.toLowerCase()];
	return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

/** Express-like request as n8n's webhook server hands it to nodes: raw bytes kept, JSON parsed. */
function expressRequest(request: CapturedRequest): Record<string, unknown> {
	let body: unknown = {};
	try {
		body = JSON.parse(request.rawBody.toString('utf8'));
	} catch {
		body = {};
	}
	return {
		method: request.method,
		url: request.path,
		path: request.path,
		headers: request.headers,
		rawBody: request.rawBody,
		readRawBody: async () => {},
		body,
		query: {},
		params: {},
		contentType: String(request.headers['content-type'] ?? '').split(';')[0],
	};
}

/** Records what the node answers; with a live socket behind it, answers the sender at once. */
export class RecordingResponse {
	statusCode = 200;
	body: unknown;
	headers: Record<string, string> = {};
	sent = false;

	constructor(
		private readonly live?: http.ServerResponse,
		private readonly failAcknowledgement = false,
	) {}

	get headersSent(): boolean {
		return this.sent;
	}

	status(code: number): this {
		this.statusCode = code;
		return this;
	}

	setHeader(name: string, value: string): this {
		this.headers[name.toLowerCase()] = value;
		return this;
	}

	header(name: string, value: string): this {
		return this.setHeader(name, value);
	}

	set(name: string, value: string): this {
		return this.setHeader(name, value);
	}

	writeHead(code: number, headers: Record<string, string> = {}): this {
		this.statusCode = code;
		for (const [name, value] of Object.entries(headers)) this.setHeader(name, value);
		return this;
	}

	json(body: unknown): this {
		this.setHeader('content-type', 'application/json');
		return this.end(JSON.stringify(body), body);
	}

	send(body: unknown): this {
		return typeof body === 'object' && body !== null && !Buffer.isBuffer(body)
			? this.json(body)
			: this.end(body);
	}

	end(payload?: unknown, parsed: unknown = payload): this {
		if (this.sent) throw new Error('The response was already sent');
		this.sent = true;
		this.body = parsed;
		if (this.live) {
			// A lost acknowledgement: the node answered 2xx but the sender sees a failure and retries.
			const status = this.failAcknowledgement ? 503 : this.statusCode;
			this.live.writeHead(status, this.headers);
			this.live.end(
				payload === undefined ? undefined : Buffer.isBuffer(payload) ? payload : String(payload),
			);
		}
		return this;
	}
}

export interface DeliveryOutcome {
	/** The HTTP status the sender got from "n8n". */
	status: number;
	body: unknown;
	/** The items of the execution this delivery started; empty when it started none. */
	items: INodeExecutionData[];
	result: IWebhookResponseData;
	/** Whether the node answered the request itself, before `webhook()` returned. */
	answeredByNode: boolean;
}

export interface TriggerOptions {
	/** The base URL n8n would use for webhooks: the {@link WebhookReceiver}'s origin. */
	baseUrl: string;
	workflowId?: string;
	workflowName?: string;
}

const clone = (data: IDataObject): IDataObject => JSON.parse(JSON.stringify(data)) as IDataObject;

/** One BLS Portal Trigger node in one workflow, with its production and test webhooks. */
export class TriggerHarness {
	readonly node: INode;

	/** Static data as n8n's database keeps it: written after activation, read for each delivery. */
	savedStaticData: IDataObject = {};

	/** "Listen for test event" works on its own copy, never saved (n8n runs it in manual mode). */
	testStaticData?: IDataObject;

	/** The item lists of the executions deliveries started, in order. */
	readonly executions: INodeExecutionData[][] = [];

	readonly workflowId: string;

	readonly workflowName: string;

	constructor(
		readonly harness: N8nHarness,
		parameters: INodeParameters,
		private readonly options: TriggerOptions,
	) {
		this.node = {
			...harness.node(parameters, { nodeType: 'blsPortalTrigger' }),
			name: 'BLS Portal Trigger',
			webhookId: randomUUID(),
		};
		this.workflowId = options.workflowId ?? `wf-${randomUUID().slice(0, 8)}`;
		this.workflowName = options.workflowName ?? 'Bookings to CRM';
	}

	get type(): INodeType {
		return triggerType;
	}

	/** The node's parameters; change them to model the user editing the node. */
	get parameters(): INodeParameters {
		return this.node.parameters;
	}

	set parameters(parameters: INodeParameters) {
		this.node.parameters = parameters;
	}

	private additionalData(): IWorkflowExecuteAdditionalData {
		return {
			...this.harness.additionalData(),
			webhookBaseUrl: `${this.options.baseUrl}/webhook`,
			webhookTestBaseUrl: `${this.options.baseUrl}/webhook-test`,
		};
	}

	private workflow(staticData: IDataObject): Workflow {
		const workflow = this.harness.workflow(this.node);
		workflow.id = this.workflowId;
		workflow.name = this.workflowName;
		workflow.staticData = ObservableObject.create(clone(staticData), undefined, {
			ignoreEmptyOnFirstChild: true,
		});
		return workflow;
	}

	private webhookData(test: boolean, additionalData: IWorkflowExecuteAdditionalData): IWebhookData {
		const description = (this.type.description.webhooks ?? [])[0] as IWebhookDescription;
		return {
			httpMethod: 'POST',
			node: this.node.name,
			path: `${this.node.webhookId}/${description.path}`,
			webhookDescription: description,
			workflowId: this.workflowId,
			workflowExecuteAdditionalData: additionalData,
			webhookId: this.node.webhookId,
			isTest: test,
		};
	}

	private hook(
		test: boolean,
		staticData: IDataObject,
	): { context: HookContext; workflow: Workflow } {
		const workflow = this.workflow(staticData);
		const additionalData = this.additionalData();
		const context = new HookContext(
			workflow,
			this.node,
			additionalData,
			test ? 'manual' : 'webhook',
			test ? 'manual' : 'activate',
			this.webhookData(test, additionalData),
		);
		return { context, workflow };
	}

	/** The URL n8n gives the node: production, or test for "listen for test event". */
	url(test = false): string {
		return this.hook(test, {}).context.getNodeWebhookUrl('default') ?? '';
	}

	/** Runs one lifecycle method and keeps the static data it leaves, as n8n would. */
	async lifecycle(
		method: 'checkExists' | 'create' | 'delete',
		{ test = false } = {},
	): Promise<boolean> {
		const staticData = test
			? (this.testStaticData ?? clone(this.savedStaticData))
			: this.savedStaticData;
		const { context, workflow } = this.hook(test, staticData);
		const methods = this.type.webhookMethods?.default;
		if (!methods) throw new Error('The trigger has no webhook methods');
		const result = await methods[method].call(context);
		const after = clone(workflow.staticData as IDataObject);
		if (test) this.testStaticData = after;
		else this.savedStaticData = after;
		return result;
	}

	/** Activation as n8n does it: `create` only when `checkExists` says the endpoint is not there. */
	async activate({ test = false } = {}): Promise<{ existed: boolean }> {
		if (test) this.testStaticData = clone(this.savedStaticData);
		const existed = await this.lifecycle('checkExists', { test });
		if (!existed) await this.lifecycle('create', { test });
		return { existed };
	}

	async deactivate({ test = false } = {}): Promise<void> {
		await this.lifecycle('delete', { test });
		if (test) this.testStaticData = undefined;
	}

	/** The static data the trigger keeps for its node. */
	nodeStaticData({ test = false } = {}): IDataObject {
		const data = (test ? this.testStaticData : this.savedStaticData) ?? {};
		return (data[`node:${this.node.name}`] ?? {}) as IDataObject;
	}

	/** Whether a request to this path is for this trigger, and for its test URL. */
	owns(path: string): { test: boolean } | undefined {
		if (path === new URL(this.url(false)).pathname) return { test: false };
		if (path === new URL(this.url(true)).pathname) return { test: true };
		return undefined;
	}

	/** Hands one request to `webhook()` and answers it as n8n would. */
	async deliver(
		request: CapturedRequest,
		{
			test = false,
			live,
			failAcknowledgement = false,
		}: { test?: boolean; live?: http.ServerResponse; failAcknowledgement?: boolean } = {},
	): Promise<DeliveryOutcome> {
		const workflow = this.workflow((test ? this.testStaticData : this.savedStaticData) ?? {});
		const response = new RecordingResponse(live, failAcknowledgement);
		const additionalData = {
			...this.additionalData(),
			httpRequest: expressRequest(request),
			httpResponse: response,
		} as unknown as IWorkflowExecuteAdditionalData;
		const context = new WebhookContext(
			workflow,
			this.node,
			additionalData,
			test ? 'manual' : 'webhook',
			this.webhookData(test, additionalData),
			[],
			null,
		);
		if (!this.type.webhook) throw new Error('The trigger has no webhook method');
		const result = await this.type.webhook.call(context);
		const answeredByNode = response.sent;
		if (!response.sent) {
			if (result.noWebhookResponse)
				throw new Error('webhook() claimed to have answered but sent nothing');
			// n8n's onReceived default answers.
			response
				.status(200)
				.json(
					result.workflowData
						? { message: 'Workflow was started' }
						: (result.webhookResponse ?? { message: 'Webhook call received' }),
				);
		}
		// n8n's live-webhook path saves static data changed in webhook() after answering; test webhooks never.
		if (!test && (workflow.staticData as IDataObject).__dataChanged === true) {
			const saved = clone(workflow.staticData as IDataObject);
			delete saved.__dataChanged;
			this.savedStaticData = saved;
		}
		const items = result.workflowData?.[0] ?? [];
		if (result.workflowData) this.executions.push(items);
		return { status: response.statusCode, body: response.body, items, result, answeredByNode };
	}
}

/** A local HTTP server standing in for n8n's webhook server, in front of the triggers of a test. */
export class WebhookReceiver {
	readonly captured: CapturedRequest[] = [];

	readonly outcomes: DeliveryOutcome[] = [];

	readonly errors: Error[] = [];

	private readonly triggers = new Set<TriggerHarness>();

	private readonly inflight = new Set<Promise<unknown>>();

	private acknowledgementsToLose = 0;

	private constructor(private readonly server: http.Server) {}

	static async start(): Promise<WebhookReceiver> {
		const server = http.createServer();
		const receiver = new WebhookReceiver(server);
		server.on('request', (req, res) => receiver.handle(req, res));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		return receiver;
	}

	get origin(): string {
		const { port } = this.server.address() as AddressInfo;
		return `http://127.0.0.1:${port}`;
	}

	/** Forwards requests for this trigger's URLs to it. */
	serve(trigger: TriggerHarness): TriggerHarness {
		this.triggers.add(trigger);
		return trigger;
	}

	/** The next `count` deliveries reach the node, but the sender gets a 503 and retries. */
	loseAcknowledgements(count: number): void {
		this.acknowledgementsToLose = count;
	}

	/** Requests captured for an event id. */
	requestsFor(eventId: string): CapturedRequest[] {
		return this.captured.filter((request) => header(request, 'x-tdta-event-id') === eventId);
	}

	/** Waits until every forwarded request has finished in the node (also after it answered). */
	async settled(): Promise<void> {
		while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
		if (this.errors.length > 0) throw this.errors[0];
	}

	reset(): void {
		this.captured.length = 0;
		this.outcomes.length = 0;
		this.errors.length = 0;
		this.acknowledgementsToLose = 0;
	}

	async stop(): Promise<void> {
		await this.settled().catch(() => undefined);
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			const request: CapturedRequest = {
				method: req.method ?? 'GET',
				path: (req.url ?? '/').split('?')[0],
				headers: req.headers,
				rawBody: Buffer.concat(chunks),
			};
			this.captured.push(request);
			const match = [...this.triggers]
				.map((trigger) => ({ trigger, owner: trigger.owns(request.path) }))
				.find((m) => m.owner);
			if (!match?.owner) {
				res
					.writeHead(404, { 'content-type': 'application/json' })
					.end('{"message":"The requested webhook is not registered."}');
				return;
			}
			const failAcknowledgement = this.acknowledgementsToLose > 0;
			if (failAcknowledgement) this.acknowledgementsToLose--;
			const delivery = match.trigger
				.deliver(request, { test: match.owner.test, live: res, failAcknowledgement })
				.then((outcome) => this.outcomes.push(outcome))
				.catch((error: Error) => {
					this.errors.push(error);
					if (!res.headersSent) res.writeHead(500).end(JSON.stringify({ message: error.message }));
				})
				.finally(() => this.inflight.delete(delivery));
			this.inflight.add(delivery);
		});
	}
}
