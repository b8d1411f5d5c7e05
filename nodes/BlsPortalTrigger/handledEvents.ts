import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { LOCK_STALE_MS, lockRecord, unlockRecord } from './recordLock';

/**
 * The persistent record of event ids this trigger already handed to its workflow, in n8n's
 * processed-data store (the one Remove Duplicates uses): in n8n's database, so it survives
 * restarts and every n8n process (main, webhook processes, workers) reads the same record.
 *
 * `webhook()` cannot reach that store; the execution stage can. n8n runs a node's `execute()`
 * with the items its `webhook()` returned, so the trigger passes each event on from there only
 * when its id is new. A repeat then ends its execution at the trigger, with no item, and nothing
 * downstream runs. The in-memory check in `webhook()` stays in front of it, so a retry the same
 * process already saw starts no execution at all.
 */

/**
 * Bounded like the in-memory record: the API retries for 75 minutes, and 10,000 ids is far more
 * events than one endpoint receives in that time. The oldest ids are dropped first.
 */
export const MAX_RECORDED_EVENT_IDS = 10_000;

/**
 * The store reads and rewrites one row per workflow and node without a lock, so two writes at once
 * could lose one id. Writes for one trigger node in this process go one at a time, each under the
 * lock shared by every n8n process (recordLock.ts). Ids that arrive while a write is in progress
 * wait and go into the next write together: a burst of deliveries costs one lock and one write per
 * batch instead of per delivery (those writes share n8n's database with every execution it saves).
 */
interface Waiting {
	ids: string[];
	/** Writes a batch through the execution that asked (its helpers reach n8n's store). */
	write: (ids: string[]) => Promise<Recorded>;
	resolve: (recorded: Recorded) => void;
	reject: (error: unknown) => void;
}
const waitingToRecord = new Map<string, Waiting[]>();

async function recordInBatches(
	key: string,
	ids: string[],
	write: Waiting['write'],
): Promise<Recorded> {
	return await new Promise<Recorded>((resolve, reject) => {
		const waiting = { ids, write, resolve, reject };
		const queue = waitingToRecord.get(key);
		if (queue) {
			queue.push(waiting);
			return;
		}
		waitingToRecord.set(key, [waiting]);
		void writeBatches(key);
	});
}

/** Writes what is waiting, batch after batch, until nothing is; the next caller then starts anew. */
async function writeBatches(key: string): Promise<void> {
	const queue = waitingToRecord.get(key) ?? [];
	while (queue.length > 0) {
		const batch = queue.splice(0);
		try {
			const recorded = await batch[0].write([...new Set(batch.flatMap((waiting) => waiting.ids))]);
			// An id new to the store is new for the first delivery that brought it, not for a second.
			const handedOut = new Set<string>();
			for (const waiting of batch) {
				const fresh = new Set(
					waiting.ids.filter((id) => recorded.fresh.has(id) && !handedOut.has(id)),
				);
				for (const id of fresh) handedOut.add(id);
				waiting.resolve({ fresh, warning: recorded.warning });
			}
		} catch (error) {
			for (const waiting of batch) waiting.reject(error);
		}
	}
	waitingToRecord.delete(key);
}

type RecordIds = (ids: string[]) => Promise<{ new: unknown[]; processed: unknown[] }>;

/**
 * Records `ids` and returns those that were new (the caller holds the lock, or says it has none).
 * Without the lock, the very first record of a node can fail on the table's primary key when
 * another process inserts it at the same moment: check once more, the row exists by then.
 */
async function recordNewIds(record: RecordIds, ids: string[]): Promise<Set<string>> {
	let result: Awaited<ReturnType<RecordIds>>;
	try {
		result = await record(ids);
	} catch {
		result = await record(ids);
	}
	const processed = new Set(result.processed.map(String));
	return new Set(ids.filter((id) => !processed.has(id)));
}

/** What recording under the lock found, and anything the execution should say about it. */
interface Recorded {
	fresh: Set<string>;
	warning?: string;
}

