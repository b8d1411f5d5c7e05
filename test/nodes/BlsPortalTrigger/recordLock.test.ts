/**
 * The lock across n8n processes, on a workflow-scope row that answers like n8n's processed-data
 * store (see processedDataStore.ts). Real rows in real n8n processes: the queue suite (scenario 2b).
 */
import {
	LOCK_STALE_MS,
	lockRecord,
	unlockRecord,
	type LockOutcome,
} from '../../../nodes/BlsPortalTrigger/recordLock';
import { ProcessedDataStore } from './processedDataStore';

/** Runs `lockRecord` on fake time until it resolves. */
async function lockOnFakeTime(
	store: ProcessedDataStore,
	workflowKey: string,
): Promise<LockOutcome> {
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
		const store = new ProcessedDataStore();
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
		const store = new ProcessedDataStore();
		await lockRecord(store.helpers, 'wf-b'); // its holder never releases it

		const outcome = await lockOnFakeTime(store, 'wf-b');
		expect(outcome).toMatchObject({ locked: true, tookOver: true });
		expect((outcome as { waitedMs: number }).waitedMs).toBeGreaterThanOrEqual(LOCK_STALE_MS);
	});

	it("leaves a Remove Duplicates node's numbers alone and records without the lock", async () => {
		const store = new ProcessedDataStore();
		store.workflowRow = { mode: 'latestIncrementalKey', value: '42' };

		const outcome = await lockOnFakeTime(store, 'wf-c');
		expect(outcome).toEqual({
			locked: false,
			reason: expect.stringContaining('Remove Duplicates with Scope "Workflow"'),
		});
		expect(store.workflowRow).toEqual({ mode: 'latestIncrementalKey', value: '42' });
		// Known for a while: the next execution does not wait again.
		expect(await lockRecord(store.helpers, 'wf-c')).toMatchObject({ locked: false });
	});

	it('does not wait on a row recorded in another mode', async () => {
		const store = new ProcessedDataStore();
		store.workflowRow = { mode: 'entries', value: 'x' };
		expect(await lockRecord(store.helpers, 'wf-d')).toEqual({
			locked: false,
			reason: expect.stringContaining('Remove Duplicates'),
		});
		expect(store.workflowRow).toEqual({ mode: 'entries', value: 'x' });
	});
});
