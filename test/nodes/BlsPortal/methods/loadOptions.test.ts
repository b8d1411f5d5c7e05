import type { ILoadOptionsFunctions, INodeParameters } from 'n8n-workflow';

import * as loadOptions from '../../../../nodes/BlsPortal/methods/loadOptions';
import { CANNOT_COMPLETE, testDialect } from '../../../harness/dialect';
import { PRACTICAL, useSandboxedNode } from '../sandboxedNode';

const node = useSandboxedNode();

const load = async (method: keyof typeof loadOptions, parameters: INodeParameters) =>
	await loadOptions[method].call(
		node.harness.loadOptionsContext(parameters) as unknown as ILoadOptionsFunctions,
	);

const holdParameters = { resource: 'timeslot', operation: 'hold', courseId: PRACTICAL };

describe('loadOptions', () => {
	it('getCourses lists every course with its price, by ID', async () => {
		const options = await load('getCourses', holdParameters);
		expect(options.map((o) => o.value)).toEqual([1, 2, 3]);
		expect(options[0].name).toBe('BLS Practical (£45.00)');
	});

	it('getTimeslotDates lists each free day of the course once, in order', async () => {
		if (testDialect.has('page-ignored')) {
			// Six months of slots take several pages: a server that ignores `page` gets the cause, not half a list.
			await expect(load('getTimeslotDates', holdParameters)).rejects.toThrow(CANNOT_COMPLETE);
			return;
		}
		const options = await load('getTimeslotDates', holdParameters);
		const dates = options.map((o) => String(o.value));
		expect(dates.length).toBeGreaterThan(40);
		expect([...dates].sort()).toEqual(dates);
		expect(new Set(dates).size).toBe(dates.length);
		expect(options[0].name).toMatch(
			/^(Mon|Tue|Wed|Thu|Fri),? \d{1,2} \w{3} \d{4} \(6 times free\)$/,
		);
		expect(dates[0]).toBe((await node.freeSlot()).date);
	});

	it('getTimeslotTimes lists the free times of the chosen day with the places left', async () => {
		const { date } = await node.freeSlot();
		const options = await load('getTimeslotTimes', { ...holdParameters, date });
		expect(options.map((o) => o.value)).toEqual([
			'09:00',
			'10:00',
			'11:00',
			'13:00',
			'14:00',
			'15:00',
		]);
		expect(options[0].name).toBe('09:00 (4 places left)');
	});

	it('offers no dates or times until a course (and day) is chosen, without calling the API', async () => {
		node.sandbox.clearRequests();
		expect(await load('getTimeslotDates', { ...holdParameters, courseId: '' })).toEqual([]);
		expect(await load('getTimeslotTimes', { ...holdParameters, date: '' })).toEqual([]);
		expect(node.requestsTo('GET /timeslots')).toBe(0);
	});
});

describe('loadOptions against a server answering times as HH:MM:SS', () => {
	it('the Time dropdown’s own values pass the node’s checks and hold that slot', async () => {
		await node.withDialect('time-with-seconds', async () => {
			const { date } = await node.freeSlot();
			const options = await load('getTimeslotTimes', { ...holdParameters, date });
			const time = String(options[0].value);
			expect(time).toMatch(/^\d\d:\d\d(:\d\d)?$/);
			const [hold] = await node.output({ ...holdParameters, date, time });
			expect(hold.json).toMatchObject({ date, time: time.slice(0, 5) });
			expect(node.account().activeHold).toMatchObject({ date, time: time.slice(0, 5) });
		});
	});
});
