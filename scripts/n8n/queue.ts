/**
 * n8n in queue mode on one machine, for the queue-mode suite and the bench:
 *
 *   const cluster = await startQueueCluster({ version: '2.41.1', env: { N8N_WEBHOOK_URL: relay.origin + '/' } });
 *   cluster.main                 // N8nInstance: editor, public API, activation (the leader)
 *   cluster.webhookOrigins       // the `n8n webhook` processes, where deliveries go
 *   cluster.workers[i].kill()    // SIGKILL a worker (and its task runner)
 *   await cluster.stop();        // everything, by process id, data folders removed
 *
 * Private Redis and Postgres (services.ts), one main, `webhookProcesses` × `n8n webhook` and
 * `workers` × `n8n worker --concurrency=N`, all sharing one user folder (with this package
 * installed as a community package), one encryption key, one database and one Redis. The main
 * takes no production webhooks (N8N_DISABLE_PRODUCTION_MAIN_PROCESS), as a scaled deployment
 * behind a load balancer runs. Each main and worker gets its own task-broker port.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import { ensureN8n, N8nVersion } from './install';
import { N8nInstance, n8nEnvironment, startN8n, versionFromEnv, DEFAULT_OWNER } from './instance';
import { findFreePort, GroupProcess, spawnGroup } from './process';
import {
	ensureServicePackages,
	RunningService,
	servicesBaseDir,
	startPostgres,
	startRedis,
} from './services';

export interface QueueClusterOptions {
	version?: N8nVersion;
	webhookProcesses?: number;
	workers?: number;
	/** Executions each worker runs at once (default 4). */
	concurrency?: number;
	/** Extra environment for every n8n process (N8N_WEBHOOK_URL, say). */
	env?: Record<string, string>;
	startTimeoutMs?: number;
}

export interface QueueProcess {
	kind: 'webhook' | 'worker';
	index: number;
	/** The `n8n webhook` process's origin ('' for workers). */
	origin: string;
	logFile: string;
	process: GroupProcess;
	logs(): string;
	/** SIGKILL to the process and everything it started (its task runner). */
	kill(): Promise<void>;
}

function log(message: string): void {
	process.stdout.write(`[queue] ${message}\n`);
}

export class QueueCluster {
	private stopped = false;

	constructor(
		readonly version: N8nVersion,
		readonly baseDir: string,
		readonly redis: RunningService,
		readonly postgres: RunningService,
		readonly main: N8nInstance,
		readonly webhooks: QueueProcess[],
		readonly workers: QueueProcess[],
	) {}

	get webhookOrigins(): string[] {
		return this.webhooks.map((webhook) => webhook.origin);
	}

	/** Runs one SQL statement in n8n's database (psql, unaligned); returns the rows, one per line. */
	sql(statement: string): string[] {
		const psql = path.join(ensureServicePackages().postgresBin, 'psql');
		const output = execFileSync(
			psql,
			[
				'-h',
				'127.0.0.1',
				'-p',
				String(this.postgres.port),
				'-U',
				'postgres',
				'-d',
				'postgres',
				'-At',
				'-c',
				statement,
			],
			{
				encoding: 'utf8',
				timeout: 30_000,
			},
		);
		return output.split('\n').filter((line) => line !== '');
	}

	/** Every n8n process's log, for a failing test's message. */
	logTails(lines = 40): string {
		const tail = (text: string) => text.split('\n').slice(-lines).join('\n');
		return [
			`--- main\n${tail(this.main.logs())}`,
			...[...this.webhooks, ...this.workers].map(
				(p) => `--- ${p.kind} ${p.index + 1}\n${tail(p.logs())}`,
			),
		].join('\n');
	}

	/** Stops every process it started, by process id (n8n first, then Redis and Postgres), and removes their data. */
	async stop(): Promise<void> {
		if (this.stopped) return;
		this.stopped = true;
		await Promise.allSettled(
			[...this.webhooks, ...this.workers].map((p) => p.process.stop(15_000)),
		);
		await this.main.stop({ keepUserFolder: true }).catch(() => undefined);
		await Promise.allSettled([this.redis.stop(), this.postgres.stop()]);
		if (process.env.BLS_N8N_KEEP_USER_FOLDER !== '1')
			fs.rmSync(this.baseDir, { recursive: true, force: true });
	}
}

