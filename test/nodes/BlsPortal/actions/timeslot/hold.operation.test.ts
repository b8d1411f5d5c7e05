import { DEMO, PRACTICAL, useSandboxedNode } from '../../sandboxedNode';

const node = useSandboxedNode();

describe('Timeslot → Hold', () => {
	it('holds the slot for 30 minutes and the sandbox keeps it as the account’s hold', async () => {
		const slot = await node.freeSlot();
		const [hold] = await node.output({
			resource: 'timeslot',
			operation: 'hold',
			courseId: PRACTICAL,
			...slot,
		});
		expect(hold.json).toMatchObject({ course_id: PRACTICAL, date: slot.date, time: slot.time });
		expect(hold.json.hold_hash).toMatch(/^[A-Za-z0-9]{32}$/);
		const minutesLeft = (Date.parse(String(hold.json.expires_at)) - Date.now()) / 60_000;
		expect(minutesLeft).toBeGreaterThan(29);
		expect(node.account(DEMO).activeHold).toMatchObject({ holdHash: hold.json.hold_hash, ...slot });
	});

	it('explains the one-hold rule and how to release when a hold is already active', async () => {
		const first = await node.hold();
		const slot = await node.freeSlot();
		const { error } = await node.run({
			resource: 'timeslot',
			operation: 'hold',
			courseId: PRACTICAL,
			...slot,
		});
		expect(error?.message).toMatch(/Another timeslot hold is active/);
		expect(error?.description).toContain(String(first.hold_hash));
		expect(error?.description).toMatch(/Release Hold/);
		expect(node.account(DEMO).activeHold?.holdHash).toBe(first.hold_hash);
	});

	it.each([
		[{ time: '25:00' }, /Time: must be a 24-hour time as HH:MM/],
		[{ date: '2026-02-30' }, /Date: must be a date as YYYY-MM-DD/],
		[{ date: '={{ $json.date }}' }, /Date: is required/],
	])('names the invalid field %j and sends no request', async (change, message) => {
		const { error } = await node.run({
			resource: 'timeslot',
			operation: 'hold',
			courseId: PRACTICAL,
			date: '2030-01-07',
			time: '10:00',
			...change,
		});
		expect(error?.message).toMatch(message);
		expect(node.requestsTo('POST /timeslots/hold')).toBe(0);
		expect(node.account(DEMO).activeHold).toBeNull();
	});
});

describe('Timeslot → Get Many and Hold against a server answering times as HH:MM:SS', () => {
	it('outputs times as HH:MM, and a time given as HH:MM:SS is held as that slot', async () => {
		await node.withDialect('time-with-seconds', async () => {
			const slot = await node.freeSlot();
			expect(slot.time).toMatch(/^\d\d:\d\d$/);
			const [hold] = await node.output({
				resource: 'timeslot',
				operation: 'hold',
				courseId: PRACTICAL,
				date: slot.date,
				time: `${slot.time}:00`,
			});
			expect(hold.json).toMatchObject({ date: slot.date, time: slot.time });
			expect(node.account(DEMO).activeHold).toMatchObject(slot);
		});
	});
});
