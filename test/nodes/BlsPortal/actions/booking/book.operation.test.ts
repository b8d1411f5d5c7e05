import type { INodeParameters } from 'n8n-workflow';

import { DEMO, PAEDIATRIC_NO_CREDITS, PRACTICAL, candidateParameters, useSandboxedNode } from '../../sandboxedNode';

const node = useSandboxedNode();

const book = (slot: { date: string; time: string }, changes: INodeParameters = {}): INodeParameters => ({
	resource: 'booking',
	operation: 'book',
	courseId: PRACTICAL,
	...slot,
	...candidateParameters,
	...changes,
});

describe('Booking → Book', () => {
	it('holds and books in one step, creating the booking exactly once', async () => {
		const bookings = node.account(DEMO).bookings;
		const slot = await node.freeSlot();
		const [booking] = await node.output(book(slot));
		expect(booking.json).toMatchObject({ status: 'booked', course_id: PRACTICAL, ...slot, email: 'jane@example.com' });
		expect(node.account(DEMO).bookings).toBe(bookings + 1);
		expect(node.account(DEMO).activeHold).toBeNull();
		expect(node.requestsTo('POST /timeslots/hold')).toBe(1);
		expect(node.requestsTo('POST /bookings')).toBe(1);
	});

	it('releases the hold when the API rejects the booking, and reports the API’s reason', async () => {
		const bookings = node.account(DEMO).bookings;
		const slot = await node.freeSlot(PAEDIATRIC_NO_CREDITS);
		const { error } = await node.run(book(slot, { courseId: PAEDIATRIC_NO_CREDITS }));
		expect(error?.message).toMatch(/No booking credits left for Paediatric BLS/);
		expect(error?.description).toMatch(/hold \([A-Za-z0-9]{32}\) was released; no booking was made/);
		expect(node.account(DEMO).activeHold).toBeNull();
		expect(node.account(DEMO).bookings).toBe(bookings);
		expect(node.requestsTo('DELETE /timeslots/hold/{holdHash}')).toBe(1);
	});

	it('never sends the booking twice on a server error, and still releases the hold', async () => {
		const bookings = node.account(DEMO).bookings;
		node.sandbox.addFault({ status: 500, method: 'POST', path: '/bookings', count: 3 });
		const slot = await node.freeSlot();
		const { error } = await node.run(book(slot));
		expect(error?.message).toMatch(/BLS Portal server error \(500\)/);
		expect(error?.description).toMatch(/was released/);
		expect(node.requestsTo('POST /bookings')).toBe(1);
		expect(node.account(DEMO).bookings).toBe(bookings);
		expect(node.account(DEMO).activeHold).toBeNull();
	});

	it('does not book when another hold is active, and leaves that hold alone', async () => {
		const existing = await node.hold();
		const slot = await node.freeSlot();
		const { error } = await node.run(book(slot));
		expect(error?.message).toMatch(/Another timeslot hold is active/);
		expect(node.requestsTo('POST /bookings')).toBe(0);
		expect(node.account(DEMO).activeHold?.holdHash).toBe(existing.hold_hash);
	});

	it('checks every field before holding, so a typo leaves no hold behind', async () => {
		const slot = await node.freeSlot();
		const { error } = await node.run(book(slot, { email: 'not-an-email' }));
		expect(error?.message).toMatch(/Email: must be an email address/);
		expect(node.requestsTo('POST /timeslots/hold')).toBe(0);
		expect(node.account(DEMO).activeHold).toBeNull();
	});

	it('with Continue On Fail, puts each item’s error on that item and books the others', async () => {
		const bookings = node.account(DEMO).bookings;
		const slot = await node.freeSlot();
		const emails = ['first@example.com', 'broken', 'third@example.com'];
		const { items, error } = await node.run(book(slot, { email: '={{ $json.email }}' }), {
			items: emails.map((email) => ({ json: { email } })),
			continueOnFail: true,
		});
		expect(error).toBeUndefined();
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[0].json.email).toBe('first@example.com');
		expect(items[1].json.error).toMatch(/Email: must be an email address/);
		expect(items[2].json.email).toBe('third@example.com');
		expect(node.account(DEMO).bookings).toBe(bookings + 2);
		expect(node.account(DEMO).activeHold).toBeNull();
	});
});
