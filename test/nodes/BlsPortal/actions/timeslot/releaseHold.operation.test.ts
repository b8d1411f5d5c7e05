import { DEMO, OTHER, useSandboxedNode } from '../../sandboxedNode';

const node = useSandboxedNode();
const release = (holdHash: unknown) => ({
	resource: 'timeslot',
	operation: 'releaseHold',
	holdHash: String(holdHash),
});

describe('Timeslot → Release Hold', () => {
	it('releases the hold, so the sandbox has none and another slot can be held', async () => {
		const hold = await node.hold();
		const [released] = await node.output(release(hold.hold_hash));
		expect(released.json).toMatchObject({ released: true, hold_hash: hold.hold_hash });
		expect(node.account(DEMO).activeHold).toBeNull();
		await expect(node.hold()).resolves.toHaveProperty('hold_hash');
	});

	it('says clearly when the hold is unknown, expired or another account’s', async () => {
		const othersHold = await node.hold(undefined, OTHER);
		const { error } = await node.run(release(othersHold.hold_hash));
		expect(error?.message).toMatch(/timeslot hold .* was not found in this BLS account/);
		expect(node.account(OTHER).activeHold?.holdHash).toBe(othersHold.hold_hash);
	});

	it('sends a hash with other characters as one path segment, so it can only name a hold', async () => {
		const { error } = await node.run(release('abc/../../bookings/1'));
		expect(error?.message).toMatch(/timeslot hold abc\/\.\.\/\.\.\/bookings\/1 .* was not found/);
		expect(node.requestsTo('DELETE /timeslots/hold/{holdHash}')).toBe(1);
		expect(node.sandbox.requests().entries.map((entry) => entry.url)).toEqual([
			'/api/v1/timeslots/hold/abc%2F..%2F..%2Fbookings%2F1',
		]);
	});

	it('refuses "." and "..", which a URL would resolve away instead of sending', async () => {
		const { error } = await node.run(release('..'));
		expect(error?.message).toBe('Hold Hash: ".." is not a hold hash');
		expect(node.sandbox.requests().total).toBe(0);
	});
});
