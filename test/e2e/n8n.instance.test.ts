/**
 * The harness itself, against real n8n (N8N_VERSION, default 2.41.1): n8n starts headless with
 * this package loaded as a community package, credentials and workflows can be created, a
 * manual workflow runs and its output is read back, a webhook workflow is activated and its
 * executions are read back, and stopping leaves nothing behind.
 */
import * as fs from 'fs';
import * as path from 'path';

import { repoRoot } from '../../scripts/n8n/install';
import { versionFromEnv } from '../../scripts/n8n/instance';
import {
	chainWorkflow,
	createSandboxCredential,
	nodeOutput,
	NODE_TYPES,
	setNode,
	useN8n,
	useSandbox,
} from './helpers';

const version = versionFromEnv();
const n8n = useN8n({ version });
const sandbox = useSandbox();

describe(`real n8n ${version}`, () => {
	it('serves the editor on 127.0.0.1', async () => {
		expect(n8n().version).toBe(version);
		expect(n8n().url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		const response = await fetch(n8n().url);
		expect(response.status).toBe(200);
		expect(await response.text()).toContain('<html');
	});

	it('loads this package as a community package: n8n-nodes-bls-portal.<node>', async () => {
		const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8'));
		// npm run test:e2e builds first, so every node and credential of the package must be there.
		expect(n8n().packageReport.missing).toEqual([]);
		expect(n8n().packageReport.nodes).toEqual(manifest.n8n.nodes);

		const nodeTypes = await n8n().nodeTypeNames();
		expect(nodeTypes).toEqual(
			expect.arrayContaining([NODE_TYPES.blsPortal, NODE_TYPES.blsPortalTrigger]),
		);
		expect(nodeTypes.filter((type) => type.startsWith('CUSTOM.'))).toEqual([]);
		expect(await n8n().credentialTypeNames()).toContain('blsPortalApi');
	});

	it('creates a BLS Portal API credential for the sandbox', async () => {
		const credential = await createSandboxCredential(n8n(), sandbox());
		expect(credential).toEqual({
			id: expect.any(String),
			name: 'BLS Sandbox #1',
			type: 'blsPortalApi',
		});
	});

	it('runs a manual workflow once and reads its output', async () => {
		const workflow = await n8n().importWorkflow(
			chainWorkflow('harness: manual run', [
				setNode('Numbers', { a: 2, b: 3 }),
				setNode('Sum', {
					sum: '={{ $json.a + $json.b }}',
					label: '=sum of {{ $json.a }} and {{ $json.b }}',
				}),
			]),
		);
		const run = await n8n().runWorkflow(workflow.id);

		expect(run.error).toBeUndefined();
		expect(run.output('Numbers')).toEqual([{ a: 2, b: 3 }]);
		expect(run.output()).toEqual([{ sum: '5', label: 'sum of 2 and 3' }]);
		// The run is also stored as an execution.
		const [execution] = await n8n().waitForExecutions(1, {
			workflowId: workflow.id,
			includeData: true,
		});
		expect(execution.status).toBe('success');
		expect(nodeOutput(execution.data!, 'Sum')).toEqual(run.output('Sum'));
	});

	it('reports a failing workflow', async () => {
		const workflow = await n8n().importWorkflow(
			chainWorkflow('harness: failing run', [
				{
					name: 'Fail',
					type: 'n8n-nodes-base.stopAndError',
					typeVersion: 1,
					parameters: { errorMessage: 'deliberate failure' },
				},
			]),
		);
		const run = await n8n().runWorkflow(workflow.id);
		expect(run.exitCode).not.toBe(0);
		expect(run.error?.message).toContain('deliberate failure');
	});

	it('activates a webhook workflow, records its executions and deactivates it', async () => {
		const workflow = await n8n().importWorkflow(
			chainWorkflow('harness: webhook', [setNode('Echo', { received: '={{ $json.body.n }}' })], {
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				webhookId: 'c0ffee00-0000-4000-8000-000000000001',
				parameters: { path: 'harness-echo', httpMethod: 'POST', responseMode: 'onReceived' },
			}),
		);
		await n8n().activate(workflow.id);
		expect((await n8n().getWorkflow(workflow.id)).active).toBe(true);

		for (const n of [1, 2]) {
			const response = await postWhenRegistered(n8n().webhookUrl('harness-echo'), { n });
			expect(response.status).toBe(200);
		}
		const executions = await n8n().waitForExecutions(2, {
			workflowId: workflow.id,
			includeData: true,
		});
		expect(executions.map((execution) => execution.mode)).toEqual(['webhook', 'webhook']);
		expect(executions.flatMap((execution) => nodeOutput(execution.data!, 'Echo'))).toEqual(
			expect.arrayContaining([{ received: '1' }, { received: '2' }]),
		);

		await n8n().deactivate(workflow.id);
		// Deactivation removes the webhook asynchronously too.
		expect(await statusOnceSettled(n8n().webhookUrl('harness-echo'), 404)).toBe(404);
	});

	it('stops, leaving no process and no open port behind', async () => {
		const instance = n8n();
		await instance.stop();
		expect(instance.isRunning()).toBe(false);
		await expect(fetch(`${instance.url}/healthz`)).rejects.toThrow();
		expect(fs.existsSync(instance.userFolder)).toBe(false);
	});
});

/** POSTs until n8n answers `expected` (or 10 s pass); returns the last status. */
async function statusOnceSettled(url: string, expected: number): Promise<number> {
	const deadline = Date.now() + 10_000;
	for (;;) {
		const response = await fetch(url, { method: 'POST' });
		await response.arrayBuffer();
		if (response.status === expected || Date.now() > deadline) return response.status;
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/** Activation registers webhooks asynchronously (a fraction of a second); retry while n8n answers 404. */
async function postWhenRegistered(url: string, body: unknown): Promise<Response> {
	const deadline = Date.now() + 10_000;
	for (;;) {
		const response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		if (response.status !== 404 || Date.now() > deadline) return response;
		await response.arrayBuffer();
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}
