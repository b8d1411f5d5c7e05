/**
 * Support for the end-to-end scenarios (examples, trigger, token economy): what the in-process
 * sandbox knows (its bookings, the tokens and webhook secrets it issued), a relay between the
 * sandbox's deliveries and n8n that can lose n8n's acknowledgements (so the sandbox retries), a
 * scan of n8n's files and executions for secrets, and small workflow edits.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';

import type { Sandbox } from '../../sandbox';
import type { SandboxCore } from '../../sandbox/core';
import type { Execution, N8nInstance } from '../../scripts/n8n/instance';
import { nodeOutput, type WorkflowJson, type WorkflowNode } from '../../scripts/n8n/workflows';

// ---- What the sandbox holds (same process only) -----------------------------------------------------

function core(sandbox: Sandbox): SandboxCore {
	return (sandbox as unknown as { core: SandboxCore }).core;
}

/** Every booking of an account, as the API serializes it (ground truth for syncs and bookings). */
export function accountBookings(sandbox: Sandbox, hbClientId: string): Array<Record<string, unknown>> {
	const state = core(sandbox).state;
	const account = state.accountByClientId(hbClientId);
	if (!account) throw new Error(`No sandbox account ${hbClientId}`);
	return state.bookings.filter((booking) => booking.accountId === account.id).map((booking) => state.serializeBooking(booking));
}

/** The webhook endpoints the sandbox holds now, with their signing secrets. */
export function endpointsWithSecrets(sandbox: Sandbox): Array<{ id: number; url: string; secret: string; events: string[] }> {
	return sandbox.signingSecrets();
}

/** Waits until the sandbox holds an endpoint whose URL contains `urlPart` (activation registers it asynchronously). */
export async function registeredEndpoint(
	sandbox: Sandbox,
	urlPart: string,
): Promise<{ id: number; url: string; secret: string; events: string[] }> {
	let found: ReturnType<typeof endpointsWithSecrets>[number] | undefined;
	await waitFor(() => (found = endpointsWithSecrets(sandbox).find((endpoint) => endpoint.url.includes(urlPart))) !== undefined, {
		what: `an endpoint for ${urlPart} in the sandbox`,
	});
	return found!;
}

// ---- Secrets ------------------------------------------------------------------------------------------

/**
 * The secrets n8n must never write down in its log, its files, a stored workflow or any execution:
 * the accounts' API keys, every access and refresh token the sandbox issued, every webhook signing
 * secret. Call `collect()` while the secrets exist (a deleted endpoint's secret is gone from the
 * sandbox). (The trigger keeps its endpoint's secret in the workflow's static data sealed under the
 * credential's API key, so neither the workflow nor n8n 1.x's copies of it in executions show it.)
 */
export class SecretWatch {
	private readonly secrets = new Map<string, string>();

	constructor(private readonly sandbox: Sandbox) {
		this.collect();
	}

	collect(): this {
		for (const account of this.sandbox.accounts) this.secrets.set(account.apiKey, `API key of ${account.hbClientId}`);
		for (const token of this.sandbox.issuedTokens()) this.secrets.set(token, 'a token issued by the sandbox');
		for (const endpoint of endpointsWithSecrets(this.sandbox)) this.secrets.set(endpoint.secret, `signing secret of webhook endpoint ${endpoint.id}`);
		return this;
	}

	/** How many secrets of each kind are watched. */
	summary(): { apiKeys: number; tokens: number; webhookSecrets: number } {
		const labels = [...this.secrets.values()];
		return {
			apiKeys: labels.filter((label) => label.startsWith('API key')).length,
			tokens: labels.filter((label) => label.startsWith('a token')).length,
			webhookSecrets: labels.filter((label) => label.startsWith('signing secret')).length,
		};
	}

	/**
	 * Where any watched secret appears: n8n's log and every other file in its user folder (outputs
	 * of `n8n execute`, binary data, ...) except the database and the installed packages, every
	 * workflow with its static data, and every execution with its data as the public API returns it
	 * — including the copy of the workflow's static data n8n 1.x keeps with each execution.
	 */
	async leaks(n8n: N8nInstance): Promise<string[]> {
		this.collect();
		const found: string[] = [];
		const check = (text: string, where: string) => {
			for (const [secret, label] of this.secrets) if (text.includes(secret)) found.push(`${label} in ${where}`);
		};
		for (const file of listFiles(n8n.userFolder)) {
			const relative = path.relative(n8n.userFolder, file);
			if (/(^|\/)database\.sqlite/.test(relative) || relative.startsWith(path.join('.n8n', 'nodes'))) continue;
			check(fs.readFileSync(file).toString('latin1'), relative);
		}
		const workflows = await n8n.publicApi<{ data: Array<{ id: string }> }>('GET', '/workflows?limit=250');
		for (const { id } of workflows.data) check(JSON.stringify(await n8n.getWorkflow(id)), `workflow ${id}`);
		for (const execution of await n8n.executions({ includeData: true })) {
			const where = `execution ${execution.id} (${execution.mode}, workflow ${execution.workflowId})`;
			const { workflowData, ...rest } = execution as Execution & { workflowData?: { staticData?: unknown } };
			const { staticData, ...workflow } = workflowData ?? {};
			check(JSON.stringify({ ...rest, workflowData: workflow }), where);
			check(JSON.stringify(staticData ?? null), `${where}, its copy of the workflow static data`);
		}
		return found;
	}
}

