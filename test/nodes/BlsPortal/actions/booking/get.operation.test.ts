import type { INodeParameters, NodeParameterValue } from 'n8n-workflow';

import { OTHER, useSandboxedNode } from '../../sandboxedNode';

const node = useSandboxedNode();

const get = (bookingId: INodeParameters['bookingId']): INodeParameters => ({
	resource: 'booking',
	operation: 'get',
	bookingId,
});
const locator = (mode: string, value: NodeParameterValue) => ({ __rl: true, mode, value });

describe('Booking → Get', () => {
	it.each([
		['By ID mode', locator('id', '1')],
		['From List mode', locator('list', '1')],
		['an expression inside the locator', locator('id', '={{ 1 }}')],
		['an expression in place of the locator', '={{ 1 }}'],
	])('gets the booking chosen with %s', async (_how, bookingId) => {
		const [booking] = await node.output(get(bookingId));
		expect(booking.json).toMatchObject({ id: 1, reference: 'BLS-000001', status: 'booked' });
	});

	it('says another account’s booking was not found in this account', async () => {
		expect(node.account(OTHER).bookings).toBeGreaterThan(0);
		// The other account's seeded bookings come after the demo agency's 25.
		const { error } = await node.run(get(locator('id', '26')));
		expect(error?.message).toBe('The booking 26 was not found in this BLS account');
		expect(error?.description).toMatch(/another agency's account/);
	});

	it('rejects a typed ID that is not a whole number in the editor (the locator’s regex)', async () => {
		await expect(node.run(get(locator('id', 'BLS-000001')))).rejects.toThrow(
			/Not a valid booking ID/,
		);
		expect(node.requestsTo('GET /bookings/{id}')).toBe(0);
	});

	it('names the field when an expression gives no usable ID, without calling the API', async () => {
		const { error } = await node.run(get(locator('id', '={{ $json.bookingId }}')), {
			items: [{ json: { bookingId: 'BLS-1' } }],
		});
		expect(error?.message).toMatch(/Booking: must be a whole number of at least 1 \(got "BLS-1"\)/);
		expect(node.requestsTo('GET /bookings/{id}')).toBe(0);
	});
});
