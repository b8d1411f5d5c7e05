import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { BlsOperation } from './operation';
import { resources, type ResourceName } from './resources';

/** Runs the chosen operation once per input item, pairing each output with its input. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const returnData: INodeExecutionData[] = [];

	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const resource = this.getNodeParameter('resource', itemIndex) as ResourceName;
			const operation = this.getNodeParameter('operation', itemIndex) as string;
			const operations: Record<string, BlsOperation | undefined> = resources[resource]?.operations ?? {};
			const handler = operations[operation];
			if (!handler) {
				throw new NodeOperationError(this.getNode(), `The operation "${operation}" of "${resource}" is not supported`, {
					itemIndex,
				});
			}
			const output = await handler.execute.call(this, itemIndex);
			returnData.push(...this.helpers.constructExecutionMetaData(output, { itemData: { item: itemIndex } }));
		} catch (error) {
			if (this.continueOnFail()) {
				const { message, description } = error as { message: string; description?: string | null };
				returnData.push({
					json: { error: message, ...(description ? { errorDescription: description } : {}) },
					pairedItem: { item: itemIndex },
				});
				continue;
			}
			if (error instanceof NodeApiError || error instanceof NodeOperationError) error.context.itemIndex = itemIndex;
			throw error;
		}
	}
	return [returnData];
}
