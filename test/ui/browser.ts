/**
 * A real browser for the editor suite: Debian's Chromium (installed with apt-get when missing and
 * we are root), driven by playwright-core, which downloads nothing. Each launch gets a fresh
 * profile. Screenshots go to SCREENSHOT_DIR, which `npm run test:ui` prints on failure.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { chromium, selectors, type BrowserContext, type Page } from 'playwright-core';

import { repoRoot } from '../../scripts/n8n/install';

export const CHROMIUM = '/usr/bin/chromium';
/** Kept after the run; `.ci/run` prints it when the suite fails. */
export const SCREENSHOT_DIR = path.join(repoRoot(), 'test-results', 'ui');

const CHROMIUM_FLAGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

/** Installs Debian's chromium package if /usr/bin/chromium is missing (needs root). */
export function ensureChromium(): void {
	if (fs.existsSync(CHROMIUM)) return;
	if (process.getuid?.() !== 0) {
		throw new Error(
			`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium) as root`,
		);
	}
	process.stdout.write("Installing Debian's chromium package (apt-get)...\n");
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
	execFileSync('apt-get', ['install', '-y', 'chromium'], { stdio: 'inherit', env });
	if (!fs.existsSync(CHROMIUM))
		throw new Error(`apt-get installed chromium, but ${CHROMIUM} is still missing`);
}

export interface Browser {
	context: BrowserContext;
	page: Page;
	/** Saves a full-window screenshot as `<n>-<name>.png` in SCREENSHOT_DIR; returns its path. */
	screenshot(name: string): Promise<string>;
	close(): Promise<void>;
}

let shotNumber = 0;

export async function launchBrowser(): Promise<Browser> {
	ensureChromium();
	// n8n marks its elements with data-test-id (as its own playwright tests use).
	selectors.setTestIdAttribute('data-test-id');
	fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'bls-chromium-'));
	const context = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM,
		headless: true,
		args: CHROMIUM_FLAGS,
		viewport: { width: 1440, height: 900 },
	});
	context.setDefaultTimeout(30_000);
	const page = context.pages()[0] ?? (await context.newPage());
	return {
		context,
		page,
		async screenshot(name) {
			shotNumber += 1;
			const file = path.join(
				SCREENSHOT_DIR,
				`${String(shotNumber).padStart(2, '0')}-${name.replace(/[^a-z0-9]+/gi, '-')}.png`,
			);
			await page.screenshot({ path: file }).catch(() => undefined);
			return file;
		},
		async close() {
			await context.close().catch(() => undefined);
			fs.rmSync(profile, { recursive: true, force: true });
		},
	};
}
