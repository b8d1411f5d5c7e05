/**
 * Real n8n, headless, for `npm start`, the end-to-end, resilience and benchmark suites.
 *
 *   const n8n = await startN8n({ version: '2.41.1' });
 *   const credential = await n8n.createCredential({ name, type: 'blsPortalApi', data });
 *   const workflow = await n8n.importWorkflow(withCredential(json, credential));
 *   const run = await n8n.runWorkflow(workflow.id);      // a manual workflow, once
 *   run.output('Some node');                             // its JSON items
 *   await n8n.activate(id); await n8n.waitForExecutions(1, { workflowId: id });
 *   await n8n.stop();
 *
 * Each start gets a fresh user folder (unless one is given) with this package installed as a
 * community package, free ports on 127.0.0.1, an owner login and a public-API key. n8n runs in
 * its own process group, killed on stop() and whenever this process exits.
 */
import { createRequire } from 'module';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {
	DEFAULT_N8N_VERSION,
	ensureN8n,
	isSupportedVersion,
	N8nInstall,
	N8nVersion,
	repoRoot,
} from './install';
import { findFreePort, GroupProcess, runToFile, spawnGroup } from './process';
import {
	nodeOutput,
	PACKAGE_NAME,
	RunExecutionData,
	toPublicApiWorkflow,
	WorkflowJson,
} from './workflows';

export interface Owner {
	email: string;
	password: string;
	firstName: string;
	lastName: string;
}

/** The local owner login (n8n only listens on 127.0.0.1). */
export const DEFAULT_OWNER: Owner = {
	email: 'owner@example.com',
	password: 'BlsSandbox-owner1',
	firstName: 'Sandbox',
	lastName: 'Owner',
};

export interface StartN8nOptions {
	/** Default: env N8N_VERSION, else 2.41.1. */
	version?: N8nVersion;
	/** Default: a free port. */
	port?: number;
	/** Default: a fresh temporary folder, deleted on stop() unless keepUserFolder (or env BLS_N8N_KEEP_USER_FOLDER=1). */
	userFolder?: string;
	keepUserFolder?: boolean;
	/** Extra environment for n8n (wins over the harness's own settings). */
	env?: Record<string, string>;
	/** The package to install as a community package: default this repo; null for none. */
	packageDir?: string | null;
	owner?: Owner;
	/** Default 120 s. */
	startTimeoutMs?: number;
}

export interface CreatedCredential {
	id: string;
	name: string;
	type: string;
}

export interface CreatedWorkflow {
	id: string;
	name: string;
	active?: boolean;
	nodes: unknown[];
	[key: string]: unknown;
}

/** An execution as the public API returns it (`data` only with includeData). */
export interface Execution {
	id: string | number;
	workflowId: string;
	mode: string;
	status: string;
	finished: boolean;
	startedAt: string;
	stoppedAt: string | null;
	data?: RunExecutionData;
	[key: string]: unknown;
}

export interface WorkflowRun {
	/** `n8n execute`'s exit code (n8n exits non-zero when the workflow failed). */
	exitCode: number;
	/** The run data, when n8n printed it. */
	data?: RunExecutionData;
	/** The workflow's error, if it failed. */
	error?: { message?: string; [key: string]: unknown };
	/** JSON items of `nodeName` (default: the last node executed). */
	output(nodeName?: string, options?: { output?: number; runIndex?: number }): unknown[];
	/** What `n8n execute` printed. */
	log: string;
}

export interface PackageInstallReport {
	installed: boolean;
	nodes: string[];
	credentials: string[];
	/** Entries of package.json's "n8n" section whose dist file does not exist (yet). */
	missing: string[];
}

const FINISHED_STATUSES = new Set(['success', 'error', 'crashed', 'canceled']);

export class N8nInstance {
	readonly url: string;
	readonly logFile: string;
	private cookie = '';
	private apiKey = '';
	// n8n ties its auth cookie to this header (a browser id); any fixed value will do.
	private readonly browserId = crypto.randomUUID();
	private stopped = false;

	constructor(
		readonly install: N8nInstall,
		readonly port: number,
		readonly userFolder: string,
		readonly owner: Owner,
		readonly packageReport: PackageInstallReport,
		private readonly env: NodeJS.ProcessEnv,
		private readonly process: GroupProcess,
		private readonly removeUserFolderOnStop: boolean,
	) {
		this.url = `http://127.0.0.1:${port}`;
		this.logFile = path.join(userFolder, 'n8n.log');
	}

