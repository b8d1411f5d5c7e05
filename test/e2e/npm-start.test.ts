/**
 * `npm start` (build/scripts/start.js, compiled by `npm run test:e2e`): n8n comes up with the
 * sandbox and mail-catcher credentials and every example workflow of examples/ imported, the
 * printed login works, and Ctrl-C stops everything.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { repoRoot } from '../../scripts/n8n/install';
import { versionFromEnv } from '../../scripts/n8n/instance';

const startScript = path.join(repoRoot(), 'build', 'scripts', 'start.js');
let child: ChildProcess | undefined;

afterAll(() => {
	if (child?.exitCode === null) child.kill('SIGKILL');
});

it(`npm start serves n8n ${versionFromEnv()} with the sandbox credential and stops on Ctrl-C`, async () => {
	expect(fs.existsSync(startScript)).toBe(true);
	const started = spawn(process.execPath, [startScript], {
		cwd: repoRoot(),
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	child = started;
	let output = '';
	started.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	const exited = new Promise<number | null>((resolve) =>
		started.on('exit', (code) => resolve(code)),
	);

	await waitFor(
		() => output.includes('Press Ctrl-C to stop.') || started.exitCode !== null,
		180_000,
	);
	expect(output).toContain('Press Ctrl-C to stop.');

	const url = /Open\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
	const login = /n8n login\s+(\S+)\s+\/\s+(\S+)/.exec(output);
	expect(url).toBeDefined();
	expect(login).not.toBeNull();
	expect(output).toMatch(/Client ID\s+\S+/);
	expect(output).toMatch(/API Key\s+\S+/);

	// The printed owner login works, and the sandbox credential is there.
	const browserId = 'npm-start-test';
	const response = await fetch(`${url}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'browser-id': browserId },
		body: JSON.stringify({ emailOrLdapLoginId: login![1], password: login![2] }),
	});
	expect(response.status).toBe(200);
	const cookie = response.headers
		.getSetCookie()
		.map((header) => header.split(';')[0])
		.join('; ');
	const credentials = await fetch(`${url}/rest/credentials`, {
		headers: { cookie, 'browser-id': browserId },
	});
	const list = (await credentials.json()) as { data: Array<{ name: string; type: string }> };
	expect(list.data).toEqual(
		expect.arrayContaining([
			expect.objectContaining({ name: 'BLS Sandbox (demo)', type: 'blsPortalApi' }),
			expect.objectContaining({ name: 'Mail catcher (demo)', type: 'smtp' }),
		]),
	);

	// Every example is there, by the name in its file (a failed import stops npm start instead).
	const examplesDir = path.join(repoRoot(), 'examples');
	const exampleNames = fs
		.readdirSync(examplesDir)
		.filter((file) => file.endsWith('.json'))
		.map(
			(file) =>
				(JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8')) as { name: string })
					.name,
		)
		.sort();
	expect(exampleNames).toHaveLength(3);
	const workflows = await fetch(`${url}/rest/workflows`, {
		headers: { cookie, 'browser-id': browserId },
	});
	const stored = (await workflows.json()) as { data: Array<{ name: string }> };
	expect(stored.data.map((workflow) => workflow.name).sort()).toEqual(exampleNames);
	expect(output).not.toMatch(/could not import/i);

	started.kill('SIGINT');
	expect(await exited).toBe(0);
	await expect(fetch(`${url}/healthz`)).rejects.toThrow();
}, 300_000);

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition() && Date.now() < deadline)
		await new Promise((resolve) => setTimeout(resolve, 200));
}
