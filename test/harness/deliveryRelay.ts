/**
 * What every suite against real n8n needs between the sandbox's webhook deliveries and n8n, used
 * by the e2e, resilience and queue-mode suites:
 *
 * - {@link DeliveryRelay}: start n8n with its public webhook URL set to `relay.origin`, so the
 *   trigger registers the relay's address in the sandbox. Every real delivery passes the relay, is
 *   recorded byte for byte with n8n's answer, and can be made to fail as a lost acknowledgement or
 *   an outage would (the sandbox then retries it). With several targets it plays a round-robin load
 *   balancer in front of n8n's webhook processes (queue mode).
 * - Readers of n8n and the sandbox: the endpoints the sandbox holds, the executions once they
 *   settle, and the polling they rest on.
 */
import * as http from 'http';
import type { AddressInfo } from 'net';

import type { Sandbox } from '../../sandbox';
import type { Execution, N8nInstance } from '../../scripts/n8n/instance';

// ---- Polling ---------------------------------------------------------------------------------------

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor(
	condition: () => boolean | Promise<boolean>,
	{ timeoutMs = 30_000, pollMs = 50, what = 'a condition' } = {},
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await condition())) {
		if (Date.now() > deadline)
			throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(pollMs);
	}
}

// ---- The sandbox's endpoints -----------------------------------------------------------------------

export interface SigningEndpoint {
	id: number;
	url: string;
	secret: string;
	events: string[];
}

/**
 * The webhook endpoints the sandbox holds now, with their signing secrets. The API shows a secret
 * once (to the trigger that registered it); an in-process test may read the sandbox's copy to sign
 * deliveries as the API would.
 */
export function endpointsWithSecrets(sandbox: Sandbox): SigningEndpoint[] {
	return sandbox.signingSecrets();
}

/** Waits until the sandbox holds an endpoint whose URL contains `urlPart` (a webhook id, say): activation registers it asynchronously. */
export async function registeredEndpoint(
	sandbox: Sandbox,
	urlPart: string,
	timeoutMs = 30_000,
): Promise<SigningEndpoint> {
	let found: SigningEndpoint | undefined;
	await waitFor(
		() =>
			(found = endpointsWithSecrets(sandbox).find((endpoint) => endpoint.url.includes(urlPart))) !==
			undefined,
		{
			timeoutMs,
			what: `an endpoint for ${urlPart} in the sandbox`,
		},
	);
	return found!;
}

// ---- n8n's executions ------------------------------------------------------------------------------

const FINISHED = ['success', 'error', 'crashed', 'canceled'];

/**
 * The workflow's executions (newest first, with data) once their number has not changed for
 * `quietMs` and none is running: webhook executions are stored shortly after n8n answered.
 */
export async function settledExecutions(
	n8n: N8nInstance,
	workflowId: string,
	{ atLeast = 0, quietMs = 2000, timeoutMs = 120_000 } = {},
): Promise<Execution[]> {
	const deadline = Date.now() + timeoutMs;
	let last = -1;
	let stableSince = Date.now();
	for (;;) {
		const executions = await n8n.executions({ workflowId });
		const running = executions.filter(
			(execution) => !execution.finished && !FINISHED.includes(execution.status),
		);
		if (executions.length !== last || running.length > 0) {
			last = executions.length;
			stableSince = Date.now();
		} else if (executions.length >= atLeast && Date.now() - stableSince >= quietMs) {
			return await n8n.executions({ workflowId, includeData: true });
		}
		if (Date.now() > deadline) {
			throw new Error(
				`Executions of workflow ${workflowId} did not settle (${executions.length}, ${running.length} running, wanted at least ${atLeast})`,
			);
		}
		await sleep(250);
	}
}

// ---- The relay -------------------------------------------------------------------------------------

/** What the relay does with one delivery: pass it on, pass it on but lose n8n's answer (the API sees a 503), or fail without passing it on. */
export type RelayAction = 'forward' | 'lose-answer' | 'refuse';

export interface RelayedDelivery {
	path: string;
	eventId: string;
	eventType: string;
	deliveryId: string;
	/** The request's headers (lower-case, as sent), less the hop-by-hop ones. */
	headers: Record<string, string>;
	rawBody: Buffer;
	action: RelayAction;
	/** The n8n origin it was passed to ('' when refused). */
	target: string;
	/** n8n's status (0: not passed on, or no answer) and its answer. */
	n8nStatus: number;
	n8nBody: string;
	/** What the sender (the sandbox) was told. */
	relayedStatus: number;
}

const HOP_BY_HOP = ['host', 'connection', 'keep-alive', 'content-length', 'transfer-encoding'];

