import { idsOf, useSandboxedNode } from '../../sandboxedNode';

const node = useSandboxedNode({ bookings: 150 });

/** The number of transactions the sandbox reports for the demo account, read straight from its API. */
async function transactionsTotal(): Promise<number> {
	const [account] = node.sandbox.accounts;
	const token = (await (
		await fetch(`${node.sandbox.apiUrl}/auth/token`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ hb_client_id: account.hbClientId, api_key: account.apiKey }),
		})
	).json()) as { access_token: string };
	const page = (await (
		await fetch(`${node.sandbox.apiUrl}/transactions?per_page=1`, {
			headers: { authorization: `Bearer ${token.access_token}` },
		})
	).json()) as { meta: { total: number } };
	node.sandbox.clearRequests();
	return page.meta.total;
}

describe('Account → Get Many Transactions', () => {
	it('returns the whole history on Return All, each transaction once, in the fewest pages', async () => {
		const total = await transactionsTotal();
		expect(total).toBeGreaterThan(100);
		const all = await node.output({ resource: 'account', operation: 'getManyTransactions', returnAll: true });
		expect(all).toHaveLength(total);
		expect(new Set(idsOf(all)).size).toBe(total);
		expect(node.requestsTo('GET /transactions')).toBe(Math.ceil(total / 100));
	});

	it('asks only for the pages the Limit needs', async () => {
		const some = await node.output({ resource: 'account', operation: 'getManyTransactions', limit: 7 });
		expect(some).toHaveLength(7);
		expect(node.requestsTo('GET /transactions')).toBe(1);
	});

	it('records a booking paid from the balance as a transaction', async () => {
		const before = await transactionsTotal();
		const hold = await node.hold();
		await node.output({
			resource: 'booking',
			operation: 'create',
			holdHash: String(hold.hold_hash),
			firstName: 'Ada',
			lastName: 'Balance',
			email: 'ada@example.com',
			payOption: 'balance',
			// Given, so the booking goes through a server that requires the postal address too.
			additionalFields: { address: '1 Ledger Lane', city: 'Leeds', postcode: 'LS1 1AA' },
		});
		const all = await node.output({ resource: 'account', operation: 'getManyTransactions', returnAll: true });
		expect(all).toHaveLength(before + 1);
		const latest = all.reduce((a, b) => (Number(b.json.id) > Number(a.json.id) ? b : a));
		expect(latest.json.amount).toBeLessThan(0);
		expect(latest.json.balance_after).toBe(node.account().balance);
	});
});
