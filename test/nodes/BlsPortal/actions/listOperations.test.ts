/**
 * Every list operation, under every way the server may page: Return All and each Limit give exactly
 * the first N items of the true list, in order, in the fewest calls the server's page size allows,
 * or an error that names why the list cannot be read. Never fewer items without an error, never a
 * duplicate. Run without BLS_SANDBOX_DIALECT it tries each list switch; with it, that dialect.
 */
import type { INodeExecutionData, INodeParameters } from 'n8n-workflow';

import type { DialectSwitch } from '../../../../sandbox';
import { CANNOT_COMPLETE, LIST_SWITCHES, listOutcome, testDialect } from '../../../harness/dialect';
import { useSandboxedNode } from '../sandboxedNode';
import { createWebhookEndpoints, trueList } from './trueList';

const node = useSandboxedNode({ bookings: 320 });

const ENDPOINTS = 260;
const LIMITS = [undefined, 1, 20, 49, 50, 51, 100, 101, 250];

interface ListOperation {
	name: string;
	parameters: INodeParameters;
	/** The API list it reads, and how an item is told apart from the others. */
	path: string;
	query?: Record<string, string>;
	key: (item: Record<string, unknown>) => string;
}

const byId = (item: Record<string, unknown>) => String(item.id);

const OPERATIONS: ListOperation[] = [
	{
		name: 'Booking → Get Many',
		parameters: { resource: 'booking', operation: 'getMany' },
		path: '/bookings',
		key: byId,
	},
	{
		name: 'Course → Get Many',
		parameters: { resource: 'course', operation: 'getMany' },
		path: '/courses',
		key: byId,
	},
	{
		name: 'Timeslot → Get Many',
		parameters: { resource: 'timeslot', operation: 'getMany', courseId: 1, monthsAhead: 2 },
		path: '/timeslots',
		query: { course_id: '1', months_ahead: '2' },
		// Times compared as HH:MM: the node normalises whatever precision the server sends.
		key: (slot) => `${String(slot.date)} ${String(slot.time).slice(0, 5)}`,
	},
	{
		name: 'Account → Get Many Transactions',
		parameters: { resource: 'account', operation: 'getManyTransactions' },
		path: '/transactions',
		key: byId,
	},
	{
		name: 'Webhook Endpoint → Get Many',
		parameters: { resource: 'webhookEndpoint', operation: 'getMany' },
		path: '/webhooks',
		key: byId,
	},
];

/** Each list switch on top of the run's dialect, plus the combinations a switch needs to show itself. */
const COMBINATIONS: DialectSwitch[][] = [
	[],
	...LIST_SWITCHES.map((name) => [name]),
	['per-page-over-cap-422', 'page-cap-50'],
	['per-page-over-cap-422', 'page-cap-20'],
	['list-links-only', 'list-meta-only'],
	['list-links-only', 'page-cap-50'],
	['page-ignored', 'list-links-only'],
	['next-link-repeats', 'list-links-only'],
	['next-link-repeats', 'list-links-only', 'page-cap-50'],
];
// The default run walks every combination; a run under a dialect set (.ci/run's loop) walks that
// set alone, which keeps the loop short while the default run covers every list switch.
const VARIANTS = testDialect.size === 0 ? COMBINATIONS : [[...testDialect]];

const truth = new Map<string, string[]>();

beforeAll(async () => {
	await createWebhookEndpoints(node.sandbox, ENDPOINTS);
	for (const operation of OPERATIONS) {
		const items = await trueList(node.sandbox, operation.path, operation.query);
		truth.set(operation.name, items.map(operation.key));
	}
}, 120_000);

const keysOf = (operation: ListOperation, items: INodeExecutionData[]) =>
	items.map((item) => operation.key(item.json as Record<string, unknown>));

describe.each(OPERATIONS)('$name', (operation) => {
	it('has a true list long enough for every Limit (courses excepted)', () => {
		const expected = operation.path === '/courses' ? 3 : 251;
		expect(truth.get(operation.name)?.length).toBeGreaterThanOrEqual(expected);
	});

	describe.each(VARIANTS.map((variant) => [variant.join(',') || 'default', variant] as const))(
		'dialect %s',
		(_, variant) => {
			const dialect = new Set(variant);
			it.each(
				LIMITS.map(
					(limit) => [limit === undefined ? 'Return All' : `Limit ${limit}`, limit] as const,
				),
			)(
				'%s gives exactly the first items, in order, in the fewest calls, or says why not',
				async (_label, limit) => {
					node.sandbox.setDialect(variant);
					const all = truth.get(operation.name) ?? [];
					const expected = listOutcome(dialect, all.length, limit);
					const { items, error } = await node.run({
						...operation.parameters,
						...(limit === undefined ? { returnAll: true } : { limit }),
					});
					const calls = node.requestsTo(`GET ${operation.path}`);
					if (!expected.ok) {
						expect(error?.message).toMatch(CANNOT_COMPLETE);
						return;
					}
					expect(error?.message).toBeUndefined();
					expect(keysOf(operation, items)).toEqual(all.slice(0, limit ?? all.length));
					if (expected.exact) expect(calls).toBe(expected.calls);
					else expect(calls).toBeLessThanOrEqual(expected.calls);
				},
			);
		},
	);
});
