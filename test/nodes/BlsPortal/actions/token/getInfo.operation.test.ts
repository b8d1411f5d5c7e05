import { OTHER, useSandboxedNode } from '../../sandboxedNode';

const node = useSandboxedNode();

describe('Token → Get Info', () => {
	it('describes the token in use without handing the token on', async () => {
		const [item] = await node.output({ resource: 'token', operation: 'getInfo' });
		expect(item.json).toMatchObject({
			hb_client_id: node.sandbox.accounts[0].hbClientId,
			token_type: 'Bearer',
		});
		expect(Number(item.json.expires_in)).toBeGreaterThan(3500);
		const stored = node.harness.credentials.stored(node.harness.credentialId);
		expect(JSON.stringify(item.json)).not.toContain(String(stored.accessToken));
		expect(JSON.stringify(item.json)).not.toContain(String(stored.refreshToken));
	});

	it('reports the account the credential belongs to', async () => {
		const { items } = await node.run(
			{ resource: 'token', operation: 'getInfo' },
			{ account: OTHER },
		);
		expect(items[0].json.hb_client_id).toBe(node.sandbox.accounts[OTHER].hbClientId);
	});
});
