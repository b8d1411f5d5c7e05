/**
 * Scenario 9: BLS Portal Trigger deliveries per second through n8n's queue mode (two `n8n webhook`
 * processes behind a round-robin split of the load, two workers × 4, Redis and Postgres) against
 * the one n8n process the other scenarios use, in the same run, rounds alternating.
 */
import { randomUUID } from 'crypto';

import { startQueueCluster, type QueueCluster } from '../scripts/n8n/queue';
import type { N8nInstance } from '../scripts/n8n/instance';
import { deploy, sleep } from './exec';
import { percentile, runLoad, type LoadResult } from './loadgen';
import {
	finishedExecutions,
	signedDelivery,
	type BenchContext,
	type ScenarioResult,
} from './scenarios';
import { triggerWorkflow } from './workflows';

export interface QueueSettings {
	/** Connections in total, split evenly over the receiving processes. */
	concurrency: number;
	rounds: number;
	roundMs: number;
	warmupMs: number;
}

type Setup = 'single' | 'queue';

interface Receiver {
	n8n: N8nInstance;
	workflowId: string;
	/** Where deliveries go: the one process, or each webhook process. */
	urls: string[];
	secret: string;
	sent: number;
	eventIds: Set<string>;
}

/** Deploys the trigger alone and returns its endpoint's path and signing secret as the API holds them. */
async function deployTrigger(
	ctx: BenchContext,
	n8n: N8nInstance,
	credential: BenchContext['credential'],
): Promise<{ id: string; path: string; secret: string }> {
	const workflow = triggerWorkflow();
	workflow.name = `bench: BLS Portal Trigger (${randomUUID().slice(0, 8)})`;
	const deployed = await deploy(n8n, workflow, credential);
	const deadline = Date.now() + 60_000;
	for (;;) {
		const stored = ((await n8n.getWorkflow(deployed.id)).staticData ?? {}) as Record<
			string,
			Record<string, unknown>
		>;
		const endpointId = stored['node:BLS Portal Trigger']?.endpointId;
		const endpoint = ctx.sandbox
			.signingSecrets()
			.find((candidate) => String(candidate.id) === String(endpointId));
		if (endpoint && stored['node:BLS Portal Trigger']?.sealedSecret)
			return { id: deployed.id, path: new URL(endpoint.url).pathname, secret: endpoint.secret };
		if (Date.now() > deadline)
			throw new Error('The BLS Portal Trigger did not register its endpoint');
		await sleep(250);
	}
}

