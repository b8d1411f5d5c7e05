import type { INodeParameters } from 'n8n-workflow';

import { candidate } from '../../../../sandbox/helpers';
import { DEMO, OTHER, PRACTICAL, candidateParameters, useSandboxedNode } from '../../sandboxedNode';

const node = useSandboxedNode();

const create = (holdHash: unknown, changes: INodeParameters = {}): INodeParameters => ({
	resource: 'booking',
	operation: 'create',
	holdHash: String(holdHash),
	...candidateParameters,
	...changes,
});

const creditsOf = (account: number, courseId = PRACTICAL) =>
	node.account(account).credits.find((c) => c.course_id === courseId)?.credits;

describe('Booking → Create', () => {
	it('books with credits: one credit of the course is deducted and every field is sent', async () => {
		const before = creditsOf(DEMO);
		const hold = await node.hold();
		const [booking] = await node.output(create(hold.hold_hash));
		expect(booking.json).toMatchObject({
			status: 'booked',
			pay_option: 'credits',
			course_id: PRACTICAL,
			date: hold.date,
			time: hold.time,
			// candidateParameters are the documented example candidate, field by field.
			...candidate,
		});
		expect(creditsOf(DEMO)).toBe(before! - 1);
		expect(node.account(DEMO).activeHold).toBeNull();
	});

	it('books from the balance: the course price is deducted', async () => {
		const before = node.account(DEMO).balance;
		const hold = await node.hold();
		const [booking] = await node.output(create(hold.hold_hash, { payOption: 'balance' }));
		expect(booking.json).toMatchObject({ status: 'booked', pay_option: 'balance' });
		expect(node.account(DEMO).balance).toBe(before - 45);
	});

	it('books on invoice when the account allows it: the invoice total grows', async () => {
		const before = node.account(DEMO).invoiceOutstanding;
		const hold = await node.hold();
		const [booking] = await node.output(create(hold.hold_hash, { payOption: 'invoice' }));
		expect(booking.json).toMatchObject({ status: 'booked', pay_option: 'invoice' });
		expect(node.account(DEMO).invoiceOutstanding).toBe(before + 45);
	});

	it('leaves candidate_pays bookings pending and charges nothing', async () => {
		const { balance, credits } = node.account(DEMO);
		const hold = await node.hold();
		const [booking] = await node.output(create(hold.hold_hash, { payOption: 'candidate_pays' }));
		expect(booking.json).toMatchObject({ status: 'pending', pay_option: 'candidate_pays' });
		expect(node.account(DEMO)).toMatchObject({ balance, credits });
	});

	it('reports the API’s 422 for invoice on an account without invoice payments, and the hold stays', async () => {
		const bookings = node.account(OTHER).bookings;
		const hold = await node.hold(PRACTICAL, OTHER);
		const { error } = await node.run(create(hold.hold_hash, { payOption: 'invoice' }), {
			account: OTHER,
		});
		expect(error?.message).toMatch(/Invoice payments are not enabled/);
		expect(error?.httpCode).toBe('422');
		expect(node.account(OTHER).bookings).toBe(bookings);
		expect(node.account(OTHER).activeHold?.holdHash).toBe(hold.hold_hash);
	});

	it.each([
		[{ email: 'jane.example.com' }, /Email: must be an email address/],
		[{ firstName: '  ' }, /First Name: is required/],
		[
			{ additionalFields: { agencyContactEmail: 'john@' } },
			/Agency Contact Email: must be an email address/,
		],
		[{ payOption: 'cash' }, /Pay Option: must be one of credits, balance, invoice, candidate_pays/],
	])('names the invalid field %j and sends no request', async (change, message) => {
		const { error } = await node.run(create('Xy7kRtQmNpLsWvBzJcFdEaHgUiOeYtAn', change));
		expect(error?.message).toMatch(message);
		expect(node.requestsTo('POST /bookings')).toBe(0);
	});

	it('leaves the hold hash’s format to the API (the docs state none) and reports its 422', async () => {
		const { error } = await node.run(create('not a hash'));
		expect(error?.description).toMatch(/^hold_hash: /m);
		expect(node.requestsTo('POST /bookings')).toBe(1);
	});
});

describe('Booking → Create against a server that requires the postal address', () => {
	it('reports the API’s 422 naming each missing field, and books once they are given', async () => {
		await node.withDialect('booking-address-required', async () => {
			const hold = await node.hold();
			const { error } = await node.run(
				create(hold.hold_hash, { additionalFields: { phone: '+441234567890' } }),
			);
			expect(error?.httpCode).toBe('422');
			expect(error?.description).toMatch(/^address: The address field is required\.$/m);
			expect(error?.description).toMatch(/^city: /m);
			expect(error?.description).toMatch(/^postcode: /m);
			// The hold stays for a corrected retry (Create never releases it).
			const [booking] = await node.output(create(hold.hold_hash));
			expect(booking.json).toMatchObject({
				address: '42 Acme Street',
				city: 'Manchester',
				postcode: 'M1 1AA',
			});
		});
	});
});
