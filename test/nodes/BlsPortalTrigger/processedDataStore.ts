/**
 * One workflow's rows in a store that answers like n8n's processed-data store
 * (packages/cli/src/deduplication/deduplication-helper.ts): the trigger node's record of ids
 * (mode "entries") and the workflow-scope row its lock uses. A first record inserts a row; a later
 * one in mode latestIncrementalKey compares numbers and throws on anything else; another mode
 * throws "incompatible setting". Real rows in real n8n processes: the queue suite.
 */
import { sleep } from 'n8n-workflow';

type Scope = 'node' | 'workflow';

export class ProcessedDataStore {
	workflowRow: { mode: string; value: string } | undefined;
	readonly recorded = new Set<string>();
	/** Writes of the node's record, and inserts of the workflow-scope row (locks taken). */
	recordWrites = 0;
	workflowRowInserts = 0;
	/** Record attempts to refuse (the trigger tries a failed record once more). */
	recordsToRefuse = 0;

	/** `delayMs`: a database round trip, so that callers overlap (0 under fake timers). */
	constructor(private readonly delayMs = 0) {}

	private async roundTrip() {
		if (this.delayMs > 0) await sleep(this.delayMs);
		else await Promise.resolve();
	}

	readonly helpers = {
		checkProcessedAndRecord: async (values: string[], scope: Scope, options: { mode: string }) => {
			await this.roundTrip();
			return scope === 'workflow'
				? this.recordInWorkflowRow(values, options.mode)
				: this.recordIds(values);
		},
		clearAllProcessedItems: async (scope: Scope) => {
			await this.roundTrip();
			if (scope === 'workflow') this.workflowRow = undefined;
			else this.recorded.clear();
		},
	};

	private recordInWorkflowRow(values: string[], mode: string) {
		const [value] = values;
		if (this.workflowRow === undefined) {
			this.workflowRow = { mode, value };
			this.workflowRowInserts++;
			return { new: values, processed: [] };
		}
		if (this.workflowRow.mode !== mode)
			throw new Error('Deduplication data was originally saved with an incompatible setting');
		if (Number.isNaN(Number(value)) || Number.isNaN(Number(this.workflowRow.value)))
			throw new Error('Only numbers are supported in mode latestIncrementalKey');
		if (Number(value) <= Number(this.workflowRow.value)) return { new: [], processed: values };
		this.workflowRow.value = value;
		return { new: values, processed: [] };
	}

	private recordIds(ids: string[]) {
		if (this.recordsToRefuse > 0) {
			this.recordsToRefuse--;
			throw new Error('SQLITE_BUSY: database is locked');
		}
		expect(this.workflowRow).toBeDefined(); // the trigger writes its record only under the lock
		this.recordWrites++;
		const processed = ids.filter((id) => this.recorded.has(id));
		for (const id of ids) this.recorded.add(id);
		return { new: ids.filter((id) => !processed.includes(id)), processed };
	}
}