	get version(): N8nVersion {
		return this.install.version;
	}

	/** Production webhook URL of `webhookPath` (an active workflow's Webhook or trigger node). */
	webhookUrl(webhookPath: string): string {
		return `${this.url}/webhook/${webhookPath.replace(/^\//, '')}`;
	}

	/**
	 * Production webhook URL of a node that registers webhooks by id (a trigger node such as ours,
	 * or a Webhook node whose `path` is left to n8n): `/webhook/<webhookId>/<path>`. Give the node a
	 * `webhookId` in the workflow JSON.
	 */
	nodeWebhookUrl(
		workflow: { nodes: unknown[] },
		nodeName: string,
		webhookPath = 'webhook',
	): string {
		const node = (workflow.nodes as Array<{ name: string; webhookId?: string }>).find(
			(candidate) => candidate.name === nodeName,
		);
		if (!node?.webhookId) throw new Error(`Node "${nodeName}" not found or has no webhookId`);
		return this.webhookUrl(`${node.webhookId}/${webhookPath}`);
	}

	/** The expression engine n8n runs with: the one its environment names, else n8n's default for the version. */
	get expressionEngine(): string {
		return this.env.N8N_EXPRESSION_ENGINE ?? 'vm (n8n default)';
	}

	/** n8n's output so far (also in `logFile`). */
	logs(): string {
		try {
			return fs.readFileSync(this.logFile, 'utf8');
		} catch {
			return '';
		}
	}

	isRunning(): boolean {
		return this.process.isRunning();
	}

	/** Resolves with n8n's exit code when it exits (by stop() or on its own). */
	get exited(): Promise<number> {
		return this.process.exited;
	}

	/** The public API (`/api/v1`...), authenticated with this instance's API key. */
	async publicApi<T = unknown>(method: string, apiPath: string, body?: unknown): Promise<T> {
		return this.request<T>(method, `/api/v1${apiPath}`, body, { 'X-N8N-API-KEY': this.apiKey });
	}

	/** n8n's internal REST API (`/rest`...), as the logged-in owner. Responses are unwrapped from `{ data }`. */
	async rest<T = unknown>(method: string, restPath: string, body?: unknown): Promise<T> {
		const response = await this.request<{ data: T }>(
			method,
			`/rest${restPath}`,
			body,
			this.sessionHeaders(),
		);
		return response.data;
	}

	async createCredential(credential: {
		name: string;
		type: string;
		data: Record<string, unknown>;
	}): Promise<CreatedCredential> {
		const data = await this.withSchemaDefaults(credential.type, credential.data);
		const created = await this.publicApi<CreatedCredential>('POST', '/credentials', {
			...credential,
			data,
		});
		return { id: created.id, name: created.name, type: created.type };
	}

	/**
	 * Replaces a credential's name and data, keeping its id (workflows refer to it by id). n8n 2.x's
	 * public API has PATCH /credentials/{id}; 1.x's has no update (405), so there the editor's own
	 * endpoint is used, as the signed-in owner.
	 */
	async updateCredential(
		id: string,
		credential: { name: string; type: string; data: Record<string, unknown> },
	): Promise<void> {
		const body = {
			...credential,
			data: await this.withSchemaDefaults(credential.type, credential.data),
		};
		if (this.version.startsWith('1.')) await this.rest('PATCH', `/credentials/${id}`, body);
		else await this.publicApi('PATCH', `/credentials/${id}`, body);
	}

	/** The credential data with the fields n8n 1.x's public-API schema demands, as the editor saves them. */
	private async withSchemaDefaults(
		type: string,
		given: Record<string, unknown>,
	): Promise<Record<string, unknown>> {
		// n8n 1.x's schema for this generic field demands `allowedDomains` unless the field is set;
		// 'all' is what the editor saves by default.
		const schema = await this.publicApi<{ properties?: Record<string, unknown> }>(
			'GET',
			`/credentials/schema/${type}`,
		);
		const data = { ...given };
		if (
			schema.properties?.allowedHttpRequestDomains &&
			data.allowedHttpRequestDomains === undefined
		) {
			data.allowedHttpRequestDomains = 'all';
		}
		// n8n 1.x's schema also demands "The URL Serves" whenever the API choice is the custom URL
		// (its default); the editor saves the field's default, BLS.
		if (
			schema.properties?.customApi &&
			data.customApi === undefined &&
			(data.environment ?? 'custom') === 'custom'
		) {
			data.customApi = 'bls';
		}
		return data;
	}

