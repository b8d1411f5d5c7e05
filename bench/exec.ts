/** Running the benchmark's webhook-started workflows in real n8n and reading what they returned. */
import type { CreatedCredential, N8nInstance } from '../scripts/n8n/instance';
import { withCredential } from '../scripts/n8n/workflows';
import type { WorkflowJson } from '../scripts/n8n/workflows';

export interface Deployed {
	id: string;
	name: string;
	/** Production webhook URL of its Webhook node (undefined for trigger-only workflows). */
	url: string;
}

/** Imports a workflow (pointing our nodes at `credential`), activates it, and waits until its webhook answers. */
export async function deploy(
	n8n: N8nInstance,
	workflow: WorkflowJson,
	credential?: CreatedCredential,
): Promise<Deployed> {
	const created = await n8n.importWorkflow(
		credential ? withCredential(workflow, credential) : workflow,
	);
	await n8n.activate(created.id);
	const webhook = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.webhook');
	const path = webhook ? String(webhook.parameters.path) : '';
	return { id: created.id, name: workflow.name, url: path ? n8n.webhookUrl(path) : '' };
}

export interface WebhookRun {
	status: number;
	/** The items' JSON (responseData: allEntries), or the error body. */
	body: unknown;
	ms: number;
}

/** One execution: POST to the workflow's webhook; n8n answers with the last node's items. */
export async function execute(workflow: Deployed, body: unknown = {}): Promise<WebhookRun> {
	// Activation registers webhooks asynchronously; a 404 only means "not yet" during the first second or so.
	const deadline = Date.now() + 15_000;
	for (;;) {
		const started = process.hrtime.bigint();
		const response = await fetch(workflow.url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
			signal: AbortSignal.timeout(600_000),
		});
		const text = await response.text();
		const ms = Number(process.hrtime.bigint() - started) / 1e6;
		if (response.status === 404 && Date.now() < deadline && /not registered/i.test(text)) {
			await sleep(200);
			continue;
		}
		let parsed: unknown = text;
		try {
			parsed = JSON.parse(text);
		} catch {
			// not JSON: keep the text
		}
		return { status: response.status, body: parsed, ms };
	}
}

/** The items of a successful run, or an Error describing the failure. */
export function itemsOf(run: WebhookRun): Array<Record<string, unknown>> | Error {
	if (run.status !== 200) {
		const message =
			(run.body as { message?: unknown })?.message ?? JSON.stringify(run.body).slice(0, 300);
		return new Error(`HTTP ${run.status}: ${String(message)}`);
	}
	if (Array.isArray(run.body)) return run.body as Array<Record<string, unknown>>;
	if (run.body && typeof run.body === 'object') return [run.body as Record<string, unknown>];
	return [];
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}
