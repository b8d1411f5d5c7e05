/**
 * `npm start`: real n8n with this package installed, talking to the local BLS Portal sandbox.
 *
 * Installs n8n 2.41.1 on first use (into a cache outside the clone), starts the sandbox and n8n,
 * sets up a "BLS Sandbox (demo)" credential and imports every workflow in examples/. Nothing
 * reaches the internet. Ctrl-C stops everything.
 *
 * Environment:
 *   N8N_PORT               port for n8n (default 5678, or a free one if taken)
 *   BLS_N8N_USER_FOLDER    keep n8n's data (workflows you build) in this folder across runs;
 *                          by default a temporary folder is used and removed on exit
 *   N8N_VERSION            n8n version (default 2.41.1)
 */
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';

import { startSandbox } from '../sandbox';
import { ensureN8n, repoRoot } from './n8n/install';
import { CreatedCredential, N8nInstance, startN8n, versionFromEnv } from './n8n/instance';
import { CREDENTIAL_TYPE, withCredential, WorkflowJson } from './n8n/workflows';

const CREDENTIAL_NAME = 'BLS Sandbox (demo)';
const PREFERRED_PORT = 5678;

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

async function main(): Promise<void> {
	let sandbox: Sandbox | undefined;
	let n8n: N8nInstance | undefined;
	let stopping = false;
	const shutDown = async (exitCode: number) => {
		if (stopping) {
			process.stdout.write('\nForcing exit.\n');
			process.exit(exitCode); // the process harness kills n8n's process group on exit
		}
		stopping = true;
		process.stdout.write('\nStopping n8n and the sandbox...\n');
		await n8n?.stop().catch(() => undefined);
		await sandbox?.stop().catch(() => undefined);
		process.exit(exitCode);
	};
	// Installed before anything starts, so Ctrl-C during start-up also cleans up.
	process.on('SIGINT', () => void shutDown(0));
	process.on('SIGTERM', () => void shutDown(0));

	try {
		const version = versionFromEnv();
		log(`Preparing n8n ${version} (installed once into the cache; the first run takes several minutes)...`);
		await ensureN8n(version);

		log('Starting the BLS Portal sandbox...');
		// Its usual port (8787) if free, so the credential's base URL stays the same across runs.
		const sandboxStarted = await startSandbox().catch((error: NodeJS.ErrnoException) =>
			error.code === 'EADDRINUSE' ? startSandbox({ port: 0 }) : Promise.reject(error),
		);
		sandbox = sandboxStarted;
		const account = sandboxStarted.accounts[0];
		if (!account) throw new Error('The sandbox has no demo account');

		const userFolder = process.env.BLS_N8N_USER_FOLDER ? path.resolve(process.env.BLS_N8N_USER_FOLDER) : undefined;
		if (userFolder) fs.mkdirSync(userFolder, { recursive: true });
		const port = process.env.N8N_PORT ? Number(process.env.N8N_PORT) : (await isPortFree(PREFERRED_PORT)) ? PREFERRED_PORT : undefined;
		log(`Starting n8n ${version}...`);
		const started = Date.now();
		n8n = await startN8n({ version, port, userFolder });
		log(`n8n is ready (${((Date.now() - started) / 1000).toFixed(1)} s).`);
		if (n8n.packageReport.missing.length > 0) {
			log(`Warning: not built yet, so not loaded: ${n8n.packageReport.missing.join(', ')}`);
		}

		const credential = await upsertSandboxCredential(n8n, {
			clientId: account.hbClientId,
			apiKey: account.apiKey,
			baseUrl: sandboxStarted.apiUrl,
		});
		const imported = await importExamples(n8n, credential);

		const owner = n8n.owner;
		process.stdout.write(
			[
				'',
				'  n8n with the BLS Portal nodes is running against the local sandbox.',
				'',
				`  Open            ${n8n.url}`,
				`  n8n login       ${owner.email}  /  ${owner.password}`,
				'',
				`  Sandbox API     ${sandboxStarted.apiUrl}`,
				`  Demo account    ${account.name}`,
				`    Client ID     ${account.hbClientId}`,
				`    API Key       ${account.apiKey}`,
				`  Credential      "${credential.name}" is set up in n8n with these`,
				`  Examples        ${imported.length ? imported.join(', ') : 'none in examples/'}`,
				'',
				`  n8n data        ${userFolder ?? `${n8n.userFolder} (temporary: set BLS_N8N_USER_FOLDER to keep your workflows)`}`,
				`  n8n log         ${n8n.logFile}`,
				'',
				'  Press Ctrl-C to stop.',
				'',
			].join('\n'),
		);

		// If n8n dies on its own, say so and stop the rest.
		const exitCode = await n8n.exited;
		if (!stopping) {
			log(`n8n exited unexpectedly (code ${exitCode}); last log lines:\n${n8n.logs().split('\n').slice(-30).join('\n')}`);
			await shutDown(1);
		}
	} catch (error) {
		process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
		await shutDown(1);
	}
}

/** Creates the sandbox credential, or (in a kept user folder) points the existing one at this sandbox. */
async function upsertSandboxCredential(
	n8n: N8nInstance,
	data: { clientId: string; apiKey: string; baseUrl: string },
): Promise<CreatedCredential> {
	const existing = await n8n
		.publicApi<{ data: CreatedCredential[] }>('GET', '/credentials?limit=250')
		.then((page) => page.data.find((credential) => credential.name === CREDENTIAL_NAME && credential.type === CREDENTIAL_TYPE))
		.catch(() => undefined);
	if (existing) {
		// Replacing the data also drops tokens the node stored for an earlier sandbox.
		await n8n.publicApi('PATCH', `/credentials/${existing.id}`, { name: CREDENTIAL_NAME, type: CREDENTIAL_TYPE, data });
		return existing;
	}
	return n8n.createCredential({ name: CREDENTIAL_NAME, type: CREDENTIAL_TYPE, data });
}

/** Imports examples/*.json (skipping names already present), wired to the sandbox credential. */
async function importExamples(n8n: N8nInstance, credential: CreatedCredential): Promise<string[]> {
	const examplesDir = path.join(repoRoot(), 'examples');
	const files = fs.existsSync(examplesDir) ? fs.readdirSync(examplesDir).filter((file) => file.endsWith('.json')).sort() : [];
	if (files.length === 0) return [];
	const present = new Set(
		(await n8n.publicApi<{ data: Array<{ name: string }> }>('GET', '/workflows?limit=250')).data.map((workflow) => workflow.name),
	);
	const imported: string[] = [];
	for (const file of files) {
		try {
			const workflow = JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8')) as WorkflowJson;
			if (!present.has(workflow.name)) await n8n.importWorkflow(withCredential(workflow, credential));
			imported.push(workflow.name);
		} catch (error) {
			log(`Warning: could not import examples/${file}: ${error instanceof Error ? error.message : String(error)}`);
		}
	}
	return imported;
}

function isPortFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

function log(message: string): void {
	process.stdout.write(`${message}\n`);
}

void main();
