/**
 * The README's Benchmarks section quotes the latest run: its tables are bench/results/latest.md's,
 * row for row, and every figure its prose quotes is in that file. After `npm run bench` writes a new
 * latest.md, this fails until the README quotes the new run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const latest = fs.readFileSync(path.join(root, 'bench', 'results', 'latest.md'), 'utf8');

/** The README's Benchmarks section, up to the next section. */
const section = (() => {
	const start = readme.indexOf('\n## Benchmarks\n');
	const end = readme.indexOf('\n## ', start + 1);
	if (start === -1 || end === -1) throw new Error('README.md has no "## Benchmarks" section');
	return readme.slice(start, end);
})();

const tableRows = (text: string) => text.split('\n').filter((line) => line.startsWith('|'));

/** Numbers in the prose that are not figures of the run, each with why. */
const NOT_FROM_THE_RUN: Record<string, string> = {
	'95': 'the goal, stated as "95 %" (the table says ratio ≥ 0.95)',
	'7–9': 'scenario numbers',
};

describe("README's Benchmarks section", () => {
	it('shows the tables of bench/results/latest.md, row for row', () => {
		expect(tableRows(section)).toEqual(tableRows(latest));
	});

	it('quotes only figures that bench/results/latest.md holds', () => {
		const prose = section.slice(0, section.indexOf('\n|'));
		const quoted = [...new Set(prose.match(/\d[\d.,]*(?:–[\d.,]+)?/g) ?? [])]
			.map((number) => number.replace(/[.,]+$/, ''))
			.filter((number) => !(number in NOT_FROM_THE_RUN));
		const inLatest = (number: string) =>
			new RegExp(`(^|[^\\d.,])${number.replace(/[.]/g, '\\.')}($|[^\\d.,]|[.,](?!\\d))`).test(
				latest,
			);
		expect(quoted.filter((number) => !inLatest(number))).toEqual([]);
	});
});
