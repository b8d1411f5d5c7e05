import {
	CANNOT_COMPLETE,
	dialectWithout,
	fewestCalls,
	listReadable,
	testDialect,
} from '../../../../harness/dialect';
import { idsOf, useSandboxedNode } from '../../sandboxedNode';
import { trueList } from '../trueList';

const node = useSandboxedNode({ bookings: 150 });

/** The number of transactions of the demo account, read straight from the sandbox's API (default dialect). */
async function transactionsTotal(): Promise<number> {
	const total = (await trueList(node.sandbox, '/transactions')).length;
	node.sandbox.clearRequests();
	return total;
}

describe('Account → Get Many Transactions', () => {
	it('returns the whole history on Return All, each transaction once, in the fewest pages', async () => {
		const total = await transactionsTotal();
		expect(total).toBeGreaterThan(100);
		if (!listReadable(total)) {
			const { error } = await node.run({
				resource: 'account',
				operation: 'getManyTransactions',
				returnAll: true,
			});
			expect(error?.message).toMatch(CANNOT_COMPLETE);
			return;
		}
		const all = await node.output({
			resource: 'account',
			operation: 'getManyTransactions',
			returnAll: true,
		});
		expect(all).toHaveLength(total);
		expect(new Set(idsOf(all)).size).toBe(total);
		// ceil(total / 100) in the default dialect; the fewest the server's page size allows in others.
		expect(node.requestsTo('GET /transactions')).toBe(fewestCalls(total));
	});

	it('asks only for the pages the Limit needs', async () => {
		const some = await node.output({
			resource: 'account',
			operation: 'getManyTransactions',
			limit: 7,
		});
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
		// The point is the recorded transaction: read the history from a server that honours `page`
		// (what a server that ignores it does to Return All is the test above).
		node.sandbox.setDialect(dialectWithout(testDialect, 'page-ignored'));
		const all = await node
			.output({ resource: 'account', operation: 'getManyTransactions', returnAll: true })
			.finally(() => node.sandbox.setDialect([...testDialect]));
		expect(all).toHaveLength(before + 1);
		const latest = all.reduce((a, b) => (Number(b.json.id) > Number(a.json.id) ? b : a));
		expect(latest.json.amount).toBeLessThan(0);
		expect(latest.json.balance_after).toBe(node.account().balance);
	});
});
