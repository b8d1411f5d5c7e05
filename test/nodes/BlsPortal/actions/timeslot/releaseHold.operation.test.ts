import { DEMO, OTHER, useSandboxedNode } from '../../sandboxedNode';

const node = useSandboxedNode();
const release = (holdHash: unknown) => ({ resource: 'timeslot', operation: 'releaseHold', holdHash: String(holdHash) });

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

	it('rejects a hash that is not letters and digits without sending the request', async () => {
		const { error } = await node.run(release('abc/../def'));
		expect(error?.message).toMatch(/Hold Hash: must be letters and digits only/);
		expect(node.requestsTo('DELETE /timeslots/hold/{holdHash}')).toBe(0);
	});
});
