/**
 * Support for the end-to-end scenarios (examples, trigger, token economy): what the in-process
 * sandbox knows (its bookings, the tokens and webhook secrets it issued), a scan of n8n's files and
 * executions for secrets, and small workflow edits. The delivery relay and the readers of endpoints
 * and executions are shared with the other real-n8n suites (test/harness/deliveryRelay.ts).
 */
import { execFileSync } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

import type { Sandbox } from '../../sandbox';
import type { SandboxCore } from '../../sandbox/core';
import type { Execution, N8nInstance } from '../../scripts/n8n/instance';
import { nodeOutput, type WorkflowJson, type WorkflowNode } from '../../scripts/n8n/workflows';
import { endpointsWithSecrets } from '../harness/deliveryRelay';

// The relay and the readers shared with the resilience and queue-mode suites.
export {
	DeliveryRelay,
	endpointsWithSecrets,
	forward,
	registeredEndpoint,
	settledExecutions,
	sleep,
	waitFor,
} from '../harness/deliveryRelay';
export type { RelayedDelivery } from '../harness/deliveryRelay';

// ---- What the sandbox holds (same process only) -----------------------------------------------------

function core(sandbox: Sandbox): SandboxCore {
	return (sandbox as unknown as { core: SandboxCore }).core;
}

/** Every booking of an account, as the API serializes it (ground truth for syncs and bookings). */
export function accountBookings(
	sandbox: Sandbox,
	hbClientId: string,
): Array<Record<string, unknown>> {
	const state = core(sandbox).state;
	const account = state.accountByClientId(hbClientId);
	if (!account) throw new Error(`No sandbox account ${hbClientId}`);
	return state.bookings
		.filter((booking) => booking.accountId === account.id)
		.map((booking) => state.serializeBooking(booking));
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
		for (const account of this.sandbox.accounts)
			this.secrets.set(account.apiKey, `API key of ${account.hbClientId}`);
		for (const token of this.sandbox.issuedTokens())
			this.secrets.set(token, 'a token issued by the sandbox');
		for (const endpoint of endpointsWithSecrets(this.sandbox))
			this.secrets.set(endpoint.secret, `signing secret of webhook endpoint ${endpoint.id}`);
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
	 * of `n8n execute`, binary data, the SQLite database with its WAL, ...) as bytes, except the
	 * installed packages; every table of the database row by row (a value longer than a page is
	 * split across overflow pages, which a byte scan could miss); every workflow with its static
	 * data, and every execution with its data as the public API returns it — including the copy of
	 * the workflow's static data n8n 1.x keeps with each execution.
	 */
	async leaks(n8n: N8nInstance): Promise<string[]> {
		this.collect();
		const found: string[] = [];
		const check = (text: string, where: string) => {
			for (const [secret, label] of this.secrets)
				if (text.includes(secret)) found.push(`${label} in ${where}`);
		};
		let databaseFiles = 0;
		for (const file of listFiles(n8n.userFolder)) {
			const relative = path.relative(n8n.userFolder, file);
			if (relative.startsWith(path.join('.n8n', 'nodes'))) continue;
			if (/(^|\/)database\.sqlite$/.test(relative)) databaseFiles++;
			check(fs.readFileSync(file).toString('latin1'), relative);
		}
		// The scan must have met the database itself, or it proved nothing about it.
		if (databaseFiles !== 1)
			found.push(
				`(scan error: expected one database.sqlite under ${n8n.userFolder}, found ${databaseFiles})`,
			);
		for (const [table, rows] of Object.entries(databaseTables(n8n)))
			check(rows, `database table ${table}`);
		const workflows = await n8n.publicApi<{ data: Array<{ id: string }> }>(
			'GET',
			'/workflows?limit=250',
		);
		for (const { id } of workflows.data)
			check(JSON.stringify(await n8n.getWorkflow(id)), `workflow ${id}`);
		for (const execution of await n8n.executions({ includeData: true })) {
			const where = `execution ${execution.id} (${execution.mode}, workflow ${execution.workflowId})`;
			const { workflowData, ...rest } = execution as Execution & {
				workflowData?: { staticData?: unknown };
			};
			const { staticData, ...workflow } = workflowData ?? {};
			check(JSON.stringify({ ...rest, workflowData: workflow }), where);
			check(JSON.stringify(staticData ?? null), `${where}, its copy of the workflow static data`);
		}
		return found;
	}
}

/**
 * Every row of every table of n8n's SQLite database, as text per table (blobs as latin1), read
 * with n8n's own sqlite3 module while n8n runs.
 */
function databaseTables(n8n: N8nInstance): Record<string, string> {
	const database = listFiles(n8n.userFolder).find((file) => /(^|\/)database\.sqlite$/.test(file));
	if (!database) throw new Error(`No database.sqlite under ${n8n.userFolder}`);
	const script = `
		const sqlite3 = require(${JSON.stringify(path.join(n8n.install.installDir, 'node_modules', 'sqlite3'))});
		const db = new sqlite3.Database(process.argv[1], sqlite3.OPEN_READONLY);
		const all = (sql) => new Promise((resolve, reject) => db.all(sql, (error, rows) => (error ? reject(error) : resolve(rows))));
		(async () => {
			const out = {};
			for (const { name } of await all("SELECT name FROM sqlite_master WHERE type = 'table'")) {
				const rows = await all('SELECT * FROM "' + name.replace(/"/g, '""') + '"');
				out[name] = JSON.stringify(rows, (key, value) => (value && value.type === 'Buffer' ? Buffer.from(value.data).toString('latin1') : value));
			}
			db.close();
			process.stdout.write(JSON.stringify(out));
		})().catch((error) => { console.error(error); process.exit(1); });`;
	const output = execFileSync(n8n.install.nodeBin, ['-e', script, database], {
		maxBuffer: 1024 * 1024 * 1024,
	});
	const tables = JSON.parse(output.toString('utf8')) as Record<string, string>;
	if (!tables.credentials_entity || !tables.execution_entity)
		throw new Error(
			`n8n's database has no credentials or executions table: ${Object.keys(tables).join(', ')}`,
		);
	return tables;
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
		.map(
			(node) =>
				`${node.name}: ${node.type} v${node.typeVersion} (offered: ${offered.get(node.type)?.join(', ') ?? 'none'})`,
		);
}

/** The JSON items node `nodeName` emitted in an execution ([] when it did not run). */
export function outputOf(
	execution: Execution,
	nodeName: string,
	output = 0,
): Array<Record<string, unknown>> {
	if (!execution.data?.resultData.runData[nodeName]) return [];
	return nodeOutput(execution.data, nodeName, { output }) as Array<Record<string, unknown>>;
}

export function nodesRun(execution: Execution): string[] {
	return Object.keys(execution.data?.resultData.runData ?? {});
}

// ---- Dates and CSV ------------------------------------------------------------------------------------

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