function listFiles(dir: string): string[] {
	const files: string[] = [];
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) files.push(...listFiles(full));
		else if (entry.isFile()) files.push(full);
	}
	return files;
}

// ---- Delivery relay ---------------------------------------------------------------------------------

export interface RelayedDelivery {
	eventId: string;
	eventType: string;
	deliveryId: string;
	headers: Record<string, string>;
	rawBody: Buffer;
	/** n8n's answer. */
	n8nStatus: number;
	n8nBody: string;
	/** What the sandbox was told (503 when the acknowledgement was "lost"). */
	relayedStatus: number;
}

/**
 * Sits between the sandbox's deliveries and n8n (start n8n with its webhook URL set to
 * `relay.origin`), records every delivery with n8n's answer, and can lose n8n's acknowledgement:
 * n8n handled the delivery but the sandbox sees a 503 and retries, with the same event id, a new
 * delivery id and a fresh signature — exactly what a timeout on the way back does in production.
 */
export class DeliveryRelay {
	readonly deliveries: RelayedDelivery[] = [];
	/** n8n's origin; set once n8n is up. */
	target = '';
	private acknowledgementsToLose = 0;

	private constructor(
		private readonly server: http.Server,
		readonly origin: string,
	) {}

	static async start(): Promise<DeliveryRelay> {
		let relay: DeliveryRelay | undefined;
		const server = http.createServer((req, res) => void relay?.handle(req, res));
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		relay = new DeliveryRelay(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
		return relay;
	}

	/** The next `count` deliveries reach n8n, but the sandbox is told 503. */
	loseNextAcknowledgements(count: number): void {
		this.acknowledgementsToLose += count;
	}

	deliveriesOf(eventId: string): RelayedDelivery[] {
		return this.deliveries.filter((delivery) => delivery.eventId === eventId);
	}

	private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks);
		const headers: Record<string, string> = {};
		for (const [name, value] of Object.entries(req.headers)) {
			if (typeof value === 'string' && !['host', 'connection', 'content-length', 'transfer-encoding'].includes(name)) headers[name] = value;
		}
		let n8nStatus = 502;
		let n8nBody = '';
		try {
			const answer = await forward(`${this.target}${req.url ?? '/'}`, req.method ?? 'POST', headers, rawBody);
			n8nStatus = answer.status;
			n8nBody = answer.body;
		} catch (error) {
			n8nBody = String(error);
		}
		const lose = this.acknowledgementsToLose > 0 && n8nStatus >= 200 && n8nStatus < 300;
		if (lose) this.acknowledgementsToLose--;
		const relayedStatus = lose ? 503 : n8nStatus;
		this.deliveries.push({
			eventId: headers['x-tdta-event-id'] ?? '',
			eventType: headers['x-tdta-event'] ?? '',
			deliveryId: headers['x-tdta-delivery-id'] ?? '',
			headers,
			rawBody,
			n8nStatus,
			n8nBody,
			relayedStatus,
		});
		res.writeHead(relayedStatus, { 'content-type': 'application/json' });
		res.end(lose ? JSON.stringify({ message: 'acknowledgement lost on the way back (test relay)' }) : n8nBody);
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
		const request = http.request(url, { method, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
			const chunks: Buffer[] = [];
			response.on('data', (chunk: Buffer) => chunks.push(chunk));
			response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
			response.on('error', reject);
		});
		request.on('error', reject);
		request.end(body);
	});
}

// ---- Workflows ------------------------------------------------------------------------------------

export function findNode(workflow: { nodes: unknown[] }, name: string): WorkflowNode {
	const node = (workflow.nodes as WorkflowNode[]).find((candidate) => candidate.name === name);
	if (!node) throw new Error(`No node "${name}" in the workflow`);
	return node;
}

