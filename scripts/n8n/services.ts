/**
 * Private Redis and Postgres servers for n8n's queue mode, from Debian's packages: each on
 * 127.0.0.1 on a free port, with its data in a folder of its own, started in a supervised process
 * group (see process.ts) and stopped by its process id. The packages are installed with apt-get
 * when missing (as root, as CI runs).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

import { findFreePort, GroupProcess, spawnGroup } from './process';

export interface RunningService {
	port: number;
	dataDir: string;
	logFile: string;
	process: GroupProcess;
	stop(): Promise<void>;
}

function log(message: string): void {
	process.stdout.write(`[queue-services] ${message}\n`);
}

function onPath(command: string): string | undefined {
	for (const dir of (process.env.PATH ?? '')
		.split(':')
		.concat(['/usr/sbin', '/usr/bin', '/sbin', '/bin'])) {
		const candidate = path.join(dir, command);
		if (dir && fs.existsSync(candidate)) return candidate;
	}
	return undefined;
}

/** Debian keeps Postgres's server programs in /usr/lib/postgresql/<major>/bin; the newest wins. */
function postgresBinDir(): string | undefined {
	const root = '/usr/lib/postgresql';
	if (!fs.existsSync(root)) return undefined;
	const majors = fs
		.readdirSync(root)
		.filter((name) => fs.existsSync(path.join(root, name, 'bin', 'postgres')))
		.sort((a, b) => Number(b) - Number(a));
	return majors[0] ? path.join(root, majors[0], 'bin') : undefined;
}

/** Installs Debian's `redis-server` and `postgresql` when they are missing (needs root). */
export function ensureServicePackages(): { redisServer: string; postgresBin: string } {
	let redisServer = onPath('redis-server');
	let postgresBin = postgresBinDir();
	if (!redisServer || !postgresBin) {
		const missing = [!redisServer && 'redis-server', !postgresBin && 'postgresql'].filter(
			Boolean,
		) as string[];
		if (process.getuid?.() !== 0) {
			throw new Error(
				`Queue mode needs ${missing.join(' and ')} (Debian packages): install them with apt-get as root, or run this as root.`,
			);
		}
		log(`installing ${missing.join(', ')} with apt-get (once per machine)`);
		const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
		execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env, timeout: 10 * 60_000 });
		execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
			stdio: 'inherit',
			env,
			timeout: 15 * 60_000,
		});
		redisServer = onPath('redis-server');
		postgresBin = postgresBinDir();
		if (!redisServer || !postgresBin)
			throw new Error(`apt-get did not provide ${missing.join(' and ')}`);
	}
	return { redisServer, postgresBin };
}

async function waitUntil(
	what: string,
	check: () => Promise<boolean>,
	group: GroupProcess,
	logFile: string,
	timeoutMs = 60_000,
): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (!group.isRunning() || Date.now() > deadline) {
			const tail = fs.existsSync(logFile)
				? fs.readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n')
				: '';
			throw new Error(
				`${what} did not start${group.isRunning() ? ` within ${timeoutMs} ms` : ''}; last log lines:\n${tail}`,
			);
		}
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

/** Sends `request` to 127.0.0.1:port and resolves with the first answer ('' when nothing answers). */
function ask(port: number, request: string): Promise<string> {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		const done = (answer: string) => {
			socket.destroy();
			resolve(answer);
		};
		socket.setTimeout(1000, () => done(''));
		socket.on('error', () => done(''));
		socket.on('connect', () => socket.write(request));
		socket.on('data', (data) => done(data.toString('utf8')));
	});
}

/** A private Redis: no persistence, data folder under `baseDir`. */
export async function startRedis(baseDir: string): Promise<RunningService> {
	const { redisServer } = ensureServicePackages();
	const port = await findFreePort();
	const dataDir = path.join(baseDir, 'redis');
	fs.mkdirSync(dataDir, { recursive: true });
	const logFile = path.join(baseDir, 'redis.log');
	const group = spawnGroup(
		redisServer,
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--dir',
			dataDir,
			'--save',
			'',
			'--appendonly',
			'no',
			'--daemonize',
			'no',
		],
		{
			env: process.env,
			logFile,
			graceMs: 5000,
		},
	);
	await waitUntil(
		'Redis',
		async () => (await ask(port, 'PING\r\n')).startsWith('+PONG'),
		group,
		logFile,
	);
	return { port, dataDir, logFile, process: group, stop: () => group.stop(5000) };
}

/**
 * A private Postgres cluster (initdb, trust authentication on 127.0.0.1 only), run as the
 * `postgres` user when we are root (Postgres refuses to run as root). Database `postgres`, user
 * `postgres`, no password.
 */
export async function startPostgres(baseDir: string): Promise<RunningService> {
	const { postgresBin } = ensureServicePackages();
	const port = await findFreePort();
	const dataDir = path.join(baseDir, 'postgres');
	const socketDir = path.join(baseDir, 'postgres-socket');
	const logFile = path.join(baseDir, 'postgres.log');
	fs.mkdirSync(dataDir, { recursive: true });
	fs.mkdirSync(socketDir, { recursive: true });
	const asRoot = process.getuid?.() === 0;
	const asUser = (command: string, args: string[]): [string, string[]] =>
		asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
	if (asRoot) {
		const { uid, gid } = postgresUser();
		// The postgres user must reach its folders inside our temporary directory.
		fs.chmodSync(baseDir, 0o755);
		for (const dir of [dataDir, socketDir]) fs.chownSync(dir, uid, gid);
		fs.writeFileSync(logFile, '');
		fs.chownSync(logFile, uid, gid);
	}
	const [initCommand, initArgs] = asUser(path.join(postgresBin, 'initdb'), [
		'-D',
		dataDir,
		'-A',
		'trust',
		'-U',
		'postgres',
		'-E',
		'UTF8',
		'--no-sync',
	]);
	execFileSync(initCommand, initArgs, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 120_000 });
	const [command, args] = asUser(path.join(postgresBin, 'postgres'), [
		'-D',
		dataDir,
		'-p',
		String(port),
		'-k',
		socketDir,
		'-c',
		'listen_addresses=127.0.0.1',
		'-c',
		'fsync=off', // a throwaway test database
		'-c',
		'max_connections=200',
	]);
	const group = spawnGroup(command, args, { env: process.env, logFile, graceMs: 10_000 });
	const isReady = path.join(postgresBin, 'pg_isready');
	await waitUntil(
		'Postgres',
		async () => {
			try {
				execFileSync(isReady, ['-q', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres'], {
					stdio: 'ignore',
					timeout: 5000,
				});
				return true;
			} catch {
				return false;
			}
		},
		group,
		logFile,
	);
	return { port, dataDir, logFile, process: group, stop: () => group.stop(15_000) };
}

function postgresUser(): { uid: number; gid: number } {
	const line = fs
		.readFileSync('/etc/passwd', 'utf8')
		.split('\n')
		.find((entry) => entry.startsWith('postgres:'));
	if (!line)
		throw new Error('No postgres user on this machine (Debian’s postgresql package creates it)');
	const [, , uid, gid] = line.split(':');
	return { uid: Number(uid), gid: Number(gid) };
}

/** A temporary folder for the services' data, removed by the caller. */
export function servicesBaseDir(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'bls-queue-'));
}
