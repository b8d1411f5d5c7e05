#!/usr/bin/env node
/**
 * `npm run scan:package` (part of `npm run lint`): n8n's own community-package scanner
 * (@n8n/scan-community-package) on what `npm pack` would publish, unpacked, with every `.js`,
 * `.ts` and `.json` in it. Its CLI looks packages up on the registry by name, so this calls its
 * exported analyzePackage. It scans the TypeScript source (nodes/, credentials/, package.json) the
 * same way: the scanner ignores inline `eslint-disable` comments, so none may be needed there.
 * Needs a build (dist/); exits non-zero with the scanner's report on any violation, or when
 * declaration files would be shipped.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

import { analyzePackage } from '@n8n/scan-community-package/scanner/scanner.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'bls-scan-'));
try {
	const packed = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
			cwd: repo,
			encoding: 'utf8',
		}),
	)[0];
	const unpacked = path.join(work, 'package');
	fs.mkdirSync(unpacked);
	execFileSync('tar', [
		'-xzf',
		path.join(work, packed.filename),
		'-C',
		unpacked,
		'--strip-components=1',
	]);

	const declarations = packed.files
		.filter((file) => file.path.endsWith('.d.ts'))
		.map((file) => file.path);
	const source = path.join(work, 'source');
	for (const entry of ['nodes', 'credentials', 'package.json'])
		fs.cpSync(path.join(repo, entry), path.join(source, entry), { recursive: true });
	const results = [
		['packed tarball', await analyzePackage(unpacked)],
		['TypeScript source', await analyzePackage(source)],
	];
	let failed = declarations.length > 0;
	if (failed)
		process.stdout.write(`The package ships declaration files: ${declarations.join(', ')}\n`);
	for (const [what, result] of results) {
		process.stdout.write(
			`${result.passed ? 'passed' : 'FAILED'}: n8n community-package scan of the ${what}${result.message ? ` (${result.message})` : ''}\n`,
		);
		if (!result.passed) {
			failed = true;
			if (result.details) process.stdout.write(`${result.details}\n`);
		}
	}
	process.stdout.write(
		`${packed.filename}: ${packed.files.length} files, ${packed.size} bytes packed\n`,
	);
	process.exitCode = failed ? 1 : 0;
} finally {
	fs.rmSync(work, { recursive: true, force: true });
}
