/**
 * What `npm start` brings up, as a function the browser suite reuses: the BLS Portal sandbox and
 * real n8n with this package, a "BLS Sandbox (demo)" credential and every workflow in examples/
 * imported, wired to it, ready to run as imported.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { startSandbox, type SandboxOptions } from '../sandbox';
import { ensureN8n, repoRoot } from './n8n/install';
import { CreatedCredential, N8nInstance, startN8n } from './n8n/instance';
import type { N8nVersion } from './n8n/install';
import { CREDENTIAL_TYPE, withCredential, WorkflowJson } from './n8n/workflows';

export const DEMO_CREDENTIAL_NAME = 'BLS Sandbox (demo)';
/** Where the examples write files in n8n's Docker image (n8n 2.x's allowed folder there). */
export const DOCKER_FILES_FOLDER = '/home/node/.n8n-files';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

export interface DemoOptions {
	version: N8nVersion;
	/** n8n's port (default: a free one). */
	port?: number;
	/** Sandbox settings (default: its usual port 8787 if free, else a free one; the documented rate limit). */
	sandbox?: SandboxOptions;
	/** Keep n8n's data here (default: a temporary folder removed on stop). */
	userFolder?: string;
	/**
	 * The folder n8n may write files to; the examples' file paths are pointed into it. Default
	 * `~/.n8n-files` (n8n 2.x's default allowed folder); any other is passed to n8n as
	 * N8N_RESTRICT_FILE_ACCESS_TO. Created if missing (n8n refuses to write into a missing one).
	 */
	filesFolder?: string;
	/** Extra environment for n8n. */
	env?: Record<string, string>;
	/** Progress lines. */
	log?: (message: string) => void;
}

export interface Demo {
	n8n: N8nInstance;
	sandbox: Sandbox;
	account: Sandbox['accounts'][number];
	credential: CreatedCredential;
	/** Names of the example workflows present in n8n. */
	examples: string[];
	filesFolder: string;
	/** Seconds each phase took: install check/installation, sandbox, n8n start, set-up. */
	timings: Record<'install' | 'sandbox' | 'n8n' | 'setUp', number>;
	stop(): Promise<void>;
}

/**
 * Starts the sandbox and n8n and sets up the credential and examples. The sandbox starts while
 * n8n installs (the first run), so the install is the only wait. On failure everything started
 * is stopped again.
 */
export async function startDemo(options: DemoOptions): Promise<Demo> {
	const log = options.log ?? (() => undefined);
	const defaultFilesFolder = path.join(os.homedir(), '.n8n-files');
	const filesFolder = path.resolve(options.filesFolder ?? defaultFilesFolder);
	fs.mkdirSync(filesFolder, { recursive: true });
	const started = Date.now();
	const seconds = (since: number) => Math.round((Date.now() - since) / 100) / 10;

	const installing = ensureN8n(options.version).then(() => seconds(started));
	const sandboxStarted = startSandbox(options.sandbox ?? {})
		.catch((error: NodeJS.ErrnoException) =>
			// Its usual port (8787) if free, so the credential's base URL stays the same across runs.
			error.code === 'EADDRINUSE'
				? startSandbox({ ...options.sandbox, port: 0 })
				: Promise.reject(error),
		)
		.then((sandbox) => ({ sandbox, at: seconds(started) }));
	let sandbox: Sandbox | undefined;
	let n8n: N8nInstance | undefined;
	const stop = async () => {
		await n8n?.stop().catch(() => undefined);
		await sandbox?.stop().catch(() => undefined);
	};
	try {
		const [installSeconds, sandboxResult] = await Promise.all([installing, sandboxStarted]);
		sandbox = sandboxResult.sandbox;
		const account = sandbox.accounts[0];
		if (!account) throw new Error('The sandbox has no demo account');

		if (options.userFolder) fs.mkdirSync(options.userFolder, { recursive: true });
		log(`Starting n8n ${options.version}...`);
		const n8nStarted = Date.now();
		const env = {
			...(filesFolder === defaultFilesFolder ? {} : { N8N_RESTRICT_FILE_ACCESS_TO: filesFolder }),
			...options.env,
		};
		n8n = await startN8n({
			version: options.version,
			port: options.port,
			userFolder: options.userFolder,
			env,
		});
		const n8nSeconds = seconds(n8nStarted);
		log(`n8n is ready (${n8nSeconds.toFixed(1)} s).`);
		if (n8n.packageReport.missing.length > 0) {
			log(`Warning: not built yet, so not loaded: ${n8n.packageReport.missing.join(', ')}`);
		}

		const setUpStarted = Date.now();
		const credential = await upsertSandboxCredential(n8n, {
			clientId: account.hbClientId,
			apiKey: account.apiKey,
			baseUrl: sandbox.apiUrl,
		});
		const examples = await importExamples(n8n, credential, filesFolder);
		return {
			n8n,
			sandbox,
			account,
			credential,
			examples,
			filesFolder,
			timings: {
				install: installSeconds,
				sandbox: sandboxResult.at,
				n8n: n8nSeconds,
				setUp: seconds(setUpStarted),
			},
			stop,
		};
	} catch (error) {
		if (!sandbox)
			sandbox = await sandboxStarted.then((result) => result.sandbox).catch(() => undefined);
		await stop();
		throw error;
	}
}

