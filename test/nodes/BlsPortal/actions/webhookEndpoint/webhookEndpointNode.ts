import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { SandboxedNode } from '../../sandboxedNode';

/** Creates an endpoint through the node's Webhook Endpoint → Create and returns its output. */
export async function createEndpoint(
	node: SandboxedNode,
	parameters: INodeParameters = {},
): Promise<IDataObject> {
	const [item] = await node.output({
		resource: 'webhookEndpoint',
		operation: 'create',
		url: 'https://hooks.example.com/bls',
		events: ['booking.created'],
		...parameters,
	});
	return item.json;
}

/** The parameters of an operation on one endpoint, picked by ID. */
export const onEndpoint = (
	operation: string,
	id: unknown,
	extra: INodeParameters = {},
): INodeParameters => ({
	resource: 'webhookEndpoint',
	operation,
	webhookId: { mode: 'id', value: String(id) },
	...extra,
});

/** The sandbox's copy of an endpoint (never with its secret). */
export const portalEndpoint = (node: SandboxedNode, id: unknown): IDataObject | undefined =>
	(node.account().webhooks as IDataObject[]).find((endpoint) => endpoint.id === id);
