import type { IExecuteFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

/**
 * A lock across n8n processes around the trigger's handled-event record.
 *
 * Why: n8n's processed-data store keeps one row per workflow and node and updates it read, modify,
 * write, with no lock (packages/cli/src/deduplication/deduplication-helper.ts, the same in n8n
 * 1.123.81 and 2.41.1). Two workers recording different events at once lose one of them; two
 * workers checking one event at once both see it as new. Within one process the trigger queues its
 * writes; across processes it needs this lock. (n8n's data tables have row-level operations, but
 * n8n hands them only to its own Data table nodes.)
 *
 * How: the one step of that store that is atomic is the first record of a row: it is an INSERT on
 * the table's primary key (workflow id, context), so of two processes inserting the same row one
 * fails. The lock is the workflow-scope row ('' context), recorded in mode "latestIncrementalKey"
 * with a value that is not a number:
 * - row absent: the store inserts it; only one process succeeds, it holds the lock;
 * - row present: comparing our value with the stored one throws ("Only numbers are supported")
 *   before the store writes anything, so a waiter never touches the holder's row;
 * - release: clear the row (a DELETE).
 *
 * A holder that dies while holding (a worker killed) leaves the row behind: a waiter that could
 * not take the lock for LOCK_STALE_MS clears it, after checking that the row is the lock and not a
 * Remove Duplicates node of this workflow using Scope "Workflow" (then the trigger works without
 * the lock and says so). Holding takes one read and one write of the record (milliseconds), far
 * below LOCK_STALE_MS; only a holder stalled for longer can overlap the process that took over, and
 * both then warn in n8n's log and the execution.
 */

/** Not a number, so a second process's record of it throws instead of writing (see above). */
const LOCK_VALUE = 'bls-portal-trigger-lock';
const LOCK_OPTIONS = { mode: 'latestIncrementalKey' } as const;
/** A number, so against the lock it throws (the row is the lock); against a number it is never larger. */
const PROBE_VALUE = String(-Number.MAX_VALUE);

/**
 * Waiters poll often: a holder with more events queued takes the lock again right after releasing
 * it, and a waiter must be able to find the row free in between.
 */
const POLL_MAX_MS = 20;

/** How long a waiter waits before it treats the lock as left behind by a process that died. */
export const LOCK_STALE_MS = 20_000;

export type LockOutcome =
	{ locked: true; waitedMs: number; tookOver: boolean } | { locked: false; reason: string };

type Helpers = Pick<
	IExecuteFunctions['helpers'],
	'checkProcessedAndRecord' | 'clearAllProcessedItems'
>;

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** The stored value is not a number: the row is held by a process running this lock. */
const isHeld = (message: string) => /only numbers are supported/i.test(message);
/** Another process inserted the row between our read and our insert (Postgres, SQLite, MySQL wording). */
const lostInsertRace = (message: string) => /duplicate|unique|primary/i.test(message);
/** The row was recorded by a node in another mode: Remove Duplicates with Scope "Workflow". */
const isOtherMode = (message: string) => /incompatible setting/i.test(message);

type Attempt = 'locked' | 'held' | 'foreign' | { failed: string };

async function tryToLock(helpers: Helpers): Promise<Attempt> {
	try {
		await helpers.checkProcessedAndRecord([LOCK_VALUE], 'workflow', LOCK_OPTIONS);
		return 'locked';
	} catch (error) {
		const message = messageOf(error);
		if (isHeld(message) || lostInsertRace(message)) return 'held';
		if (isOtherMode(message)) return 'foreign';
		return { failed: message };
	}
}

/**
 * What the workflow-scope row is: the lock (comparing a number with it throws), another node's
 * numbers (no throw; the number is never larger, so their record keeps its value), or absent (the
 * probe inserted it: cleared again at once).
 */
async function workflowRow(
	helpers: Helpers,
): Promise<'lock' | 'foreign' | 'absent' | { failed: string }> {
	let result: Awaited<ReturnType<Helpers['checkProcessedAndRecord']>>;
	try {
		result = await helpers.checkProcessedAndRecord([PROBE_VALUE], 'workflow', LOCK_OPTIONS);
	} catch (error) {
		const message = messageOf(error);
		if (isHeld(message)) return 'lock';
		if (lostInsertRace(message)) return 'absent';
		if (isOtherMode(message)) return 'foreign';
		return { failed: message };
	}
	if (result.processed.length > 0) return 'foreign';
	await helpers.clearAllProcessedItems('workflow', LOCK_OPTIONS);
	return 'absent';
}

const SHARED_ROW =
	'a node of this workflow (Remove Duplicates with Scope "Workflow") uses the row of n8n\'s processed-data store that the trigger locks its record with';

const refused = (message: string) => `n8n's processed-data store refused the lock (${message})`;

/**
 * Takes the lock for this workflow, waiting while another process holds it. Resolves unlocked (with
 * the reason) when the workflow-scope row belongs to another node or the store fails: the caller
 * then records without it and says so, rather than drop or hold back an event.
 */
export async function lockRecord(helpers: Helpers, workflowKey: string): Promise<LockOutcome> {
	if ((sharedRowSeenUntil.get(workflowKey) ?? 0) > Date.now())
		return { locked: false, reason: SHARED_ROW };
	const outcome = await waitForLock(helpers);
	if (!outcome.locked && outcome.reason === SHARED_ROW)
		sharedRowSeenUntil.set(workflowKey, Date.now() + SHARED_ROW_RECHECK_MS);
	return outcome;
}

/**
 * Workflows whose workflow-scope row another node uses, so that not every execution waits
 * LOCK_STALE_MS to find out again; looked at again after SHARED_ROW_RECHECK_MS.
 */
const sharedRowSeenUntil = new Map<string, number>();
const SHARED_ROW_RECHECK_MS = 10 * 60 * 1000;

async function waitForLock(helpers: Helpers): Promise<LockOutcome> {
	const started = Date.now();
	let waitingSince = started;
	let pause = 5;
	let tookOver = false;
	for (;;) {
		const outcome = await tryToLock(helpers);
		if (outcome === 'locked') return { locked: true, waitedMs: Date.now() - started, tookOver };
		if (outcome === 'foreign') return { locked: false, reason: SHARED_ROW };
		if (typeof outcome === 'object') return { locked: false, reason: refused(outcome.failed) };
		if (Date.now() - waitingSince >= LOCK_STALE_MS) {
			const row = await workflowRow(helpers);
			if (row === 'foreign') return { locked: false, reason: SHARED_ROW };
			if (typeof row === 'object') return { locked: false, reason: refused(row.failed) };
			if (row === 'lock') {
				// Left behind by a process that died (or stalled) while holding it.
				await helpers.clearAllProcessedItems('workflow', LOCK_OPTIONS);
				tookOver = true;
			}
			waitingSince = Date.now();
			continue;
		}
		await sleep(pause + Math.floor(Math.random() * pause));
		pause = Math.min(pause * 2, POLL_MAX_MS);
	}
}

export async function unlockRecord(helpers: Helpers): Promise<void> {
	await helpers.clearAllProcessedItems('workflow', LOCK_OPTIONS);
}
