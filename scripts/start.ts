/**
 * `npm start`: real n8n with this package installed, talking to the local BLS Portal sandbox.
 * (package.json builds these tools first; this script builds the package itself, alongside.)
 *
 * Installs n8n 2.41.1 on first use (into a cache outside the clone) while the sandbox starts,
 * starts n8n, sets up a "BLS Sandbox (demo)" credential and a "Mail catcher (demo)" SMTP credential
 * and imports every workflow in examples/ (scripts/demo.ts), creating ~/.n8n-files for the sync
 * example's file. Email the examples send is caught locally and saved in ~/.n8n-files/mail/.
 * Nothing reaches the internet. Ctrl-C stops everything.
 *
 * Environment:
 *   N8N_PORT               port for n8n (default 5678, or a free one if taken)
 *   BLS_N8N_USER_FOLDER    keep n8n's data (workflows you build) in this folder across runs;
 *                          by default a temporary folder is used and removed on exit
 *   N8N_VERSION            n8n version (default 2.41.1)
 */
import { spawn } from 'child_process';
import * as net from 'net';
import * as path from 'path';

import { Demo, startDemo } from './demo';
import { repoRoot } from './n8n/install';
import { versionFromEnv } from './n8n/instance';

const PREFERRED_PORT = 5678;

async function main(): Promise<void> {
	let demo: Demo | undefined;
	let stopping = false;
	const shutDown = async (exitCode: number) => {
		if (stopping) {
			process.stdout.write('\nForcing exit.\n');
			process.exit(exitCode); // the process harness kills n8n's process group on exit
		}
		stopping = true;
		process.stdout.write('\nStopping n8n and the sandbox...\n');
		await demo?.stop();
		process.exit(exitCode);
	};
	// Installed before anything starts, so Ctrl-C during start-up also cleans up.
	process.on('SIGINT', () => void shutDown(0));
	process.on('SIGTERM', () => void shutDown(0));

	try {
		const version = versionFromEnv();
		log(
			`Preparing n8n ${version} (installed once into the cache; the first run takes several minutes) and the BLS Portal sandbox...`,
		);
		const userFolder = process.env.BLS_N8N_USER_FOLDER
			? path.resolve(process.env.BLS_N8N_USER_FOLDER)
			: undefined;
		const port = process.env.N8N_PORT
			? Number(process.env.N8N_PORT)
			: (await isPortFree(PREFERRED_PORT))
				? PREFERRED_PORT
				: undefined;
		demo = await startDemo({
			version,
			port,
			userFolder,
			log,
			// The package is built while n8n installs (the first run) and the sandbox starts.
			beforeN8n: buildPackage(),
			onMail: ({ message, file }) =>
				log(
					`Email to ${message.to.join(', ')}: "${message.headers.subject ?? ''}"` +
						` (${message.attachments.length} attachment(s)), saved as ${file}`,
				),
		});
		if (stopping) return;
		const { n8n, sandbox, account, credential, mail, examples, filesFolder } = demo;

		const owner = n8n.owner;
		process.stdout.write(
			[
				'',
				'  n8n with the BLS Portal nodes is running against the local sandbox.',
				'',
				`  Open            ${n8n.url}`,
				`  n8n login       ${owner.email}  /  ${owner.password}`,
				'',
				`  Sandbox API     ${sandbox.apiUrl}`,
				`  Demo account    ${account.name}`,
				`    Client ID     ${account.hbClientId}`,
				`    API Key       ${account.apiKey}`,
				`  Credential      "${credential.name}" is set up in n8n with these`,
				`  Sandbox control ${sandbox.controlUrl} (e.g. make a certificate available:`,
				`                  curl -X POST ${sandbox.controlUrl}/bookings/2/equipment \\`,
				`                    -H 'Content-Type: application/json' -d '{"status": "in"}')`,
				`  Mail catcher    ${mail.host}:${mail.port}, credential "${mail.credential.name}";`,
				`                  the examples' email is saved in ${mail.folder}, nothing is sent`,
				`  Examples        ${examples.length ? examples.join(', ') : 'none in examples/'}`,
				`  Files           ${filesFolder} (where the examples write)`,
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
			log(
				`n8n exited unexpectedly (code ${exitCode}); last log lines:\n${n8n.logs().split('\n').slice(-30).join('\n')}`,
			);
			await shutDown(1);
		}
	} catch (error) {
		process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
		await shutDown(1);
	}
}

/** `npm run build`: the package into dist/, which n8n loads. */
function buildPackage(): Promise<void> {
	return new Promise((resolve, reject) => {
		const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
		const child = spawn(npm, ['run', '-s', 'build'], { cwd: repoRoot(), stdio: 'inherit' });
		child.on('error', reject);
		child.on('exit', (code) =>
			code === 0 ? resolve() : reject(new Error(`npm run build failed (exit ${code})`)),
		);
	});
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
