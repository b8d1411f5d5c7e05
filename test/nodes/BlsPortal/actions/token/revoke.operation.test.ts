import { useSandboxedNode } from '../../sandboxedNode';

const node = useSandboxedNode();

describe('Token → Revoke', () => {
	it('revokes the token in use; the next run signs in again by itself', async () => {
		await node.output({ resource: 'token', operation: 'getInfo' });
		const revokedToken = String(
			node.harness.credentials.stored(node.harness.credentialId).accessToken,
		);

		const [item] = await node.output({ resource: 'token', operation: 'revoke' });
		expect(item.json).toMatchObject({ revoked: true });
		expect(JSON.stringify(item.json)).not.toContain(revokedToken);

		const dead = await fetch(`${node.sandbox.apiUrl}/auth/token-info`, {
			headers: { authorization: `Bearer ${revokedToken}` },
		});
		expect(dead.status).toBe(401);

		node.sandbox.clearRequests();
		const [info] = await node.output({ resource: 'token', operation: 'getInfo' });
		expect(info.json.hb_client_id).toBe(node.sandbox.accounts[0].hbClientId);
		// The revoked refresh token is refused, so the node exchanges the API key again.
		const log = node.sandbox.requests();
		expect(log.tokenExchanges).toBe(1);
		expect(node.harness.credentials.stored(node.harness.credentialId).accessToken).not.toBe(
			revokedToken,
		);
	});
});