async function recordUnderLock(
	helpers: Pick<IExecuteFunctions['helpers'], 'checkProcessedAndRecord' | 'clearAllProcessedItems'>,
	record: RecordIds,
	ids: string[],
	workflowKey: string,
): Promise<Recorded> {
	const lock = await lockRecord(helpers, workflowKey);
	if (!lock.locked) {
		return {
			fresh: await recordNewIds(record, ids),
			warning: `The record of handled events is written without a lock across n8n processes: ${lock.reason}. With several n8n processes (queue mode) an event retried at another process can run twice.`,
		};
	}
	const heldSince = Date.now();
	let fresh: Set<string>;
	try {
		fresh = await recordNewIds(record, ids);
	} finally {
		// A holder that took longer than a waiter waits may have lost the lock to it: leave the row
		// (the waiter's, now) alone, and say so below.
		if (Date.now() - heldSince < LOCK_STALE_MS) await unlockRecord(helpers);
	}
	const heldMs = Date.now() - heldSince;
	if (heldMs >= LOCK_STALE_MS)
		return {
			fresh,
			warning: `Recording the handled events took ${Math.round(heldMs / 1000)} s, longer than other n8n processes wait for it (${LOCK_STALE_MS / 1000} s): one of them may have recorded at the same time, and an event retried there can run twice.`,
		};
	if (lock.tookOver)
		return {
			fresh,
			warning: `The lock on the record of handled events was held for ${LOCK_STALE_MS / 1000} s (an n8n process that stopped while recording, or a stalled database) and was taken over. If its holder was still recording, an event retried at another process can run twice.`,
		};
	return { fresh };
}

/**
 * The execution stage of the trigger: passes on the events whose ids were not recorded before,
 * and records them. Without the store (an n8n that does not offer it, or a database error) every
 * event passes, and the in-memory check in `webhook()` is all there is; the node says so.
 */
export async function passNewEvents(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const options = this.getNodeParameter('options', 0, {}) as { ignoreDuplicates?: boolean };
	// "Listen for test event" gets events meant for the test URL: they must not count as handled
	// for the active workflow.
	if (options.ignoreDuplicates === false || this.getMode() === 'manual') return [items];

	const ids = [
		...new Set(
			items
				.map((item) => item.json.event_id)
				.filter((id): id is string => typeof id === 'string' && id !== ''),
		),
	];
	if (ids.length === 0) return [items];

	const helpers = this.helpers as Partial<IExecuteFunctions['helpers']>;
	if (
		typeof helpers.checkProcessedAndRecord !== 'function' ||
		typeof helpers.clearAllProcessedItems !== 'function'
	) {
		warnMemoryOnly.call(this, 'this n8n version does not offer it to nodes');
		return [items];
	}
	const storeHelpers = this.helpers;
	const record: RecordIds = async (batch) =>
		await storeHelpers.checkProcessedAndRecord(batch, 'node', {
			mode: 'entries',
			maxEntries: MAX_RECORDED_EVENT_IDS,
		});

	const workflowId = this.getWorkflow().id ?? '';
	let recorded: Recorded;
	try {
		recorded = await recordInBatches(
			`${workflowId}/${this.getNode().name}`,
			ids,
			async (batch) => await recordUnderLock(storeHelpers, record, batch, workflowId),
		);
	} catch (error) {
		warnMemoryOnly.call(this, (error as Error)?.message ?? 'unknown error');
		return [items];
	}
	if (recorded.warning) warn.call(this, recorded.warning);
	const { fresh } = recorded;
	const passed = new Set<string>();
	return [
		items.filter((item) => {
			const id = item.json.event_id;
			if (typeof id !== 'string' || id === '') return true;
			if (!fresh.has(id) || passed.has(id)) return false;
			passed.add(id);
			return true;
		}),
	];
}

function warnMemoryOnly(this: IExecuteFunctions, reason: string): void {
	warn.call(
		this,
		`Duplicate deliveries are only recognised within this n8n process: n8n's processed-data store is not available (${reason}). A retry that arrives after a restart, or at another n8n process, runs the workflow again.`,
	);
}

function warn(this: IExecuteFunctions, message: string): void {
	this.logger.warn(
		`BLS Portal Trigger in workflow "${this.getWorkflow().name ?? ''}" (${this.getWorkflow().id ?? ''}): ${message}`,
	);
	if (typeof this.addExecutionHints === 'function')
		this.addExecutionHints({ message, location: 'outputPane' });
}