	/** Same as createCredential (named for symmetry with importWorkflow). */
	importCredential(credential: {
		name: string;
		type: string;
		data: Record<string, unknown>;
	}): Promise<CreatedCredential> {
		return this.createCredential(credential);
	}

	/** Creates a workflow from JSON as n8n exports it (unknown properties are dropped). Inactive. */
	async importWorkflow(workflow: WorkflowJson): Promise<CreatedWorkflow> {
		return this.publicApi<CreatedWorkflow>('POST', '/workflows', toPublicApiWorkflow(workflow));
	}

	createWorkflow(workflow: WorkflowJson): Promise<CreatedWorkflow> {
		return this.importWorkflow(workflow);
	}

	async getWorkflow(id: string): Promise<CreatedWorkflow> {
		return this.publicApi<CreatedWorkflow>('GET', `/workflows/${id}`);
	}

	/** Activates (publishes) a workflow; n8n runs its triggers' `create` shortly after this returns. */
	async activate(id: string): Promise<CreatedWorkflow> {
		return this.publicApi<CreatedWorkflow>('POST', `/workflows/${id}/activate`);
	}

	/** Deactivates a workflow; n8n runs its triggers' `delete`. */
	async deactivate(id: string): Promise<CreatedWorkflow> {
		return this.publicApi<CreatedWorkflow>('POST', `/workflows/${id}/deactivate`);
	}

	/** Executions, newest first. */
	async executions(
		filter: { workflowId?: string; includeData?: boolean; status?: string } = {},
	): Promise<Execution[]> {
		const all: Execution[] = [];
		let cursor: string | undefined;
		do {
			const query = new URLSearchParams({ limit: '100' });
			if (filter.workflowId) query.set('workflowId', filter.workflowId);
			if (filter.includeData) query.set('includeData', 'true');
			if (filter.status) query.set('status', filter.status);
			if (cursor) query.set('cursor', cursor);
			const page = await this.publicApi<{ data: Execution[]; nextCursor?: string | null }>(
				'GET',
				`/executions?${query}`,
			);
			all.push(...page.data);
			cursor = page.nextCursor ?? undefined;
		} while (cursor);
		return all;
	}

	/**
	 * Every execution of a workflow n8n has stored, running ones included (the public API's list
	 * leaves out executions still running unless asked for them by status).
	 */
	async allExecutions(workflowId: string): Promise<Execution[]> {
		const running = await this.executions({ workflowId, status: 'running' });
		const rest = await this.executions({ workflowId });
		const byId = new Map<string, Execution>();
		for (const execution of [...running, ...rest]) byId.set(String(execution.id), execution);
		return [...byId.values()];
	}

	/** Waits until at least `count` executions (of `workflowId`, if given) have finished; returns them, newest first. */
	async waitForExecutions(
		count: number,
		options: {
			workflowId?: string;
			includeData?: boolean;
			timeoutMs?: number;
			pollMs?: number;
		} = {},
	): Promise<Execution[]> {
		const deadline = Date.now() + (options.timeoutMs ?? 30_000);
		let finished: Execution[] = [];
		for (;;) {
			const executions = await this.executions({
				workflowId: options.workflowId,
				includeData: options.includeData,
			});
			finished = executions.filter(
				(execution) => FINISHED_STATUSES.has(execution.status) || execution.finished,
			);
			if (finished.length >= count) return finished;
			if (Date.now() > deadline) {
				throw new Error(
					`Expected ${count} finished execution(s)${options.workflowId ? ` of workflow ${options.workflowId}` : ''}, ` +
						`saw ${finished.length} (of ${executions.length}) within ${options.timeoutMs ?? 30_000} ms`,
				);
			}
			await sleep(options.pollMs ?? 250);
		}
	}