/** Starts Redis, Postgres and n8n in queue mode; on any failure stops what it started and throws with the logs. */
export async function startQueueCluster(options: QueueClusterOptions = {}): Promise<QueueCluster> {
	const version = options.version ?? versionFromEnv();
	const install = await ensureN8n(version);
	const startTimeoutMs = options.startTimeoutMs ?? 240_000;
	const baseDir = servicesBaseDir();
	const userFolder = path.join(baseDir, 'n8n');
	fs.mkdirSync(userFolder, { recursive: true });
	const started: Array<{ stop(): Promise<void> }> = [];
	const startedAt = Date.now();
	try {
		const [redis, postgres] = await Promise.all([startRedis(baseDir), startPostgres(baseDir)]);
		started.push(redis, postgres);
		log(`Redis on ${redis.port}, Postgres on ${postgres.port} (${Date.now() - startedAt} ms)`);

		const queueEnv: Record<string, string> = {
			EXECUTIONS_MODE: 'queue',
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: 'postgres',
			DB_POSTGRESDB_USER: 'postgres',
			DB_POSTGRESDB_PASSWORD: '',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			// Production webhooks go to the webhook processes only, as behind a load balancer.
			N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
			...(options.env ?? {}),
		};
		const main = await startN8n({ version, userFolder, env: queueEnv, startTimeoutMs });
		started.push({ stop: () => main.stop({ keepUserFolder: true }) });
		log(`main ready at ${main.url} (${Date.now() - startedAt} ms)`);

		const spawn = async (kind: 'webhook' | 'worker', index: number): Promise<QueueProcess> => {
			const port = await findFreePort();
			const env = await n8nEnvironment({
				install,
				userFolder,
				port,
				owner: DEFAULT_OWNER,
				extra: queueEnv,
			});
			if (kind === 'worker') {
				// A worker serves no HTTP unless asked; its health port must not clash anyway.
				env.QUEUE_HEALTH_CHECK_PORT = String(port);
			}
			const logFile = path.join(baseDir, `${kind}-${index + 1}.log`);
			const args =
				kind === 'webhook' ? ['webhook'] : ['worker', `--concurrency=${options.concurrency ?? 4}`];
			const group = spawnGroup(install.nodeBin, [install.n8nBin, ...args], {
				cwd: userFolder,
				env,
				logFile,
			});
			started.push({ stop: () => group.stop(15_000) });
			const logs = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
			return {
				kind,
				index,
				origin: kind === 'webhook' ? `http://127.0.0.1:${port}` : '',
				logFile,
				process: group,
				logs,
				kill: () => group.kill(),
			};
		};
		const webhooks = await Promise.all(
			Array.from({ length: options.webhookProcesses ?? 2 }, (_, index) => spawn('webhook', index)),
		);
		const workers = await Promise.all(
			Array.from({ length: options.workers ?? 2 }, (_, index) => spawn('worker', index)),
		);
		const readyLine = {
			webhook: 'Webhook listener waiting for requests',
			worker: 'n8n worker is now ready',
		};
		const deadline = Date.now() + startTimeoutMs;
		for (const p of [...webhooks, ...workers]) {
			while (!p.logs().includes(readyLine[p.kind])) {
				if (!p.process.isRunning() || Date.now() > deadline) {
					throw new Error(
						`n8n ${p.kind} ${p.index + 1} ${p.process.isRunning() ? 'was not ready in time' : 'exited'}; last log lines:\n${p.logs().split('\n').slice(-40).join('\n')}`,
					);
				}
				await new Promise((resolve) => setTimeout(resolve, 250));
			}
		}
		log(
			`${webhooks.length} webhook processes and ${workers.length} workers ready (${Date.now() - startedAt} ms from the start)`,
		);
		return new QueueCluster(version, baseDir, redis, postgres, main, webhooks, workers);
	} catch (error) {
		for (const service of started.reverse()) await service.stop().catch(() => undefined);
		if (process.env.BLS_N8N_KEEP_USER_FOLDER !== '1')
			fs.rmSync(baseDir, { recursive: true, force: true });
		throw error;
	}
}
