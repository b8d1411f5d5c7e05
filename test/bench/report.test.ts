import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gitCommit } from '../../bench/report';

/** A throw-away repository with one commit. */
function repository(): { dir: string; head: string } {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bls-bench-commit-'));
	const git = (...args: string[]) =>
		execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.test', ...args], {
			cwd: dir,
		})
			.toString()
			.trim();
	git('init', '-q');
	fs.writeFileSync(path.join(dir, 'a.txt'), 'one\n');
	fs.writeFileSync(path.join(dir, '.gitignore'), 'ignored/\n');
	git('add', '-A');
	git('commit', '-q', '-m', 'first');
	return { dir, head: git('rev-parse', '--short', 'HEAD') };
}

describe('the commit a bench report names', () => {
	let repo: { dir: string; head: string };
	beforeEach(() => {
		repo = repository();
	});
	afterEach(() => fs.rmSync(repo.dir, { recursive: true, force: true }));

	it('is HEAD, marked clean when the tree matches it (ignored files do not count)', () => {
		fs.mkdirSync(path.join(repo.dir, 'ignored'));
		fs.writeFileSync(path.join(repo.dir, 'ignored', 'result.md'), 'x');
		expect(gitCommit(repo.dir)).toBe(`${repo.head} (clean tree)`);
	});

	it('says how many files differ: changed tracked files and new files alike', () => {
		fs.writeFileSync(path.join(repo.dir, 'a.txt'), 'two\n');
		expect(gitCommit(repo.dir)).toBe(`${repo.head} + uncommitted changes (1 file)`);
		fs.writeFileSync(path.join(repo.dir, 'new.ts'), 'export {};\n');
		expect(gitCommit(repo.dir)).toBe(`${repo.head} + uncommitted changes (2 files)`);
	});

	it('says so outside a git work tree', () => {
		const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'bls-bench-nogit-'));
		try {
			expect(gitCommit(bare)).toBe('unknown (not a git work tree)');
		} finally {
			fs.rmSync(bare, { recursive: true, force: true });
		}
	});
});