/** Creates the sandbox credential, or (in a kept user folder) points the existing one at this sandbox. */
async function upsertSandboxCredential(
	n8n: N8nInstance,
	data: { clientId: string; apiKey: string; baseUrl: string },
): Promise<CreatedCredential> {
	const existing = await n8n
		.publicApi<{ data: CreatedCredential[] }>('GET', '/credentials?limit=250')
		.then((page) =>
			page.data.find(
				(credential) =>
					credential.name === DEMO_CREDENTIAL_NAME && credential.type === CREDENTIAL_TYPE,
			),
		)
		.catch(() => undefined);
	if (existing) {
		// Replacing the data also drops tokens the node stored for an earlier sandbox.
		await n8n.publicApi('PATCH', `/credentials/${existing.id}`, {
			name: DEMO_CREDENTIAL_NAME,
			type: CREDENTIAL_TYPE,
			data,
		});
		return existing;
	}
	return n8n.createCredential({ name: DEMO_CREDENTIAL_NAME, type: CREDENTIAL_TYPE, data });
}

/** Imports examples/*.json (skipping names already present), wired to the sandbox credential; throws if one fails. */
async function importExamples(
	n8n: N8nInstance,
	credential: CreatedCredential,
	filesFolder: string,
): Promise<string[]> {
	const examplesDir = path.join(repoRoot(), 'examples');
	const files = fs.existsSync(examplesDir)
		? fs
				.readdirSync(examplesDir)
				.filter((file) => file.endsWith('.json'))
				.sort()
		: [];
	if (files.length === 0) return [];
	const present = new Set(
		(
			await n8n.publicApi<{ data: Array<{ name: string }> }>('GET', '/workflows?limit=250')
		).data.map((workflow) => workflow.name),
	);
	const imported: string[] = [];
	for (const file of files) {
		try {
			const workflow = JSON.parse(
				fs.readFileSync(path.join(examplesDir, file), 'utf8'),
			) as WorkflowJson;
			if (!present.has(workflow.name)) {
				await n8n.importWorkflow(withFilesIn(withCredential(workflow, credential), filesFolder));
			}
			imported.push(workflow.name);
		} catch (error) {
			// The README promises the examples: a broken one stops the start (and fails its test).
			throw new Error(
				`Could not import examples/${file}: ${error instanceof Error ? error.message : String(error)}`,
			);
		}
	}
	return imported;
}

/** Points file paths in the Docker image's files folder at `filesFolder`. */
export function withFilesIn(workflow: WorkflowJson, filesFolder: string): WorkflowJson {
	const prefix = `${DOCKER_FILES_FOLDER}/`;
	return {
		...workflow,
		nodes: workflow.nodes.map((node) => {
			const fileName = node.parameters.fileName;
			if (typeof fileName !== 'string' || !fileName.startsWith(prefix)) return node;
			return {
				...node,
				parameters: {
					...node.parameters,
					fileName: path.join(filesFolder, fileName.slice(prefix.length)),
				},
			};
		}),
	};
}
