import { OTHER, useSandboxedNode } from '../../sandboxedNode';

const node = useSandboxedNode();

describe('Account → Get Credits', () => {
	it('returns per-course credits and the GBP balance the sandbox holds', async () => {
		const [item] = await node.output({ resource: 'account', operation: 'getCredits' });
		const account = node.account();
		expect(item.json.booking_credits).toEqual(account.credits);
		expect(item.json.booking_money_balance).toBe(account.balance);
		expect(item.json.currency).toBe('GBP');
	});

	it("reports the signed-in account's own figures", async () => {
		const { items } = await node.run(
			{ resource: 'account', operation: 'getCredits' },
			{ account: OTHER },
		);
		expect(items[0].json.booking_money_balance).toBe(node.account(OTHER).balance);
	});
});
