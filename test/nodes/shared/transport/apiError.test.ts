import { NodeApiError, NodeOperationError, type INode } from 'n8n-workflow';

import { apiErrorBody, asNodeError } from '../../../../nodes/shared/transport/apiError';
import { useSandboxedNode } from '../../BlsPortal/sandboxedNode';

const node = useSandboxedNode();

describe('the API error body on the error', () => {
	it('keeps only allow-listed fields: never a token or a secret', () => {
		const kept = apiErrorBody({
			message: 'The given data was invalid.',
			errors: { email: ['The email field must be a valid email address.'] },
			secret: 'whsec_abc',
			access_token: 'tok',
			data: { hold_hash: 'h1', expires_at: '2026-06-05T10:30:00Z', refresh_token: 'r' },
		});
		expect(kept).toEqual({
			message: 'The given data was invalid.',
			errors: { email: ['The email field must be a valid email address.'] },
			hold_hash: 'h1',
			expires_at: '2026-06-05T10:30:00Z',
		});
		expect(apiErrorBody({ secret: 'whsec_abc' })).toBeUndefined();
	});

	it('reaches a Continue On Fail item, so a later node can branch on the API’s own fields', async () => {
		const held = await node.hold();
		const slot = await node.freeSlot();
		const { items, error } = await node.run(
			{ resource: 'timeslot', operation: 'hold', courseId: 1, ...slot },
			{ continueOnFail: true },
		);
		expect(error).toBeUndefined();
		expect(items[0].json).toMatchObject({
			error: expect.stringMatching(/Another timeslot hold is active/),
			httpCode: 409,
			apiError: { message: expect.any(String), hold_hash: held.hold_hash },
		});
	});
});

describe('an error passed on after handling some failures (asNodeError)', () => {
	const blsNode: INode = {
		id: 'bls',
		name: 'BLS Portal',
		type: 'n8n-nodes-bls-portal.blsPortal',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};

	it('is the transport’s node error itself', () => {
		const apiError = new NodeApiError(blsNode, { message: 'Not found' }, { httpCode: '404' });
		const operationError = new NodeOperationError(blsNode, 'Limit must be at least 1');
		expect(asNodeError(blsNode, apiError)).toBe(apiError);
		expect(asNodeError(blsNode, operationError)).toBe(operationError);
	});

	it('wraps anything else in a NodeOperationError that keeps its message', () => {
		const wrapped = asNodeError(blsNode, new TypeError('socket hang up'));
		expect(wrapped).toBeInstanceOf(NodeOperationError);
		expect(wrapped.message).toBe('socket hang up');
		expect(asNodeError(blsNode, 'plain text').message).toBe('plain text');
	});
});
