/**
 * The BLS Portal Trigger against a real in-process sandbox: deliveries go over HTTP to a
 * {@link WebhookReceiver}, which hands the exact request to the trigger's `webhook()`. Portal-side
 * changes (deleting, rotating, editing an endpoint) are made with the BLS Portal node itself.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSandbox } from '../../../sandbox';
import { N8nHarness } from '../../harness/n8n';
import { TriggerHarness, WebhookReceiver } from '../../harness/webhooks';

type Sandbox = Awaited<ReturnType<typeof startSandbox>>;

/** Retries 50 ms apart instead of 15 minutes, so the retry schedule runs inside a test. */
export const RETRY_DELAY_MS = 50;

export interface TriggerSandbox {
	readonly sandbox: Sandbox;
	readonly receiver: WebhookReceiver;
	readonly harness: N8nHarness;
	/** A trigger node in a new workflow, served by the receiver (not yet activated). */
	trigger(events: string[], options?: INodeParameters, workflowName?: string): TriggerHarness;
	/** The demo account's endpoints as the sandbox holds them. */
	endpoints(): IDataObject[];
	/** Runs the BLS Portal action node; fails the test if it fails. */
	action(parameters: INodeParameters): Promise<IDataObject>;
	/** A booked booking whose training is still scheduled; each call gives another one. */
	freshBooking(): Promise<number>;
	/** Waits until the sandbox sent everything due and the trigger finished handling it. */
	deliveriesDone(): Promise<void>;
	/** Runs `body` with these dialect switches added to the suite's own, then puts the sandbox's dialect back. */
	withDialect<T>(switches: string, body: () => Promise<T>): Promise<T>;
}

export function useTriggerSandbox(): TriggerSandbox {
	let sandbox: Sandbox;
	let receiver: WebhookReceiver;
	let harness: N8nHarness;
	let bookingPool: number[] | undefined;

	beforeAll(async () => {
		sandbox = await startSandbox({
			port: 0,
			rateLimit: false,
			retryDelayMs: RETRY_DELAY_MS,
			bookings: 200,
		});
		receiver = await WebhookReceiver.start();
		const [demo] = sandbox.accounts;
		harness = new N8nHarness({
			clientId: demo.hbClientId,
			apiKey: demo.apiKey,
			baseUrl: sandbox.apiUrl,
		});
	});
	afterAll(async () => {
		await receiver.stop();
		await sandbox.stop();
	});
	beforeEach(() => {
		receiver.reset();
		sandbox.clearFaults();
		sandbox.clearDeliveries();
	});

	const fixture: TriggerSandbox = {
		get sandbox() {
			return sandbox;
		},
		get receiver() {
			return receiver;
		},
		get harness() {
			return harness;
		},
		trigger: (events, options = {}, workflowName) =>
			receiver.serve(
				new TriggerHarness(
					harness,
					{ events, options },
					{ baseUrl: receiver.origin, workflowName },
				),
			),
		endpoints: () => sandbox.state().accounts[0].webhooks as IDataObject[],
		action: async (parameters) => {
			const [item] = await harness.output({ parameters });
			return item?.json ?? {};
		},
		freshBooking: async () => {
			if (!bookingPool) {
				const items = await harness.output({
					parameters: {
						resource: 'booking',
						operation: 'getMany',
						returnAll: true,
						filters: { status: 'booked', trainingStatus: 'scheduled' },
					},
				});
				bookingPool = items
					.filter((item) => item.json.equipment_status !== 'in')
					.map((item) => Number(item.json.id));
			}
			const id = bookingPool.shift();
			if (id === undefined) throw new Error('No scheduled bookings left in the sandbox seed');
			return id;
		},
		deliveriesDone: async () => {
			await sandbox.waitForDeliveries(10_000);
			await receiver.settled();
		},
		withDialect: (switches, body) => sandbox.withDialect(switches, body),
	};
	return fixture;
}
