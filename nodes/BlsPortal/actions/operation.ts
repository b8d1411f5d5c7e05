import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

/** One operation: its editor fields and what it does for one input item. */
export interface BlsOperation {
	description: INodeProperties[];
	execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]>;
}

/** A resource: its operation picker plus every operation, keyed by the picker's values. */
export interface BlsResource<Operation extends string = string> {
	operations: Record<Operation, BlsOperation>;
	description: INodeProperties[];
}