	/**
	 * Runs a workflow once, from its manual trigger, with `n8n execute` (a separate n8n process
	 * on the same user folder), and returns its run data. It uses the expression engine of the
	 * instance's environment: n8n's default (`vm`) on 2.x, legacy on 1.x (see n8nEnvironment).
	 */
	async runWorkflow(id: string, options: { timeoutMs?: number } = {}): Promise<WorkflowRun> {
		const outFile = path.join(this.userFolder, `execute-${id}-${Date.now()}.log`);
		const env: NodeJS.ProcessEnv = {
			...this.env,
			N8N_RUNNERS_BROKER_PORT: String(await findFreePort()),
			N8N_LOG_LEVEL: 'info', // `execute` prints the run through n8n's logger
		};
		const exitCode = await runToFile(
			this.install.nodeBin,
			[this.install.n8nBin, 'execute', `--id=${id}`, '--rawOutput'],
			{
				cwd: this.userFolder,
				env,
				outFile,
				timeoutMs: options.timeoutMs ?? 120_000,
			},
		);
		const log = fs.readFileSync(outFile, 'utf8');
		const printed = parseExecuteOutput(log);
		const data = printed?.data;
		const error = data?.resultData.error;
		if (!data && exitCode !== 0) {
			throw new Error(
				`n8n execute --id=${id} exited ${exitCode} without printing a run:\n${log.slice(-4000)}`,
			);
		}
		return {
			exitCode,
			data,
			error,
			log,
			output: (nodeName, outputOptions) => {
				if (!data) throw new Error(`n8n execute printed no run data:\n${log.slice(-4000)}`);
				return nodeOutput(data, nodeName, outputOptions);
			},
		};
	}

	/** Names of all node types n8n has loaded (ours appear as `n8n-nodes-bls-portal.<node>`). */
	async nodeTypeNames(): Promise<string[]> {
		const types = await this.request<Array<{ name: string }>>(
			'GET',
			'/types/nodes.json',
			undefined,
			this.sessionHeaders(),
		);
		return [...new Set(types.map((type) => type.name))];
	}

	/** Every node type n8n has loaded with the type versions it offers (to check that a workflow's nodes exist). */
	async nodeTypeVersions(): Promise<Map<string, number[]>> {
		const types = await this.request<Array<{ name: string; version: number | number[] }>>(
			'GET',
			'/types/nodes.json',
			undefined,
			this.sessionHeaders(),
		);
		const versions = new Map<string, number[]>();
		for (const type of types)
			versions.set(type.name, [...(versions.get(type.name) ?? []), ...[type.version].flat()]);
		return versions;
	}

	/** Names of all credential types n8n has loaded. */
	async credentialTypeNames(): Promise<string[]> {
		const types = await this.request<Array<{ name: string }>>(
			'GET',
			'/types/credentials.json',
			undefined,
			this.sessionHeaders(),
		);
		return types.map((type) => type.name);
	}

	/** Stops n8n and everything it started. Stopping n8n does not run triggers' `delete`. */
	async stop(options: { keepUserFolder?: boolean } = {}): Promise<void> {
		if (this.stopped) return;
		this.stopped = true;
		await this.process.stop();
		const keep = options.keepUserFolder || process.env.BLS_N8N_KEEP_USER_FOLDER === '1';
		if (this.removeUserFolderOnStop && !keep)
			fs.rmSync(this.userFolder, { recursive: true, force: true });
	}

	/**
	 * Kills n8n and everything it started with SIGKILL, as a crash would, keeping the user folder:
	 * `startN8n({ version, userFolder: n8n.userFolder, port: n8n.port })` starts it again on the
	 * same data (the caller then removes the folder).
	 */
	async kill(): Promise<void> {
		this.stopped = true;
		await this.process.kill();
	}

	/** Logs in as the owner and creates a public-API key (called by startN8n). */
	async authenticate(): Promise<void> {
		if (this.version.startsWith('1.')) await this.setUpOwnerIfNeeded();
		this.cookie = await this.login();
		this.apiKey = await this.createApiKey();
	}

