/**
 * The lock across n8n processes, against a workflow-scope row that answers like n8n's
 * processed-data store (packages/cli/src/deduplication/deduplication-helper.ts): the first record
 * inserts the row, a later one in mode latestIncrementalKey compares numbers and throws on anything
 * else, another mode throws "incompatible setting". Real rows in real n8n processes: the queue suite
 * (scenario 2b).
 */
import {
	LOCK_STALE_MS,
	lockRecord,
	unlockRecord,
	type LockOutcome,
} from '../../../nodes/BlsPortalTrigger/recordLock';

interface Row {
	mode: string;
	value: string;
}

class WorkflowRow {
	row: Row | undefined;

	readonly helpers = {
		checkProcessedAndRecord: async (
			values: string[],
			_scope: 'node' | 'workflow',
			options: { mode: string },
		) => {
			await Promise.resolve();
			const [value] = values;
			if (this.row === undefined) {
				this.row = { mode: options.mode, value };
				return { new: values, processed: [] };
			}
			if (this.row.mode !== options.mode)
				throw new Error('Deduplication data was originally saved with an incompatible setting');
			if (Number.isNaN(Number(value)) || Number.isNaN(Number(this.row.value)))
				throw new Error('Only numbers are supported in mode latestIncrementalKey');
			if (Number(value) <= Number(this.row.value)) return { new: [], processed: values };
			this.row.value = value;
			return { new: values, processed: [] };
		},
		clearAllProcessedItems: async () => {
			await Promise.resolve();
			this.row = undefined;
		},
	};
}

/** Runs `lockRecord` on fake time until it resolves. */
async function lockOnFakeTime(store: WorkflowRow, workflowKey: string): Promise<LockOutcome> {
	let outcome: LockOutcome | undefined;
	void lockRecord(store.helpers, workflowKey).then((result) => (outcome = result));
	for (let waited = 0; outcome === undefined && waited < 3 * LOCK_STALE_MS; waited += 1000)
		await jest.advanceTimersByTimeAsync(1000);
	if (outcome === undefined) throw new Error('lockRecord did not resolve');
	return outcome;
}

describe('the lock on the record of handled events', () => {
	beforeEach(() => jest.useFakeTimers());
	afterEach(() => jest.useRealTimers());

	it('lets one holder in at a time; a waiter gets the lock once it is released', async () => {
		const store = new WorkflowRow();
		expect(await lockRecord(store.helpers, 'wf-a')).toMatchObject({ locked: true });

		let second: LockOutcome | undefined;
		void lockRecord(store.helpers, 'wf-a').then((result) => (second = result));
		await jest.advanceTimersByTimeAsync(500);
		expect(second).toBeUndefined();

		await unlockRecord(store.helpers);
		await jest.advanceTimersByTimeAsync(100);
		expect(second).toMatchObject({ locked: true, tookOver: false });
		expect((second as { waitedMs: number }).waitedMs).toBeGreaterThanOrEqual(500);
	});

	it('takes over a lock left by a process that died, after LOCK_STALE_MS, and says so', async () => {
		const store = new WorkflowRow();
		await lockRecord(store.helpers, 'wf-b'); // its holder never releases it

		const outcome = await lockOnFakeTime(store, 'wf-b');
		expect(outcome).toMatchObject({ locked: true, tookOver: true });
		expect((outcome as { waitedMs: number }).waitedMs).toBeGreaterThanOrEqual(LOCK_STALE_MS);
	});

	it("leaves a Remove Duplicates node's numbers alone and records without the lock", async () => {
		const store = new WorkflowRow();
		store.row = { mode: 'latestIncrementalKey', value: '42' };

		const outcome = await lockOnFakeTime(store, 'wf-c');
		expect(outcome).toEqual({
			locked: false,
			reason: expect.stringContaining('Remove Duplicates with Scope "Workflow"'),
		});
		expect(store.row).toEqual({ mode: 'latestIncrementalKey', value: '42' });
		// Known for a while: the next execution does not wait again.
		expect(await lockRecord(store.helpers, 'wf-c')).toMatchObject({ locked: false });
	});

	it('does not wait on a row recorded in another mode', async () => {
		const store = new WorkflowRow();
		store.row = { mode: 'entries', value: 'x' };
		expect(await lockRecord(store.helpers, 'wf-d')).toEqual({
			locked: false,
			reason: expect.stringContaining('Remove Duplicates'),
		});
		expect(store.row).toEqual({ mode: 'entries', value: 'x' });
	});
});
