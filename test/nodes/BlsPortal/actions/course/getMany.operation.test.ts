import { fewestCalls } from '../../../../harness/dialect';
import { idsOf, useSandboxedNode } from '../../sandboxedNode';

const node = useSandboxedNode();

describe('Course → Get Many', () => {
	it('returns every active course with its price on Return All', async () => {
		const courses = await node.output({
			resource: 'course',
			operation: 'getMany',
			returnAll: true,
		});
		expect(idsOf(courses)).toEqual([1, 2, 3]);
		expect(courses[0].json).toMatchObject({ name: 'BLS Practical', price: 45, currency: 'GBP' });
		expect(node.requestsTo('GET /courses')).toBe(fewestCalls(3));
	});

	it('stops at the Limit, asking only for that many', async () => {
		const courses = await node.output({ resource: 'course', operation: 'getMany', limit: 2 });
		expect(idsOf(courses)).toEqual([1, 2]);
		expect(node.sandbox.requests().entries.find((e) => e.path === '/courses')?.url).toContain(
			'per_page=2',
		);
	});

	it('names the field when the Limit is not a whole number, without calling the API', async () => {
		const { error } = await node.run({ resource: 'course', operation: 'getMany', limit: 0 });
		expect(error?.message).toMatch(/Limit/);
		expect(node.requestsTo('GET /courses')).toBe(0);
	});
});
