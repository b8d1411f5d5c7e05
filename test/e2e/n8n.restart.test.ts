/**
 * The harness can crash n8n and start it again on the same data, as the resilience suite needs:
 * active workflows come back, earlier executions are still there.
 */
import * as fs from 'fs';

import { N8nInstance, startN8n, versionFromEnv } from '../../scripts/n8n/instance';
import { chainWorkflow, setNode } from './helpers';

const version = versionFromEnv();
let first: N8nInstance | undefined;
let second: N8nInstance | undefined;

afterAll(async () => {
	await first?.stop();
	await second?.stop();
	if (first) fs.rmSync(first.userFolder, { recursive: true, force: true });
}, 60_000);

it(`n8n ${version} restarts after a crash with its workflows active and executions kept`, async () => {
	first = await startN8n({ version });
	const workflow = await first.importWorkflow(
		chainWorkflow('restart: webhook', [setNode('Echo', { ok: true })], {
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			webhookId: 'c0ffee00-0000-4000-8000-000000000002',
			parameters: { path: 'restart-echo', httpMethod: 'POST', responseMode: 'onReceived' },
		}),
	);
	await first.activate(workflow.id);
	expect(await postUntil(first.webhookUrl('restart-echo'), 200)).toBe(200);
	await first.waitForExecutions(1, { workflowId: workflow.id });

	await first.kill();
	expect(first.isRunning()).toBe(false);
	expect(fs.existsSync(first.userFolder)).toBe(true);

	second = await startN8n({ version, userFolder: first.userFolder, port: first.port });
	expect((await second.getWorkflow(workflow.id)).active).toBe(true);
	expect(await postUntil(second.webhookUrl('restart-echo'), 200)).toBe(200);
	const executions = await second.waitForExecutions(2, { workflowId: workflow.id });
	expect(executions).toHaveLength(2);
}, 300_000);

/** POSTs until n8n answers `expected` (webhooks register asynchronously) or 15 s pass; returns the last status. */
async function postUntil(url: string, expected: number): Promise<number> {
	const deadline = Date.now() + 15_000;
	for (;;) {
		const response = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: '{}',
		});
		await response.arrayBuffer();
		if (response.status === expected || Date.now() > deadline) return response.status;
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}
