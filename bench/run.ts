/**
 * `npm run bench`: the BLS Portal node against the HTTP Request way, in one real n8n, against the
 * sandbox's request log. Prints a Markdown table, writes it to bench/results/latest.md, and exits
 * non-zero if any run lost or duplicated an item (or n8n lost an execution). See bench/README.md.
 *
 * Environment (all optional): N8N_VERSION (default 2.41.1), BENCH_RATE_WINDOW_MS (default 10000),
 * BENCH_QUICK=1 (smaller sizes, to try the bench itself; its table is not the one to publish),
 * BENCH_ONLY=2,6 (only those scenarios; 9 is the trigger in queue mode), BENCH_QUEUE_ROUNDS
 * (scenario 7, default 6), BENCH_NO_WRITE=1 (print only). BENCH_QUICK and
 * BENCH_ONLY never write the results file.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { startSandbox } from '../sandbox';
import type { Sandbox } from '../sandbox';
import { repoRoot } from '../scripts/n8n/install';
import { startN8n, versionFromEnv } from '../scripts/n8n/instance';
import type { N8nInstance } from '../scripts/n8n/instance';
import { deploy } from './exec';
import { closingNotes, gitCommit, markdownTable } from './report';
import {
	BenchContext,
	bookCandidates,
	limits,
	listEverything,
	ScenarioResult,
	tokenEconomy,
	triggerThroughput,
	underRateLimit,
} from './scenarios';
import { queueThroughput } from './queue';
import { sharedQuota } from './sharedQuota';
import { ours } from './workflows';

const quick = process.env.BENCH_QUICK === '1';
/** n8n's own default expression engine unless BENCH_EXPRESSION_ENGINE names one (legacy, vm). */
const expressionEngine = process.env.BENCH_EXPRESSION_ENGINE;
/** BENCH_ONLY=4,6 runs only those scenarios (to work on the bench; nothing is written). */
const only = process.env.BENCH_ONLY
	? process.env.BENCH_ONLY.split(',').map((part) => part.trim())
	: undefined;

const SETTINGS = {
	tokenExecutions: 50,
	listTotals: quick ? [1000] : [1000, 5000],
	listRepeats: quick ? 1 : 3,
	// 137 and 999: no plan with the fewest calls fetches exactly the limit.
	limits: [1, 25, 101, 137, 999],
	rate: {
		quota: quick ? 10 : 60,
		windowMs: Number(process.env.BENCH_RATE_WINDOW_MS ?? 10_000),
		windows: 3,
	},
	bookings: 10,
	// Scenarios 7 and 8 (the request pacer): the sandbox's real 60 requests per 60 s.
	shared: {
		quota: 60,
		windowMs: Number(process.env.BENCH_SHARED_WINDOW_MS ?? 60_000),
		workflows: 5,
		bookingsEach: 2_000,
		syncBookings: 7_900,
		formBookings: 10,
	},
	trigger: {
		concurrency: 8,
		rounds: Number(process.env.BENCH_TRIGGER_ROUNDS ?? (quick ? 2 : 10)),
		roundMs: Number(process.env.BENCH_TRIGGER_ROUND_MS ?? 3000),
		warmupMs: quick ? 1000 : 2000,
		verifyIterations: quick ? 20_000 : 200_000,
	},
	queue: {
		concurrency: 8,
		rounds: Number(process.env.BENCH_QUEUE_ROUNDS ?? (quick ? 2 : 6)),
		roundMs: Number(process.env.BENCH_TRIGGER_ROUND_MS ?? 3000),
		warmupMs: quick ? 1000 : 2000,
	},
};

function log(line: string): void {
	process.stderr.write(`[bench] ${line}\n`);
}