	/** Waits until n8n answers and its database is ready, or throws with its log if it exits or times out. */
	async waitUntilReady(timeoutMs: number): Promise<void> {
		const deadline = Date.now() + timeoutMs;
		for (;;) {
			if (!this.process.isRunning()) {
				throw new Error(`n8n exited during start-up; last log lines:\n${tail(this.logs(), 60)}`);
			}
			// n8n answers /healthz before it has registered its REST routes (n8n 1.x), so wait for those too.
			if ((await this.answers('/healthz/readiness')) && (await this.answers('/rest/settings')))
				return;
			if (Date.now() > deadline) {
				throw new Error(
					`n8n was not ready within ${timeoutMs} ms; last log lines:\n${tail(this.logs(), 60)}`,
				);
			}
			await sleep(250);
		}
	}

	private async answers(urlPath: string): Promise<boolean> {
		try {
			const response = await fetch(`${this.url}${urlPath}`, { signal: AbortSignal.timeout(2000) });
			await response.arrayBuffer();
			return response.ok;
		} catch {
			return false;
		}
	}

	private async setUpOwnerIfNeeded(): Promise<void> {
		// n8n 1.x has no owner-from-environment; its first-run set-up endpoint does the same.
		const settings = await this.request<{
			data: { userManagement?: { showSetupOnFirstLoad?: boolean } };
		}>('GET', '/rest/settings');
		if (!settings.data.userManagement?.showSetupOnFirstLoad) return;
		const { email, password, firstName, lastName } = this.owner;
		await this.request(
			'POST',
			'/rest/owner/setup',
			{ email, password, firstName, lastName },
			{ 'browser-id': this.browserId },
		);
	}

