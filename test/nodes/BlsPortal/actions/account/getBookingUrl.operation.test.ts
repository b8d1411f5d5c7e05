import { useSandboxedNode } from '../../sandboxedNode';

const node = useSandboxedNode();

describe('Account → Get Booking URL', () => {
	it("returns the account's public booking page", async () => {
		const [item] = await node.output({ resource: 'account', operation: 'getBookingUrl' });
		expect(item.json.booking_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/book\/.+/);
		expect(node.requestsTo('GET /booking-url')).toBe(1);
	});

	it('pairs one output item with each input item', async () => {
		const items = await node.output({ resource: 'account', operation: 'getBookingUrl' }, [
			{ json: {} },
			{ json: {} },
		]);
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
	});
});