async function main(): Promise<number> {
	const startedAt = Date.now();
	const version = versionFromEnv();
	let engine = 'unknown';
	let sandbox: Sandbox | undefined;
	let n8n: N8nInstance | undefined;
	try {
		// Rate limiting is off except in scenario 4, so counts and times elsewhere are not mixed with waits.
		// 200 places per slot lets the sandbox seed tens of thousands of bookings quickly.
		sandbox = await startSandbox({ port: 0, bookings: 25, rateLimit: false, slotCapacity: 200 });
		log(`sandbox at ${sandbox.apiUrl}; starting n8n ${version}…`);
		n8n = await startN8n({
			version,
			env: expressionEngine ? { N8N_EXPRESSION_ENGINE: expressionEngine } : {},
		});
		engine = n8n.expressionEngine;
		log(
			`n8n ${version} ready at ${n8n.url} after ${((Date.now() - startedAt) / 1000).toFixed(0)} s`,
		);

		const account = sandbox.accounts[0];
		const credential = await n8n.createCredential({
			name: 'BLS Portal (bench)',
			type: 'blsPortalApi',
			// Pacing off: the sandbox has no rate limit here, and scenario 4 measures the back-off alone.
			data: {
				clientId: account.hbClientId,
				apiKey: account.apiKey,
				baseUrl: sandbox.apiUrl,
				requestsPerMinute: 0,
			},
		});
		const ctx: BenchContext = {
			n8n,
			sandbox,
			credential,
			api: { apiUrl: sandbox.apiUrl, clientId: account.hbClientId, apiKey: account.apiKey },
			integrity: [],
			log,
		};
		const getOurs = await deploy(n8n, ours.getBooking('bench-ours-get', 1), credential);

		const results: ScenarioResult[] = [];
		const scenario = async (name: string, run: () => Promise<ScenarioResult>) => {
			if (only && !only.includes(name.split('.')[0])) return;
			const started = Date.now();
			log(`${name}…`);
			try {
				results.push(await run());
				log(`${name}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
			} catch (error) {
				// The table still reports what the other scenarios measured, under a FAILED banner naming this one.
				const reason =
					error instanceof Error
						? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ''}`
						: String(error);
				ctx.integrity.push(
					`scenario ${name} crashed after ${((Date.now() - started) / 1000).toFixed(1)} s: ${reason}`,
				);
				log(`${name}: CRASHED: ${reason}`);
			}
		};
		await scenario('1. token economy', () => tokenEconomy(ctx, SETTINGS.tokenExecutions, getOurs));
		await scenario('2. return all', () =>
			listEverything(ctx, SETTINGS.listTotals, SETTINGS.listRepeats, getOurs),
		);
		await scenario('3. limit', () => limits(ctx, SETTINGS.limits, 1000, getOurs));
		await scenario('4. under the rate limit', () => underRateLimit(ctx, SETTINGS.rate, getOurs));
		await scenario('5. book a candidate', () => bookCandidates(ctx, SETTINGS.bookings, getOurs));
		await scenario('6. trigger throughput', () => triggerThroughput(ctx, SETTINGS.trigger));
		await scenario('7. shared quota (scenarios 7 and 8)', () =>
			sharedQuota(ctx, SETTINGS.shared, getOurs),
		);
		await scenario('9. trigger in queue mode', () => queueThroughput(ctx, SETTINGS.queue));

		const totalSeconds = (Date.now() - startedAt) / 1000;
		const document = render(results, ctx.integrity, {
			version,
			totalSeconds,
			engine,
			commit: gitCommit(repoRoot()),
			n8nNode: n8nNodeVersion(n8n),
		});
		process.stdout.write(`\n${document}\n`);
		if (!quick && !only && process.env.BENCH_NO_WRITE !== '1') {
			const file = path.join(repoRoot(), 'bench', 'results', 'latest.md');
			fs.mkdirSync(path.dirname(file), { recursive: true });
			fs.writeFileSync(file, `${document}\n`);
			log(`written to ${path.relative(process.cwd(), file)}`);
		}
		if (ctx.integrity.length) {
			log(`FAILED: ${ctx.integrity.length} integrity problem(s):`);
			for (const problem of ctx.integrity) log(`  ✗ ${problem}`);
			return 1;
		}
		return 0;
	} finally {
		await n8n?.stop();
		await sandbox?.stop();
	}
}

/** The Node.js version n8n runs on (its install's own node binary). */
function n8nNodeVersion(n8n: N8nInstance | undefined): string {
	if (!n8n) return 'unknown';
	try {
		return execFileSync(n8n.install.nodeBin, ['--version']).toString().trim();
	} catch {
		return 'unknown';
	}
}

function render(
	results: ScenarioResult[],
	integrity: string[],
	run: { version: string; totalSeconds: number; engine: string; commit: string; n8nNode: string },
): string {
	const { rate, trigger } = SETTINGS;
	const lines: string[] = [];
	lines.push(
		`## Benchmark: BLS Portal node vs the HTTP Request way${quick ? ' (QUICK MODE: not for publishing)' : ''}`,
	);
	lines.push('');
	lines.push(
		`n8n ${run.version} (expression engine: ${run.engine}), Node ${process.version} for the bench (n8n on Node ${run.n8nNode}), ${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'CPU'}, ` +
			`load average ${os.loadavg()[0].toFixed(1)} at the end, commit ${run.commit}, ` +
			`${new Date().toISOString().slice(0, 10)}. Whole run (n8n start included): **${run.totalSeconds.toFixed(0)} s**. ` +
			'Calls are counted by the sandbox\'s request log; "ours ÷ HTTP" below 1 means the node is cheaper/faster (for deliveries per second, above 1 is better).',
	);
	lines.push('');
	if (integrity.length) {
		lines.push(
			`> **FAILED: ${integrity.length} integrity problem(s); the figures below cannot be trusted.**`,
		);
		for (const problem of integrity) lines.push(`> - ${problem}`);
		lines.push('');
	}
	lines.push(markdownTable(results));
	lines.push('');
	lines.push(
		`Settings: rate limit off except in scenario 4 (${rate.quota} requests per ${rate.windowMs / 1000} s window, Retry-After in whole seconds, our node with pacing off) ` +
			`and scenarios 7–8 (${SETTINGS.shared.quota} per ${SETTINGS.shared.windowMs / 1000} s, our node with the pacer on unless stated); ` +
			'our node holds a live token at the start of scenarios 2–5 (as after scenario 1; a sandbox reset between scenarios revokes ' +
			'tokens, so one uncounted run re-authenticates); the HTTP Request way asks for a token in every execution. ' +
			`Scenario 6: ${trigger.concurrency} keep-alive connections on loopback, ${trigger.rounds} rounds of ${trigger.roundMs / 1000} s per receiver (order trigger, plain, control, ` +
			`then reversed) after a ${trigger.warmupMs / 1000} s warm-up; a round lasts until n8n has recorded every execution it accepted; ` +
			'rates are totals over all rounds, ratios the median of the per-round ratios.',
	);
	const queue = results
		.map((result) => result.facts)
		.find((facts) => facts.queueRatio !== undefined);
	if (queue) {
		lines.push('');
		lines.push(
			`Scenario 9 (queue mode): the same trigger workflow in n8n's queue mode — Postgres, Redis, one main, two \`n8n webhook\` processes ` +
				`taking ${SETTINGS.queue.concurrency / 2} connections each, two workers × 4 — against the one n8n process above (SQLite), started in the same run ` +
				`on the same machine, ${SETTINGS.queue.rounds} alternating rounds of ${SETTINGS.queue.roundMs / 1000} s after a warm-up; a round lasts until every ` +
				`accepted delivery's execution has finished. Queue mode reached ${(Number(queue.queueRatio) * 100).toFixed(0)} % of the single process's rate ` +
				`(${Number(queue.queueRate).toFixed(0)} vs ${Number(queue.singleRate).toFixed(0)} executions/s; median answer ${queue.queueP50} vs ${queue.singleP50} ms). ` +
				`What limits it on this machine: the five n8n processes, Postgres and Redis share its ${os.cpus().length} cores with the single process ` +
				'(and with whatever else runs there), and in queue mode each delivery costs more work: the webhook process stores the ' +
				'execution in Postgres and queues a job in Redis before it answers, then a worker loads the execution, runs it (the ' +
				"trigger's lock and check of n8n's processed-data record included, as in one process) and stores the result. The figure does not " +
				'separate these costs. Queue mode gains throughput by giving workers and webhook processes cores or machines of their ' +
				'own; on one small machine it buys isolation (a worker that dies takes neither the editor nor the webhooks down), not speed.',
		);
	}
	const notes = closingNotes(results);
	const failures = results
		.map((result) => result.facts)
		.find((facts) => facts.retryMessage !== undefined);
	lines.push('');
	lines.push('### Closing note');
	lines.push('');
	if (notes.length === 0)
		lines.push('Every figure of the BLS Portal node meets its minimum or goal.');
	else {
		lines.push('Figures of the BLS Portal node that miss their minimum or goal:');
		lines.push('');
		for (const note of notes) lines.push(`- ${note}`);
	}
	for (const [variant, prefix] of [
		['Retry On Fail', 'retry'],
		[`Retry On Fail + ${failures?.intervalMs} ms between pages`, 'paced'],
	] as const) {
		const message = failures?.[`${prefix}Message`];
		if (!failures || !message) continue;
		const silent = String(message).startsWith('answered 200 OK');
		lines.push('');
		lines.push(
			`The HTTP Request way (${variant}) failed under the rate limit after ${failures[`${prefix}Calls`]} calls and ` +
				`${failures[`${prefix}429`]} × 429: ` +
				(silent
					? `it answered 200 OK with ${Number(failures[`${prefix}Items`]).toLocaleString('en-GB')} of ` +
						`${Number(failures.total).toLocaleString('en-GB')} bookings and no error. The 429's body has no \`links\`, so the ` +
						`completion expression (\`$response.body.links.next === null\`) cannot be evaluated on it; n8n ${run.version} ` +
						`(expression engine ${run.engine}) took that as "stop paginating" instead of an error, so the ` +
						'node succeeded with the pages read so far and Retry On Fail never fired: items were lost silently.'
					: `${String(message).slice(0, 200)}. A retry re-runs the whole node, so its pagination starts again at page 1 and a ` +
						'list longer than one window never completes.'),
		);
	}
	if (failures && failures.strictMessage !== undefined) {
		lines.push('');
		lines.push(
			failures.strictOk
				? 'With a completion expression that checks the status first (`$response.statusCode === 200 && …`), the HTTP Request way with Retry On Fail completed.'
				: 'A user who spots this and makes the completion expression check the status first (`$response.statusCode === 200 && ' +
						'$response.body.links.next === null`) gets a loud failure instead: the 429 fails the node, Retry On Fail re-runs the ' +
						`whole node, its pagination starts again at page 1 each time, and after 5 tries (${failures.strictCalls} calls, ` +
						`${failures.strict429} × 429, ${(Number(failures.strictMs) / 1000).toFixed(0)} s) the execution fails (the webhook answers ` +
						`${String(failures.strictMessage).slice(0, 80)}). Retry On Fail cannot finish a list longer than one window; only ` +
						'pacing the pages (the second variant in the table) gets every item, at the wall time shown.',
		);
	}
	return lines.join('\n');
}

main().then(
	(code) => process.exit(code),
	(error) => {
		process.stderr.write(
			`[bench] crashed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
		);
		process.exit(2);
	},
);
