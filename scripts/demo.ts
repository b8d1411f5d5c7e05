/**
 * What `npm start` brings up, as a function the browser suite reuses: the BLS Portal sandbox, a
 * local mail catcher and real n8n with this package, a "BLS Sandbox (demo)" credential, a
 * "Mail catcher (demo)" SMTP credential and every workflow in examples/ imported, wired to them,
 * ready to run as imported.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { startSandbox, type SandboxOptions } from '../sandbox';
import { ensureN8n, repoRoot } from './n8n/install';
import { CreatedCredential, N8nInstance, startN8n } from './n8n/instance';
import type { N8nVersion } from './n8n/install';
import { CREDENTIAL_TYPE, withCredential, WorkflowJson } from './n8n/workflows';
import { startSmtpSink, type ReceivedMessage, type SmtpSink } from './smtpSink';

export const DEMO_CREDENTIAL_NAME = 'BLS Sandbox (demo)';
export const MAIL_CREDENTIAL_NAME = 'Mail catcher (demo)';
const SMTP_CREDENTIAL_TYPE = 'smtp';
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
	/**
	 * Work n8n needs done before it starts, run alongside the install and the sandbox (npm start:
	 * building the package into dist/).
	 */
	beforeN8n?: Promise<unknown>;
	/** Called with each email the mail catcher receives (after it is saved). */
	onMail?: (mail: CaughtMail) => void;
}

/** An email the examples sent, caught instead of delivered, and where it was saved. */
export interface CaughtMail {
	message: ReceivedMessage;
	/** The message as an .eml file (opens in any mail program). */
	file: string;
}

export interface Demo {
	n8n: N8nInstance;
	sandbox: Sandbox;
	account: Sandbox['accounts'][number];
	credential: CreatedCredential;
	/** The SMTP server the examples send email to: it keeps each message as an .eml file in `folder`. */
	mail: {
		host: string;
		port: number;
		folder: string;
		credential: CreatedCredential;
		caught: CaughtMail[];
	};
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
	const mailFolder = path.join(filesFolder, 'mail');
	const caught: CaughtMail[] = [];
	const mailCatcherStarted = startSmtpSink((message) => {
		const mail = { message, file: saveMail(mailFolder, message) };
		caught.push(mail);
		options.onMail?.(mail);
	});
	let sandbox: Sandbox | undefined;
	let mailCatcher: SmtpSink | undefined;
	let n8n: N8nInstance | undefined;
	const stop = async () => {
		await n8n?.stop().catch(() => undefined);
		await sandbox?.stop().catch(() => undefined);
		await mailCatcher?.stop().catch(() => undefined);
	};
	try {
		mailCatcher = await mailCatcherStarted;
		const [installSeconds, sandboxResult] = await Promise.all([
			installing,
			sandboxStarted,
			options.beforeN8n,
		]);
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
		const credential = await upsertCredential(n8n, {
			name: DEMO_CREDENTIAL_NAME,
			type: CREDENTIAL_TYPE,
			data: { clientId: account.hbClientId, apiKey: account.apiKey, baseUrl: sandbox.apiUrl },
		});
		const mailCredential = await upsertCredential(n8n, {
			name: MAIL_CREDENTIAL_NAME,
			type: SMTP_CREDENTIAL_TYPE,
			data: {
				host: mailCatcher.host,
				port: mailCatcher.port,
				secure: false,
				disableStartTls: true,
				user: '',
				password: '',
			},
		});
		const examples = await importExamples(n8n, credential, mailCredential, filesFolder);
		return {
			n8n,
			sandbox,
			account,
			credential,
			mail: {
				host: mailCatcher.host,
				port: mailCatcher.port,
				folder: mailFolder,
				credential: mailCredential,
				caught,
			},
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
		mailCatcher ??= await mailCatcherStarted.catch(() => undefined);
		await stop();
		throw error;
	}
}

/**
 * Creates a demo credential, or (in a kept user folder) points the existing one at this run's
 * sandbox or mail catcher, keeping its id so the imported examples still use it.
 */
async function upsertCredential(
	n8n: N8nInstance,
	wanted: { name: string; type: string; data: Record<string, unknown> },
): Promise<CreatedCredential> {
	// n8n 1.x's public API cannot list credentials (the editor's endpoint can, in both majors).
	const existing = await n8n
		.rest<CreatedCredential[]>('GET', '/credentials')
		.then((list) =>
			list.find((credential) => credential.name === wanted.name && credential.type === wanted.type),
		);
	if (existing) {
		// Replacing the data also drops tokens the node stored for an earlier sandbox.
		await n8n.updateCredential(existing.id, wanted);
		return { id: existing.id, name: existing.name, type: existing.type };
	}
	return n8n.createCredential(wanted);
}

/** Imports examples/*.json (skipping names already present), wired to the sandbox credential; throws if one fails. */
async function importExamples(
	n8n: N8nInstance,
	credential: CreatedCredential,
	mailCredential: CreatedCredential,
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
				await n8n.importWorkflow(
					withFilesIn(
						withMailCredential(withCredential(workflow, credential), mailCredential),
						filesFolder,
					),
				);
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

/** Points the nodes that send email at the mail catcher's credential. */
function withMailCredential(
	workflow: WorkflowJson,
	mailCredential: CreatedCredential,
): WorkflowJson {
	return {
		...workflow,
		nodes: workflow.nodes.map((node) =>
			node.credentials?.[SMTP_CREDENTIAL_TYPE]
				? {
						...node,
						credentials: {
							...node.credentials,
							[SMTP_CREDENTIAL_TYPE]: { id: mailCredential.id, name: mailCredential.name },
						},
					}
				: node,
		),
	};
}

/** Saves a caught email as `<time>-<recipient>.eml` in `folder`; returns the file's path. */
function saveMail(folder: string, message: ReceivedMessage): string {
	fs.mkdirSync(folder, { recursive: true });
	const stamp = new Date().toISOString().replace(/[:.]/g, '-');
	const recipient = (message.to[0] ?? 'unknown').replace(/[^a-z0-9@._-]+/gi, '_');
	const file = path.join(folder, `${stamp}-${recipient}.eml`);
	fs.writeFileSync(file, message.raw, 'latin1');
	return file;
}