export class DeliveryRelay {
	readonly deliveries: RelayedDelivery[] = [];
	/** n8n's origins (set once n8n is up); deliveries go to them in turn. */
	targets: string[] = [];
	/** Decides each delivery's fate; every delivery is passed on by default. */
	policy: (delivery: {
		path: string;
		headers: Record<string, string>;
		rawBody: Buffer;
	}) => RelayAction = () => 'forward';
	/** Picks the target of a delivery; default: the targets in turn (round robin). */
	route: (
		delivery: { eventId: string; headers: Record<string, string> },
		targets: string[],
	) => string = (_delivery, targets) => targets[this.turn++ % targets.length];
	private turn = 0;
	private acknowledgementsToLose = 0;
	private inflight = 0;

	private constructor(
		private readonly server: http.Server,
		readonly origin: string,
	) {}

	static async start(): Promise<DeliveryRelay> {
		let relay: DeliveryRelay | undefined;
		const server = http.createServer((req, res) => void relay?.handle(req, res));
		server.keepAliveTimeout = 1000;
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		relay = new DeliveryRelay(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
		return relay;
	}

	/** The one n8n behind the relay. */
	get target(): string {
		return this.targets[0] ?? '';
	}

	set target(origin: string) {
		this.targets = [origin];
	}

	/** The next `count` deliveries that n8n accepts (2xx) reach n8n, but the sandbox is told 503. */
	loseNextAcknowledgements(count: number): void {
		this.acknowledgementsToLose += count;
	}

	deliveriesOf(eventId: string): RelayedDelivery[] {
		return this.deliveries.filter((delivery) => delivery.eventId === eventId);
	}

	/** Waits until no delivery is being passed on. */
	async settled(timeoutMs = 30_000): Promise<void> {
		await waitFor(() => this.inflight === 0, {
			timeoutMs,
			what: 'the relay to finish passing deliveries on',
		});
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		this.inflight++;
		try {
			const chunks: Buffer[] = [];
			for await (const chunk of req) chunks.push(chunk as Buffer);
			const rawBody = Buffer.concat(chunks);
			const path = req.url ?? '/';
			const headers: Record<string, string> = {};
			for (const [name, value] of Object.entries(req.headers)) {
				if (typeof value === 'string' && !HOP_BY_HOP.includes(name)) headers[name] = value;
			}
			const eventId = headers['x-tdta-event-id'] ?? '';
			let action = this.policy({ path, headers, rawBody });
			const target =
				action === 'refuse' || this.targets.length === 0
					? ''
					: this.route({ eventId, headers }, this.targets);
			let n8nStatus = 0;
			let n8nBody = '';
			if (target) {
				try {
					const answer = await forward(`${target}${path}`, req.method ?? 'POST', headers, rawBody);
					n8nStatus = answer.status;
					n8nBody = answer.body;
				} catch (error) {
					n8nBody = String(error);
				}
			}
			if (
				action === 'forward' &&
				this.acknowledgementsToLose > 0 &&
				n8nStatus >= 200 &&
				n8nStatus < 300
			) {
				this.acknowledgementsToLose--;
				action = 'lose-answer';
			}
			const relayedStatus = action === 'forward' && n8nStatus > 0 ? n8nStatus : 503;
			this.deliveries.push({
				path,
				eventId,
				eventType: headers['x-tdta-event'] ?? '',
				deliveryId: headers['x-tdta-delivery-id'] ?? '',
				headers,
				rawBody,
				action,
				target,
				n8nStatus,
				n8nBody,
				relayedStatus,
			});
			res.writeHead(relayedStatus, { 'content-type': 'application/json' });
			res.end(
				action === 'forward'
					? n8nBody
					: JSON.stringify({
							message: `test relay: ${action === 'refuse' ? 'simulated outage' : 'acknowledgement lost on the way back'}`,
						}),
			);
		} catch {
			if (!res.headersSent) res.writeHead(502);
			res.end();
		} finally {
			this.inflight--;
		}
	}

	async stop(): Promise<void> {
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}
}

/** One HTTP request with the exact body bytes; resolves with the answer. */
export function forward(
	url: string,
	method: string,
	headers: Record<string, string>,
	body: Buffer | string,
): Promise<{ status: number; body: string }> {
	return new Promise((resolve, reject) => {
		const request = http.request(
			url,
			{ method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
			(response) => {
				const chunks: Buffer[] = [];
				response.on('data', (chunk: Buffer) => chunks.push(chunk));
				response.on('end', () =>
					resolve({
						status: response.statusCode ?? 0,
						body: Buffer.concat(chunks).toString('utf8'),
					}),
				);
				response.on('error', reject);
			},
		);
		request.on('error', reject);
		request.end(body);
	});
}