export async function queueThroughput(
	ctx: BenchContext,
	settings: QueueSettings,
): Promise<ScenarioResult> {
	let cluster: QueueCluster | undefined;
	try {
		ctx.log(
			'  starting n8n in queue mode (Redis, Postgres, main, 2 webhook processes, 2 workers × 4)…',
		);
		cluster = await startQueueCluster({
			version: ctx.n8n.version,
			webhookProcesses: 2,
			workers: 2,
			concurrency: 4,
		});
		const account = ctx.sandbox.accounts[0];
		const queueCredential = await cluster.main.createCredential({
			name: 'BLS Portal (bench, queue)',
			type: 'blsPortalApi',
			data: {
				clientId: account.hbClientId,
				apiKey: account.apiKey,
				baseUrl: ctx.sandbox.apiUrl,
				requestsPerMinute: 0,
			},
		});
		const single = await deployTrigger(ctx, ctx.n8n, ctx.credential);
		const queued = await deployTrigger(ctx, cluster.main, queueCredential);
		const receivers: Record<Setup, Receiver> = {
			single: {
				n8n: ctx.n8n,
				workflowId: single.id,
				urls: [`${ctx.n8n.url}${single.path}`],
				secret: single.secret,
				sent: 0,
				eventIds: new Set(),
			},
			queue: {
				n8n: cluster.main,
				workflowId: queued.id,
				urls: cluster.webhookOrigins.map((origin) => `${origin}${queued.path}`),
				secret: queued.secret,
				sent: 0,
				eventIds: new Set(),
			},
		};

		/** One round: the load split over the receiver's URLs, until n8n has finished every execution it accepted. */
		const round = async (setup: Setup, durationMs: number): Promise<LoadResult> => {
			const receiver = receivers[setup];
			const perUrl = Math.max(1, Math.floor(settings.concurrency / receiver.urls.length));
			const parts = await Promise.all(
				receiver.urls.map((url) =>
					runLoad(url, () => signedDelivery(receiver.secret, receiver.eventIds), {
						concurrency: perUrl,
						durationMs,
					}),
				),
			);
			const result: LoadResult = {
				sent: parts.reduce((sum, part) => sum + part.sent, 0),
				ok: parts.reduce((sum, part) => sum + part.ok, 0),
				byStatus: {},
				latenciesMs: parts.flatMap((part) => part.latenciesMs),
				elapsedMs: Math.max(...parts.map((part) => part.elapsedMs)),
			};
			for (const part of parts)
				for (const [status, n] of Object.entries(part.byStatus))
					result.byStatus[status] = (result.byStatus[status] ?? 0) + n;
			receiver.sent += result.sent;
			const drainStarted = process.hrtime.bigint();
			const drainDeadline = Date.now() + 120_000;
			while (
				(await finishedExecutions({ ...ctx, n8n: receiver.n8n }, receiver.workflowId)) <
					receiver.sent &&
				Date.now() < drainDeadline
			)
				await sleep(50);
			result.elapsedMs += Number(process.hrtime.bigint() - drainStarted) / 1e6;
			return result;
		};

		for (const setup of ['single', 'queue'] as const) await round(setup, settings.warmupMs);
		const results: Record<Setup, LoadResult[]> = { single: [], queue: [] };
		for (let index = 0; index < settings.rounds; index++) {
			for (const setup of index % 2 === 0
				? (['single', 'queue'] as const)
				: (['queue', 'single'] as const)) {
				const result = await round(setup, settings.roundMs);
				results[setup].push(result);
				ctx.log(
					`  ${setup}: round ${index + 1}: ${result.ok}/${result.sent} accepted, ${(result.ok / (result.elapsedMs / 1000)).toFixed(0)} executions/s`,
				);
			}
		}

		// Every delivery sent is one finished execution on each side.
		const recorded: Record<Setup, number> = { single: 0, queue: 0 };
		for (const setup of ['single', 'queue'] as const) {
			const receiver = receivers[setup];
			recorded[setup] = await finishedExecutions(
				{ ...ctx, n8n: receiver.n8n },
				receiver.workflowId,
			);
			const failed = (
				await receiver.n8n.executions({ workflowId: receiver.workflowId, status: 'error' })
			).length;
			if (recorded[setup] !== receiver.sent || failed > 0) {
				ctx.integrity.push(
					`queue-mode comparison, ${setup}: ${recorded[setup]} finished executions for ${receiver.sent} deliveries, ${failed} failed`,
				);
			}
			await receiver.n8n.deactivate(receiver.workflowId).catch(() => undefined);
		}

		const rate = (result: LoadResult) => result.ok / (result.elapsedMs / 1000);
		const total = (setup: Setup) =>
			results[setup].reduce((sum, r) => sum + r.ok, 0) /
			(results[setup].reduce((sum, r) => sum + r.elapsedMs, 0) / 1000);
		const ratios = results.queue
			.map((result, index) => rate(result) / rate(results.single[index]))
			.sort((a, b) => a - b);
		const ratio =
			ratios.length % 2
				? ratios[(ratios.length - 1) / 2]
				: (ratios[ratios.length / 2 - 1] + ratios[ratios.length / 2]) / 2;
		const p = (setup: Setup, at: number) =>
			percentile(
				results[setup].flatMap((r) => r.latenciesMs),
				at,
			).toFixed(0);
		const scenario = `9. Trigger in queue mode (${settings.concurrency} connections, ${settings.rounds} × ${settings.roundMs / 1000} s per setup)`;
		return {
			rows: [
				{
					scenario,
					figure:
						'signed trigger deliveries executed per second: queue mode, 2 webhook processes + 2 workers (left) vs one n8n process (right)',
					ours: total('queue'),
					http: total('single'),
					format: 'rate',
					ratio: ratio.toFixed(2),
					target: '— (see note)',
				},
				{
					scenario,
					figure:
						'latency p50 / p99 until the sender has its answer (queue mode: the webhook process has stored the execution and queued it)',
					ours: null,
					http: null,
					httpNote: `${p('queue', 50)} / ${p('queue', 99)} ms vs ${p('single', 50)} / ${p('single', 99)} ms`,
					format: 'ms',
					target: '—',
					ratio: '—',
				},
				{
					scenario,
					figure: 'executions recorded (must equal deliveries sent)',
					ours: recorded.queue,
					http: recorded.single,
					format: 'int',
					target: `= sent (${receivers.queue.sent} / ${receivers.single.sent})`,
					meets:
						recorded.queue === receivers.queue.sent && recorded.single === receivers.single.sent,
					ratio: '—',
				},
			],
			facts: {
				queueRatio: ratio,
				queueRate: total('queue'),
				singleRate: total('single'),
				queueP50: p('queue', 50),
				singleP50: p('single', 50),
			},
		};
	} finally {
		await cluster?.stop();
	}
}