	private async login(): Promise<string> {
		const response = await fetch(`${this.url}/rest/login`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'browser-id': this.browserId },
			body: JSON.stringify({ emailOrLdapLoginId: this.owner.email, password: this.owner.password }),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`n8n login failed: ${response.status} ${text.slice(0, 500)}`);
		const cookie = response.headers
			.getSetCookie()
			.map((header) => header.split(';')[0])
			.find((pair) => pair.startsWith('n8n-auth='));
		if (!cookie) throw new Error('n8n login returned no n8n-auth cookie');
		return cookie;
	}

	private async createApiKey(): Promise<string> {
		const scopes = await this.rest<string[]>('GET', '/api-keys/scopes');
		const created = await this.rest<{ rawApiKey: string }>('POST', '/api-keys', {
			label: `harness-${Date.now()}`,
			scopes,
			expiresAt: null,
		});
		return created.rawApiKey;
	}

	private sessionHeaders(): Record<string, string> {
		return { cookie: this.cookie, 'browser-id': this.browserId };
	}

	private async request<T>(
		method: string,
		urlPath: string,
		body?: unknown,
		headers: Record<string, string> = {},
	): Promise<T> {
		const response = await fetch(`${this.url}${urlPath}`, {
			method,
			headers: {
				accept: 'application/json',
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
				...headers,
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok)
			throw new Error(`n8n ${method} ${urlPath}: ${response.status} ${text.slice(0, 1000)}`);
		return (text ? JSON.parse(text) : undefined) as T;
	}
}

/** Starts n8n (installing it first if needed) and returns it logged in and ready. */
export async function startN8n(options: StartN8nOptions = {}): Promise<N8nInstance> {
	const version = options.version ?? versionFromEnv();
	const install = await ensureN8n(version);
	const ownsFolder = !options.userFolder;
	const userFolder =
		options.userFolder ?? fs.mkdtempSync(path.join(os.tmpdir(), `bls-n8n-${version}-`));
	fs.mkdirSync(path.join(userFolder, '.n8n'), { recursive: true });
	const packageDir = options.packageDir === undefined ? repoRoot() : options.packageDir;
	const packageReport = packageDir
		? installPackage(packageDir, userFolder)
		: { installed: false, nodes: [], credentials: [], missing: [] };

	const port = options.port ?? (await findFreePort());
	const owner = options.owner ?? DEFAULT_OWNER;
	const env = await n8nEnvironment({ install, userFolder, port, owner, extra: options.env ?? {} });
	const logFile = path.join(userFolder, 'n8n.log');
	const startedAt = Date.now();
	const child = spawnGroup(install.nodeBin, [install.n8nBin, 'start'], {
		cwd: userFolder,
		env,
		logFile,
	});
	const instance = new N8nInstance(
		install,
		port,
		userFolder,
		owner,
		packageReport,
		env,
		child,
		ownsFolder,
	);
	try {
		await instance.waitUntilReady(options.startTimeoutMs ?? 120_000);
		await instance.authenticate();
	} catch (error) {
		await instance.stop({ keepUserFolder: true });
		throw error;
	}
	if (process.env.BLS_N8N_VERBOSE === '1') {
		process.stdout.write(
			`[n8n] ${version} ready at ${instance.url} in ${Date.now() - startedAt} ms (${userFolder})\n`,
		);
	}
	return instance;
}

/** The n8n version chosen by env N8N_VERSION (default 2.41.1). */
export function versionFromEnv(): N8nVersion {
	const requested = process.env.N8N_VERSION || DEFAULT_N8N_VERSION;
	if (!isSupportedVersion(requested)) throw new Error(`N8N_VERSION=${requested} is not supported`);
	return requested;
}

/**
 * Places the package (package.json + dist/) in `$userFolder/.n8n/nodes/node_modules/<name>`, as
 * n8n's own community-package install does, so its nodes load as `n8n-nodes-bls-portal.<node>`.
 * A copy, not a symlink: n8n's loader must see an ordinary installed package. Entries of the
 * "n8n" section whose dist file is missing are left out, so a partial build still loads.
 */
export function installPackage(packageDir: string, userFolder: string): PackageInstallReport {
	const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	const name: string = manifest.name;
	const n8nSection = manifest.n8n ?? {};
	const exists = (file: string) => fs.existsSync(path.join(packageDir, file));
	const nodes: string[] = (n8nSection.nodes ?? []).filter(exists);
	const credentials: string[] = (n8nSection.credentials ?? []).filter(exists);
	const missing = [...(n8nSection.nodes ?? []), ...(n8nSection.credentials ?? [])].filter(
		(file: string) => !exists(file),
	);
	if (nodes.length === 0 && credentials.length === 0) {
		return { installed: false, nodes, credentials, missing };
	}

	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const target = path.join(nodesDir, 'node_modules', name);
	fs.rmSync(target, { recursive: true, force: true });
	fs.mkdirSync(target, { recursive: true });
	const installedManifest = { ...manifest, n8n: { ...n8nSection, nodes, credentials } };
	delete installedManifest.devDependencies;
	delete installedManifest.scripts;
	fs.writeFileSync(path.join(target, 'package.json'), JSON.stringify(installedManifest, null, 2));
	fs.cpSync(path.join(packageDir, 'dist'), path.join(target, 'dist'), { recursive: true });
	for (const file of [manifest.main, 'README.md', 'LICENSE', 'LICENSE.md']) {
		if (file && exists(file) && !fs.statSync(path.join(packageDir, file)).isDirectory()) {
			fs.copyFileSync(path.join(packageDir, file), path.join(target, file));
		}
	}
	// n8n lists its community packages from this package.json's dependencies.
	const nodesManifestPath = path.join(nodesDir, 'package.json');
	const nodesManifest = fs.existsSync(nodesManifestPath)
		? JSON.parse(fs.readFileSync(nodesManifestPath, 'utf8'))
		: { name: 'installed-nodes', private: true };
	nodesManifest.dependencies = { ...(nodesManifest.dependencies ?? {}), [name]: manifest.version };
	fs.writeFileSync(nodesManifestPath, JSON.stringify(nodesManifest, null, 2));
	return { installed: true, nodes, credentials, missing };
}

/** The environment the harness gives every n8n process (each call picks its own task-broker port). */
export async function n8nEnvironment(args: {
	install: N8nInstall;
	userFolder: string;
	port: number;
	owner: Owner;
	extra: Record<string, string>;
}): Promise<NodeJS.ProcessEnv> {
	const { install, userFolder, port, owner } = args;
	const url = `http://127.0.0.1:${port}`;
	const env: NodeJS.ProcessEnv = {};
	// Start from our environment minus n8n/npm settings that would make runs differ between machines.
	for (const [key, value] of Object.entries(process.env)) {
		if (!/^(N8N_|DB_|EXECUTIONS_|WEBHOOK_URL|GENERIC_TIMEZONE|NODE_ENV$|npm_)/i.test(key))
			env[key] = value;
	}
	const isV1 = install.version.startsWith('1.');
	Object.assign(env, {
		// As n8n's own Docker image; jest's NODE_ENV=test would silence n8n and stop it early.
		NODE_ENV: 'production',
		N8N_USER_FOLDER: userFolder,
		N8N_ENCRYPTION_KEY: encryptionKeyFor(userFolder),
		// Only on this machine, on ports of its own (the task broker's default 5679 would clash).
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PORT: String(port),
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: url,
		N8N_RUNNERS_BROKER_PORT: String(await findFreePort()),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_SECURE_COOKIE: 'false', // plain http on 127.0.0.1
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		// Nothing reaches the internet and nobody is asked anything.
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_DIAGNOSTICS_CONFIG_FRONTEND: '',
		N8N_DIAGNOSTICS_CONFIG_BACKEND: '',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_ONBOARDING_FLOW_DISABLED: 'true',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		// Keep every execution and its data so tests can read them back.
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
	});
	if (isV1) {
		env.WEBHOOK_URL = `${url}/`;
		// n8n 1.123's default engine (vm) needs isolated-vm 6.2, whose native build is skipped here
		// (install scripts off) and which ships no binary for Node 20: 1.x runs the legacy engine.
		// n8n 2.x keeps its default (vm, isolated-vm 7 ships a Node 24 binary).
		env.N8N_EXPRESSION_ENGINE = 'legacy';
		// 2.x's defaults, which 1.x recommends.
		env.N8N_RUNNERS_ENABLED = 'true';
		env.DB_SQLITE_POOL_SIZE = '2';
	} else {
		env.N8N_WEBHOOK_URL = `${url}/`;
		env.N8N_UNVERIFIED_PACKAGES_ENABLED = 'true'; // today's default, stated to silence its deprecation notice
		env.N8N_DISABLED_MODULES = 'mcp-registry'; // its only remaining outbound connection
		// The owner exists from the first start: no set-up screen, no UI needed.
		env.N8N_INSTANCE_OWNER_MANAGED_BY_ENV = 'true';
		env.N8N_INSTANCE_OWNER_EMAIL = owner.email;
		env.N8N_INSTANCE_OWNER_FIRST_NAME = owner.firstName;
		env.N8N_INSTANCE_OWNER_LAST_NAME = owner.lastName;
		env.N8N_INSTANCE_OWNER_PASSWORD_HASH = bcryptHash(install, owner.password);
	}
	Object.assign(env, args.extra);
	return env;
}

/** A random encryption key, kept in the user folder so later starts on it can read its credentials. */
function encryptionKeyFor(userFolder: string): string {
	const keyFile = path.join(userFolder, 'encryption-key');
	if (fs.existsSync(keyFile)) return fs.readFileSync(keyFile, 'utf8').trim();
	const key = crypto.randomBytes(24).toString('base64url');
	fs.writeFileSync(keyFile, key, { mode: 0o600 });
	return key;
}

/** bcrypt, from n8n's own dependencies (not one of ours). */
function bcryptHash(install: N8nInstall, password: string): string {
	const requireFromN8n = createRequire(
		path.join(install.installDir, 'node_modules', 'n8n', 'package.json'),
	);
	const bcrypt = requireFromN8n('bcryptjs') as {
		hashSync(password: string, rounds: number): string;
	};
	return bcrypt.hashSync(password, 10);
}

/**
 * `n8n execute --rawOutput` prints the run as pretty JSON (`{` ... `}` on lines of their own),
 * possibly among log lines.
 */
export function parseExecuteOutput(
	output: string,
): { data: RunExecutionData; [key: string]: unknown } | undefined {
	const lines = output.split('\n');
	for (let start = 0; start < lines.length; start++) {
		if (lines[start].trimEnd() !== '{') continue;
		for (let end = start + 1; end < lines.length; end++) {
			if (lines[end].trimEnd() !== '}') continue;
			try {
				const parsed = JSON.parse(lines.slice(start, end + 1).join('\n'));
				if (parsed && typeof parsed === 'object' && parsed.data?.resultData) return parsed;
			} catch {
				// not this closing brace
			}
			break;
		}
	}
	return undefined;
}

function tail(text: string, lines: number): string {
	return text.split('\n').slice(-lines).join('\n');
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

export { PACKAGE_NAME };