/** A copy whose webhook nodes get new webhook ids, so the same example can be imported more than once. */
export function withFreshWebhookIds(workflow: WorkflowJson): WorkflowJson {
	const copy: WorkflowJson = JSON.parse(JSON.stringify(workflow));
	for (const node of copy.nodes) if (node.webhookId) node.webhookId = randomUUID();
	return copy;
}

/**
 * A copy in which trigger `triggerName` (a Schedule Trigger, say) is a Manual Trigger of the same
 * name, so `n8n execute` can run the workflow once, headless.
 */
export function withManualTrigger(workflow: WorkflowJson, triggerName: string): WorkflowJson {
	const copy: WorkflowJson = JSON.parse(JSON.stringify(workflow));
	const trigger = findNode(copy, triggerName);
	Object.assign(trigger, { type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, parameters: {} });
	return copy;
}

/** Node types and versions of `workflow` that this n8n does not offer. */
export function unsupportedNodes(workflow: WorkflowJson, offered: Map<string, number[]>): string[] {
	return workflow.nodes
		.filter((node) => !offered.get(node.type)?.includes(node.typeVersion))
		.map((node) => `${node.name}: ${node.type} v${node.typeVersion} (offered: ${offered.get(node.type)?.join(', ') ?? 'none'})`);
}

/** The JSON items node `nodeName` emitted in an execution ([] when it did not run). */
export function outputOf(execution: Execution, nodeName: string, output = 0): Array<Record<string, unknown>> {
	if (!execution.data?.resultData.runData[nodeName]) return [];
	return nodeOutput(execution.data, nodeName, { output }) as Array<Record<string, unknown>>;
}

export function nodesRun(execution: Execution): string[] {
	return Object.keys(execution.data?.resultData.runData ?? {});
}

// ---- Executions and polling -------------------------------------------------------------------------

/**
 * The workflow's executions (newest first, with data) once their number has not changed for
 * `quietMs` and none is running: webhook executions are stored shortly after n8n answered.
 */
export async function settledExecutions(
	n8n: N8nInstance,
	workflowId: string,
	{ atLeast = 0, quietMs = 1500, timeoutMs = 60_000 } = {},
): Promise<Execution[]> {
	const deadline = Date.now() + timeoutMs;
	let last = -1;
	let stableSince = Date.now();
	for (;;) {
		const executions = await n8n.executions({ workflowId });
		const running = executions.some((execution) => !execution.finished && !['success', 'error', 'crashed', 'canceled'].includes(execution.status));
		if (executions.length !== last || running) {
			last = executions.length;
			stableSince = Date.now();
		} else if (executions.length >= atLeast && Date.now() - stableSince >= quietMs) {
			return n8n.executions({ workflowId, includeData: true });
		}
		if (Date.now() > deadline) {
			throw new Error(`Executions of workflow ${workflowId} did not settle: ${executions.length} (wanted at least ${atLeast})${running ? ', some running' : ''}`);
		}
		await sleep(200);
	}
}

export async function waitFor(
	condition: () => boolean | Promise<boolean>,
	{ timeoutMs = 30_000, pollMs = 50, what = 'a condition' } = {},
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await condition())) {
		if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
		await sleep(pollMs);
	}
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Weekdays (YYYY-MM-DD, UTC) from `fromDaysAhead` days after today on, `count` of them. */
export function weekdaysAhead(fromDaysAhead: number, count: number): string[] {
	const days: string[] = [];
	const day = new Date();
	day.setUTCHours(0, 0, 0, 0);
	day.setUTCDate(day.getUTCDate() + fromDaysAhead);
	while (days.length < count) {
		if (day.getUTCDay() !== 0 && day.getUTCDay() !== 6) days.push(day.toISOString().slice(0, 10));
		day.setUTCDate(day.getUTCDate() + 1);
	}
	return days;
}

/** Parses CSV as RFC 4180 writes it (quoted fields, doubled quotes, line breaks in quotes), after a BOM if any. */
export function parseCsv(text: string): string[][] {
	const rows: string[][] = [];
	let row: string[] = [];
	let field = '';
	let quoted = false;
	const source = text.replace(/^\uFEFF/, '');
	for (let index = 0; index < source.length; index++) {
		const char = source[index];
		if (quoted) {
			if (char === '"' && source[index + 1] === '"') {
				field += '"';
				index++;
			} else if (char === '"') {
				quoted = false;
			} else {
				field += char;
			}
		} else if (char === '"') {
			quoted = true;
		} else if (char === ',') {
			row.push(field);
			field = '';
		} else if (char === '\n' || char === '\r') {
			if (char === '\r' && source[index + 1] === '\n') index++;
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
		} else {
			field += char;
		}
	}
	if (field !== '' || row.length > 0) {
		row.push(field);
		rows.push(row);
	}
	return rows;
}
