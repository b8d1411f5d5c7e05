import type { IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { apiErrorOf } from '../../shared/transport';
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
			const operations: Record<string, BlsOperation | undefined> =
				resources[resource]?.operations ?? {};
			const handler = operations[operation];
			if (!handler) {
				throw new NodeOperationError(
					this.getNode(),
					`The operation "${operation}" of "${resource}" is not supported`,
					{
						itemIndex,
					},
				);
			}
			const output = await handler.execute.call(this, itemIndex);
			returnData.push(
				...this.helpers.constructExecutionMetaData(output, { itemData: { item: itemIndex } }),
			);
		} catch (error) {
			if (this.continueOnFail()) {
				const { message, description } = error as { message: string; description?: string | null };
				// The API's own status and allow-listed error body, so later nodes can branch on them.
				const api = apiErrorOf(error);
				returnData.push({
					json: {
						error: message,
						...(description ? { errorDescription: description } : {}),
						...(api?.status ? { httpCode: api.status } : {}),
						...(api?.body ? { apiError: api.body } : {}),
					},
					pairedItem: { item: itemIndex },
				});
				continue;
			}
			throw withItemIndex(error, this.getNode(), itemIndex);
		}
	}
	return [returnData];
}

/** Keeps the API's status and details on node errors while telling n8n which item failed. */
function withItemIndex(
	error: unknown,
	node: INode,
	itemIndex: number,
): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		error.context.itemIndex = itemIndex;
		return error;
	}
	return new NodeOperationError(node, error as Error, { itemIndex });
}
