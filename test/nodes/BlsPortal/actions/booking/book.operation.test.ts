import type { INodeParameters } from 'n8n-workflow';

import { N8nHarness } from '../../../../harness/n8n';
import { ApiProxy } from '../../../../resilience/support';
import {
	DEMO,
	PAEDIATRIC_NO_CREDITS,
	PRACTICAL,
	candidateParameters,
	useSandboxedNode,
} from '../../sandboxedNode';

const node = useSandboxedNode();

const book = (
	slot: { date: string; time: string },
	changes: INodeParameters = {},
): INodeParameters => ({
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
		expect(booking.json).toMatchObject({
			status: 'booked',
			course_id: PRACTICAL,
			...slot,
			email: 'jane@example.com',
		});
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
		expect(error?.description).toMatch(
			/hold \([A-Za-z0-9]{32}\) was released; no booking was made/,
		);
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

describe('Booking → Book when the answer to the booking is lost', () => {
	let proxy: ApiProxy;
	let proxied: N8nHarness;
	const other = { firstName: 'Other', lastName: 'Person', email: 'other@example.com' };

	beforeAll(async () => {
		proxy = await ApiProxy.start(node.sandbox.origin);
		const [demo] = node.sandbox.accounts;
		proxied = new N8nHarness({
			clientId: demo.hbClientId,
			apiKey: demo.apiKey,
			baseUrl: proxy.apiUrl,
		});
	});
	afterAll(async () => await proxy.stop());

	let candidates = 0;
	/** A new candidate each time, so bookings of earlier tests never match. */
	const fresh = () => ({ email: `lost-${++candidates}@example.com` });
	/** A slot with room for three more bookings. */
	const roomySlot = async () => {
		const slots = await node.output({
			resource: 'timeslot',
			operation: 'getMany',
			courseId: PRACTICAL,
			limit: 100,
		});
		const slot = slots.find((item) => Number(item.json.spaces_available) >= 3);
		if (!slot) throw new Error('no slot with three free places');
		return { date: String(slot.json.date), time: String(slot.json.time) };
	};

	it.each(['default', 'filters-ignored', 'time-with-seconds,filters-ignored'])(
		'under %s, finds this candidate’s booking, not another candidate’s on the same slot',
		async (dialect) => {
			await node.withDialect(dialect, async () => {
				const slot = await roomySlot();
				const jane = fresh();
				await node.output(book(slot, other));
				const bookings = node.account(DEMO).bookings;
				proxy.loseAnswers('POST', '/bookings');
				const [booking] = await proxied.output({ parameters: book(slot, jane) });
				expect(booking.json).toMatchObject({
					...jane,
					first_name: 'Jane',
					last_name: 'Smith',
					course_id: PRACTICAL,
					...slot,
				});
				expect(node.account(DEMO).bookings).toBe(bookings + 1);
			});
		},
	);

	it('never reports another candidate’s booking when none was made for this one', async () => {
		await node.withDialect('filters-ignored', async () => {
			const slot = await roomySlot();
			await node.output(book(slot, other));
			// The booking fails without an answer, and the hold cannot be found to release: recovery looks.
			node.sandbox.addFault({ status: 503, method: 'POST', path: '/bookings' });
			node.sandbox.addFault({ status: 404, method: 'DELETE', path: '/timeslots/hold' });
			const { error, items } = await node.run(book(slot, fresh()));
			expect(items).toEqual([]);
			expect(error?.message).toMatch(/server error \(503\)/);
			expect(error?.description).toMatch(/check Booking → Get Many/);
		});
	});

	it('says it cannot tell when several bookings of this candidate match the slot', async () => {
		await node.withDialect('filters-ignored', async () => {
			const slot = await roomySlot();
			const jane = fresh();
			await node.output(book(slot, jane));
			proxy.loseAnswers('POST', '/bookings');
			const { error } = await proxied.run({ parameters: book(slot, jane) });
			expect(error?.message).toMatch(/cannot tell which booking is this one/);
			expect(error?.description).toMatch(/Bookings \d+, \d+ all match/);
		});
	});
});
