/**
 * The BLS Portal node run through n8n-core against its own in-process sandbox, for the operation
 * and method tests: one sandbox per test file, state checked through the sandbox's controls.
 */
import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import { startSandbox } from '../../../sandbox';
import type { AccountSnapshot, SandboxOptions } from '../../../sandbox';
import { N8nHarness } from '../../harness/n8n';
import type { NodeRun, RunOptions } from '../../harness/n8n';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

export const DEMO = 0;
export const OTHER = 1;

/** Course 1 "BLS Practical", £45, 12 credits on the demo account; course 3 has none. */
export const PRACTICAL = 1;
export const PAEDIATRIC_NO_CREDITS = 3;

export const candidateParameters: INodeParameters = {
	firstName: 'Jane',
	lastName: 'Smith',
	email: 'jane@example.com',
	payOption: 'credits',
	additionalFields: {
		phone: '+441234567890',
		address: '42 Acme Street',
		city: 'Manchester',
		postcode: 'M1 1AA',
		jobRole: 'Registered Nurse',
		agencyContactName: 'John Doe',
		agencyContactEmail: 'john@acme.co.uk',
		agencyEmail: 'invoices@acme.co.uk',
	},
};

export interface SandboxedNode {
	readonly sandbox: Sandbox;
	readonly harness: N8nHarness;
	/** Runs the node as the given account (demo agency by default). */
	run(
		parameters: INodeParameters,
		options?: Partial<RunOptions> & { account?: number },
	): Promise<NodeRun>;
	/** Runs and fails the test with the node's message if it failed. */
	output(parameters: INodeParameters, items?: INodeExecutionData[]): Promise<INodeExecutionData[]>;
	account(index?: number): AccountSnapshot;
	/** How many API requests `"METHOD /route"` the sandbox received since the last reset or clear. */
	requestsTo(endpoint: string): number;
	/** The first free slot of a course, through the node's Timeslot → Get Many. */
	freeSlot(courseId?: number): Promise<{ date: string; time: string }>;
	/** A hold made through the node's Timeslot → Hold. */
	hold(courseId?: number, account?: number): Promise<IDataObject>;
	/**
	 * Runs `body` with these dialect switches added to the sandbox's own (the suite's dialect, from
	 * BLS_SANDBOX_DIALECT), then puts the sandbox's dialect back.
	 */
	withDialect<T>(switches: string, body: () => Promise<T>): Promise<T>;
}

/** Starts a sandbox for the test file (no rate limit, so the suite stays fast) and clears holds between tests. */
export function useSandboxedNode(options: SandboxOptions = {}): SandboxedNode {
	let sandbox: Sandbox;
	let harnesses: N8nHarness[] = [];

	beforeAll(async () => {
		sandbox = await startSandbox({ port: 0, rateLimit: false, ...options });
		harnesses = sandbox.accounts.map(
			(account) =>
				new N8nHarness({
					clientId: account.hbClientId,
					apiKey: account.apiKey,
					baseUrl: sandbox.apiUrl,
				}),
		);
	});
	afterAll(async () => await sandbox.stop());
	beforeEach(() => {
		sandbox.expireHolds();
		sandbox.clearFaults();
		sandbox.clearRequests();
	});

	const node: SandboxedNode = {
		get sandbox() {
			return sandbox;
		},
		get harness() {
			return harnesses[DEMO];
		},
		run: async (parameters, { account = DEMO, ...options } = {}) =>
			await harnesses[account].run({ parameters, ...options }),
		output: async (parameters, items) => await harnesses[DEMO].output({ parameters, items }),
		account: (index = DEMO) => sandbox.state().accounts[index],
		requestsTo: (endpoint) => sandbox.requests().byEndpoint[endpoint] ?? 0,
		freeSlot: async (courseId = PRACTICAL) => {
			const [slot] = await node.output({
				resource: 'timeslot',
				operation: 'getMany',
				courseId,
				limit: 1,
			});
			return { date: String(slot.json.date), time: String(slot.json.time) };
		},
		hold: async (courseId = PRACTICAL, account = DEMO) => {
			const slot = await node.freeSlot(courseId);
			const { items, error } = await node.run(
				{ resource: 'timeslot', operation: 'hold', courseId, ...slot },
				{ account },
			);
			if (error) throw new Error(`hold failed: ${error.message}`);
			return items[0].json;
		},
		withDialect: (switches, body) => sandbox.withDialect(switches, body),
	};
	return node;
}

export const idsOf = (items: INodeExecutionData[]) => items.map((item) => item.json.id);
