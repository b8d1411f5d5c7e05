import { execFileSync } from 'node:child_process';
/** The Markdown table of `npm run bench` and its closing notes. */
import type { Row, ScenarioResult } from './scenarios';

function formatValue(value: number | null, format: Row['format']): string {
	if (value === null || Number.isNaN(value)) return '—';
	switch (format) {
		case 'int':
			return Math.round(value).toLocaleString('en-GB');
		case 'ms':
			return `${value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en-GB')} ms`;
		case 's':
			return `${(value / 1000).toFixed(1)} s`;
		case 'ratio':
			return value.toFixed(2);
		case 'us':
			return `${value.toFixed(2)} µs`;
		case 'rate':
			return `${value.toFixed(0)} /s`;
	}
}

function ratioOf(row: Row): string {
	if (row.ratio !== undefined) return row.ratio;
	if (
		row.ours === null ||
		row.http === null ||
		Number.isNaN(row.ours) ||
		Number.isNaN(row.http) ||
		row.http === 0
	)
		return '—';
	return `${(row.ours / row.http).toFixed(2)}`;
}

export function markdownTable(results: ScenarioResult[]): string {
	const lines = [
		'| Scenario | Figure | BLS Portal node | HTTP Request way | Ratio (ours ÷ HTTP) | Minimum / goal | Met |',
		'|---|---|--:|--:|--:|--:|:-:|',
	];
	let previous = '';
	for (const row of results.flatMap((result) => result.rows)) {
		const scenario = row.scenario === previous ? '' : row.scenario;
		previous = row.scenario;
		const http =
			row.http === null && row.httpNote ? row.httpNote : formatValue(row.http, row.format);
		const met = row.meets === undefined ? '' : row.meets ? '✓' : (row.metNote ?? '✗');
		lines.push(
			`| ${scenario} | ${row.figure} | ${formatValue(row.ours, row.format)} | ${http} | ${ratioOf(row)} | ${row.target ?? '—'} | ${met} |`,
		);
	}
	return lines.join('\n');
}

type Facts = Record<string, string | number>;

const seconds = (ms: number | string) => `${(Number(ms) / 1000).toFixed(1)} s`;

