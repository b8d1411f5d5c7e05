import { CANNOT_COMPLETE, listReadable } from '../../../../harness/dialect';
import { PRACTICAL, useSandboxedNode } from '../../sandboxedNode';
import { trueList } from '../trueList';

const node = useSandboxedNode();
const getMany = { resource: 'timeslot', operation: 'getMany', courseId: PRACTICAL };

/** How many slots the sandbox lists for the query, read straight from its API (default dialect). */
async function sandboxTotal(query: string): Promise<number> {
	return (
		await trueList(node.sandbox, '/timeslots', Object.fromEntries(new URLSearchParams(query)))
	).length;
}

describe('Timeslot → Get Many', () => {
	it('returns every free slot of the window on Return All, without duplicates', async () => {
		const total = await sandboxTotal(`course_id=${PRACTICAL}&months_ahead=2`);
		if (!listReadable(total)) {
			const { error } = await node.run({ ...getMany, monthsAhead: 2, returnAll: true });
			expect(error?.message).toMatch(CANNOT_COMPLETE);
			return;
		}
		const slots = await node.output({ ...getMany, monthsAhead: 2, returnAll: true });
		expect(slots.length).toBe(total);
		const keys = slots.map((slot) => `${String(slot.json.date)} ${String(slot.json.time)}`);
		expect(new Set(keys).size).toBe(slots.length);
		expect(slots[0].json).toMatchObject({ course: { id: PRACTICAL }, spaces_available: 4 });
	});

	it('stops at the Limit', async () => {
		const slots = await node.output({ ...getMany, limit: 5 });
		expect(slots).toHaveLength(5);
	});

	it('filters to one day', async () => {
		const { date } = await node.freeSlot();
		const slots = await node.output({ ...getMany, date, returnAll: true });
		expect(slots.length).toBe(await sandboxTotal(`course_id=${PRACTICAL}&date=${date}`));
		expect(slots.every((slot) => slot.json.date === date)).toBe(true);
	});

	it.each([
		[{ monthsAhead: 0 }, /Months Ahead: must be a whole number of at least 1/],
		[{ date: '15/07/2026' }, /Date: must be a date as YYYY-MM-DD/],
		[{ courseId: '={{ $json.courseId }}' }, /Course: must be a whole number/],
	])('names the invalid field %j and sends no request', async (change, message) => {
		const { error } = await node.run({ ...getMany, ...change });
		expect(error?.message).toMatch(message);
		expect(error?.description).toMatch(/No request was sent/);
		expect(node.requestsTo('GET /timeslots')).toBe(0);
	});

	it('sends a range the docs do not limit, and reports the API’s own refusal naming the field', async () => {
		// The sandbox allows 1–6 months; the docs state no maximum, so the node must not decide it.
		const { error } = await node.run({ ...getMany, monthsAhead: 7 });
		expect(error?.message).toMatch(/months ahead/i);
		expect(error?.description).toMatch(/^months_ahead: /m);
		expect(node.requestsTo('GET /timeslots')).toBe(1);
	});
});
