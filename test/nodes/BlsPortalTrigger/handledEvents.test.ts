/**
 * The trigger's execution stage against a store that answers like n8n's processed-data store, with
 * a database's delay: the record is written in batches under the lock, and every event passes
 * exactly once. The real store, across real n8n processes: the queue-mode and restart suites.
 */
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { passNewEvents } from '../../../nodes/BlsPortalTrigger/handledEvents';
import { ProcessedDataStore } from './processedDataStore';

/** A store whose every call takes 5 ms, like a database round trip. */
const storeWithDelay = () => new ProcessedDataStore(5);

/** One execution of the trigger node with the events its webhook() passed on. */
async function execution(store: ProcessedDataStore, eventIds: string[], hints: string[] = []) {
	const items: INodeExecutionData[] = eventIds.map((id) => ({ json: { event_id: id } }));
	const context = {
		getInputData: () => items,
		getNodeParameter: () => ({}),
		getMode: () => 'webhook',
		getWorkflow: () => ({ id: 'wf1', name: 'Certificates' }),
		getNode: () => ({ name: 'BLS Portal Trigger' }),
		helpers: store.helpers,
		logger: { warn: () => undefined },
		addExecutionHints: (...added: Array<{ message: string }>) =>
			hints.push(...added.map((hint) => hint.message)),
	} as unknown as IExecuteFunctions;
	const [passed] = await passNewEvents.call(context);
	return passed.map((item) => String(item.json.event_id));
}

describe('the record of handled events', () => {
	it('writes a burst of deliveries in batches, each under the lock, and passes every event once', async () => {
		const store = storeWithDelay();
		const ids = Array.from({ length: 8 }, (_, i) => `evt_${i}`);
		const passed = await Promise.all(ids.map(async (id) => await execution(store, [id])));

		expect(passed).toEqual(ids.map((id) => [id]));
		// The first delivery is written alone; the seven that arrived meanwhile in one more write.
		expect(store.recordWrites).toBe(2);
		expect(store.workflowRowInserts).toBe(2);
		expect(store.workflowRow).toBeUndefined();
		expect([...store.recorded].sort()).toEqual([...ids].sort());
	});

	it('passes an event once when deliveries of it arrive together or later', async () => {
		const store = storeWithDelay();
		const together = await Promise.all(
			['evt_1', 'evt_1', 'evt_2', 'evt_1'].map(async (id) => await execution(store, [id])),
		);
		expect(together.flat().sort()).toEqual(['evt_1', 'evt_2']);
		expect(await execution(store, ['evt_1'])).toEqual([]);
		expect(await execution(store, ['evt_3'])).toEqual(['evt_3']);
	});

	it('passes a batch the store refused, says so, and writes the next one', async () => {
		const store = storeWithDelay();
		store.recordsToRefuse = 2;
		const hints: string[] = [];
		expect(await execution(store, ['evt_1'], hints)).toEqual(['evt_1']);
		expect(hints).toEqual([expect.stringContaining('SQLITE_BUSY')]);

		expect(await execution(store, ['evt_2'])).toEqual(['evt_2']);
		expect(store.recorded.has('evt_2')).toBe(true);
	});
});