/** Why a figure misses its minimum or goal, and what would close the gap (by the row's noteKey). */
const MISS_NOTES: Record<string, (row: Row, facts: Facts) => string> = {
	overFetch: (row) =>
		`**${row.scenario}: ${formatValue(row.ours, 'int')} item(s) fetched but not returned, more than the least a plan with the fewest ` +
		`calls can fetch (${row.target}).** Not expected: the node lays a limit out over the fewest pages with the least surplus. ` +
		'Check the page and per_page of its GET /bookings requests in the request log.',
	rateRatio: (row, f) =>
		`**${row.scenario}: wall time ÷ floor = ${formatValue(row.ours, 'ratio')} (goal ≤ 1.15).** Our node made ${f.oursCalls} calls ` +
		`in ${seconds(f.oursSpanMs)} against a floor of ${seconds(f.oursFloorMs)}. The floor counts only the windows that must pass; ` +
		'the rest is (a) Retry-After being whole seconds rounded up, so each wait ends up to 1 s after its window has closed, and ' +
		"(b) the last window's own pages, which the floor does not count. The node waits exactly what Retry-After says; " +
		'closing (a) needs a finer wait than the API tells (e.g. X-RateLimit-Reset, which the API does not send), and (b) is the ' +
		'time to read the pages themselves. Neither grows with the window, so at the real 60 s window the ratio is closer to 1.',
	throughput: (row, f) => {
		const ratio = Number(f.ratio);
		const control = Number(f.controlRatio);
		const against = `Against the control (a plain Webhook with an option set by an expression, in a workflow that also holds a credential) the trigger reaches ${(control * 100).toFixed(0)} %, `;
		const cause =
			control >= 0.95
				? against +
					"so most of the gap is what n8n adds for every webhook node other than its own Webhook node with static parameters: on n8n 2.x's default expression engine it takes an expression isolate for the webhook phase of each request (webhookPhaseNeedsIsolate in n8n's live-webhooks.ts), and it checks for every execution that the workflow may use its credentials. The trigger cannot avoid either; closing the gap is on n8n's side."
				: against +
					"so part of the gap is the trigger's own work per delivery: reading the raw body, the static data and its parameters, " +
					"the duplicate guard and its record in n8n's database, and building the item.";
		return (
			`**${row.scenario}: the trigger executes ${(ratio * 100).toFixed(0)} % of the plain Webhook's deliveries per second (goal ≥ 95 %).** ` +
			`A signature check costs ${Number(f.verifyUs).toFixed(1)} µs (HMAC alone ${Number(f.hmacUs).toFixed(1)} µs), about ` +
			`${((Number(f.verifyUs) / (1e6 / Number(f.plainRate))) * 100).toFixed(2)} % of the time n8n spends per delivery, so the check is not the cause. ${cause} ` +
			`The ratio is the median of paired rounds; single rounds ranged from ${(Number(f.ratioMin) * 100).toFixed(0)} % to ` +
			`${(Number(f.ratioMax) * 100).toFixed(0)} % in this run${Number(f.ratioMax) >= 0.95 ? ', so the goal is within that noise, not shown to be met or missed' : ''}.`
		);
	},
	listCalls: (row) =>
		`**${row.scenario}: ${formatValue(row.ours, 'int')} calls, above the minimum ${row.target}.** Not expected: the node reads ` +
		'pages of 100 and stops at meta.last_page. Check the request log for a token exchange or a repeated page.',
	limitCalls: (row) =>
		`**${row.scenario}: ${formatValue(row.ours, 'int')} calls, above the minimum ${row.target}.** Not expected: the node asks ` +
		'for the fewest pages that can hold the limit.',
	tokenExchanges: (row) =>
		`**${row.scenario}: ${formatValue(row.ours, 'int')} token exchanges/refreshes (minimum 1).** Not expected while the token ` +
		'lives: n8n keeps the token preAuthentication returned with the credential, so later executions reuse it.',
	tokenCalls: (row) =>
		`**${row.scenario}: ${formatValue(row.ours, 'int')} calls (minimum ${row.target}).** See token exchanges above.`,
	pacerBookingWait: (row) =>
		`**${row.scenario}: ${formatValue(row.ours, 'int')} booking(s) waited more than one slot.** While a sync fills the ` +
		'window, list pages leave a fifth of the budget to single calls made in the last window (12 of 60: six bookings of hold + ' +
		'create). A booking beyond that, or the first one after a quiet minute, is first in line for the next slot that frees, ' +
		'ahead of every page of the sync, but that slot frees only when the oldest request leaves the window (up to one window). ' +
		'A larger reserve would cost a sync that much throughput whenever bookings arrive; pacing pages evenly instead would ' +
		'make every large job take up to 1.7 × its floor.',
	bookCalls: (row) =>
		`**${row.scenario}: ${formatValue(row.ours, 'ratio')} calls per booking (minimum 2).** Not expected: Book is one hold and one create.`,
};

export function closingNotes(results: ScenarioResult[]): string[] {
	const notes: string[] = [];
	for (const result of results) {
		const seen = new Set<string>();
		for (const row of result.rows) {
			if (row.meets !== false) continue;
			const key = `${row.noteKey ?? 'generic'}|${row.scenario}`;
			if (seen.has(key)) continue;
			seen.add(key);
			const explain = row.noteKey ? MISS_NOTES[row.noteKey] : undefined;
			notes.push(
				explain
					? explain(row, result.facts)
					: `**${row.scenario}: ${row.figure} = ${formatValue(row.ours, row.format)}, goal ${row.target}.** Not expected; see the run's log.`,
			);
		}
	}
	return notes;
}

/**
 * The commit the bench ran at, and whether the work tree matched it: "abc1234 (clean tree)", or
 * "abc1234 + uncommitted changes (3 files)" when tracked files differ or new files are not ignored.
 */
export function gitCommit(cwd: string): string {
	try {
		const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd, stdio: 'pipe' })
			.toString()
			.trim();
		const changed = execFileSync('git', ['status', '--porcelain'], { cwd, stdio: 'pipe' })
			.toString()
			.split('\n')
			.filter((line) => line.trim() !== '').length;
		return changed
			? `${head} + uncommitted changes (${changed} file${changed === 1 ? '' : 's'})`
			: `${head} (clean tree)`;
	} catch {
		return 'unknown (not a git work tree)';
	}
}
