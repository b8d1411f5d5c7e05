/**
 * Child processes that never outlive us: each runs in its own process group under a tiny
 * supervisor that kills the group when we exit — even if we are killed with SIGKILL.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';

/**
 * Runs as `node -e SUPERVISOR parentPid graceMs command ...args`, as the leader of a new process group.
 * It starts the command in the same group, exits with its code, and kills the whole group when
 * the command exits, when it is asked to stop (SIGTERM/SIGINT), or when the parent is gone.
 */
const SUPERVISOR = `
const { spawn } = require('child_process');
const [parentPid, graceMs, command, ...args] = process.argv.slice(1);
const child = spawn(command, args, { stdio: 'inherit' });
const killGroup = (signal) => { try { process.kill(-process.pid, signal); } catch {} };
let stopping = false;
const stop = () => {
	if (stopping) return;
	stopping = true;
	killGroup('SIGTERM');
	setTimeout(() => killGroup('SIGKILL'), Number(graceMs)).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
child.on('error', (error) => { console.error(String(error)); process.exit(127); });
child.on('exit', (code, signal) => {
	stopping = true;
	killGroup('SIGTERM'); // leftovers such as task runners
	process.exit(code === null ? 128 + (require('os').constants.signals[signal] || 0) : code);
});
setInterval(() => { try { process.kill(Number(parentPid), 0); } catch { stop(); } }, 1000);
`;

export interface GroupProcess {
	child: ChildProcess;
	/** Resolves with the exit code once the whole group's leader has exited. */
	exited: Promise<number>;
	isRunning(): boolean;
	/** SIGTERM to the group; SIGKILL after `graceMs`. Resolves when the leader has exited. */
	stop(graceMs?: number): Promise<void>;
	/** SIGKILL to the whole group at once (a crash, as far as the processes can tell). */
	kill(): Promise<void>;
}

const runningGroups = new Set<number>();
let exitHookInstalled = false;

/**
 * Starts `command args` in its own supervised process group, its stdout and stderr appended to
 * `logFile`. `graceMs`: how long the supervisor waits after SIGTERM before SIGKILL (default 10 s).
 */
export function spawnGroup(
	command: string,
	args: string[],
	options: { cwd?: string; env: NodeJS.ProcessEnv; logFile: string; graceMs?: number },
): GroupProcess {
	installExitHook();
	const out = fs.openSync(options.logFile, 'a');
	const graceMs = String(options.graceMs ?? 10_000);
	const child = spawn(
		process.execPath,
		['-e', SUPERVISOR, String(process.pid), graceMs, command, ...args],
		{
			cwd: options.cwd,
			env: options.env,
			stdio: ['ignore', out, out],
			detached: true, // its own process group, so one signal reaches n8n and everything it starts
		},
	);
	fs.closeSync(out);
	const pid = child.pid;
	if (pid === undefined) throw new Error(`Could not start ${command}`);
	runningGroups.add(pid);
	let running = true;
	const exited = new Promise<number>((resolve) => {
		child.on('exit', (code, signal) => {
			running = false;
			runningGroups.delete(pid);
			resolve(code ?? (signal ? 128 : 1));
		});
	});
	return {
		child,
		exited,
		isRunning: () => running,
		async stop(graceMs = 15_000) {
			if (!running) return;
			// The supervisor passes one SIGTERM to the whole group (n8n treats a second one as "now").
			signalProcess(pid, 'SIGTERM');
			const killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), graceMs);
			await exited;
			clearTimeout(killTimer);
			signalGroup(pid, 'SIGKILL'); // anything left in the group
		},
		async kill() {
			if (!running) return;
			signalGroup(pid, 'SIGKILL');
			await exited;
		},
	};
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(pid, signal);
	} catch {
		// already gone
	}
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}

/** On our own exit, kill every group still running (synchronously: 'exit' handlers cannot wait). */
function installExitHook(): void {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.on('exit', () => {
		for (const pid of runningGroups) signalGroup(pid, 'SIGKILL');
	});
	// Without a handler, Ctrl-C would end us without running 'exit' handlers. Only add one if
	// nobody else handles the signal (npm start has its own graceful handler).
	for (const signal of ['SIGINT', 'SIGTERM'] as const) {
		if (process.listenerCount(signal) === 0) {
			process.once(signal, () => {
				for (const pid of runningGroups) signalProcess(pid, 'SIGTERM');
				process.exit(signal === 'SIGINT' ? 130 : 143);
			});
		}
	}
}

/** A TCP port free on 127.0.0.1 right now. */
export function findFreePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => {
				if (address && typeof address === 'object') resolve(address.port);
				else reject(new Error('Could not find a free port'));
			});
		});
	});
}

/** Runs a command to completion with its output appended to a file; resolves with its exit code. */
export function runToFile(
	command: string,
	args: string[],
	options: { cwd?: string; env: NodeJS.ProcessEnv; outFile: string; timeoutMs: number },
): Promise<number> {
	const group = spawnGroup(command, args, {
		cwd: options.cwd,
		env: options.env,
		logFile: options.outFile,
	});
	const timer = setTimeout(() => void group.stop(2000), options.timeoutMs);
	return group.exited.finally(() => clearTimeout(timer));
}
