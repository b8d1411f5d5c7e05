/**
 * 429 answers shaped as the docs leave open (no Retry-After, or an HTTP-date), with the request
 * pacer off so the transport's own back-off is what is tested: a list bigger than the quota still
 * completes, because the node waits out the documented 60-second window instead of giving up first.
 * About a minute: the sandbox's window is the real 60 seconds.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSandbox } from '../../sandbox';
import type { Sandbox } from '../../sandbox';
import { N8nHarness, registerNodeType } from '../harness/n8n';
import { TransportProbe } from '../harness/transportProbe';

registerNodeType('transportProbe', new TransportProbe());

let sandbox: Sandbox;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, bookings: 250, rateLimit: false });
});
afterAll(async () => await sandbox.stop());

async function listAllBookings() {
	const [account] = sandbox.accounts;
	// Requests per Minute 0: no pacer, each 429 is ridden out by the transport alone.
	const harness = new N8nHarness({
		clientId: account.hbClientId,
		apiKey: account.apiKey,
		baseUrl: sandbox.apiUrl,
		requestsPerMinute: 0,
	});
	const { items, error } = await harness.run({
		parameters: { endpoint: '/bookings', list: true },
		nodeType: 'transportProbe',
	});
	return { ids: items.map((item) => (item.json as IDataObject).id), error };
}

it('429 without Retry-After: waits out the 60-second window and completes the list', async () => {
	sandbox.setDialect('429-no-retry-after');
	sandbox.reset();
	// Sign-in and two pages fit the quota; the third page meets a 429 until the window reopens.
	sandbox.configure({ rateLimit: { max: 3, windowMs: 60_000 } });
	const { ids, error } = await listAllBookings();
	const log = sandbox.requests();
	process.stdout.write(
		`429 without Retry-After: ${log.status429} answered 429, list ${error ? 'failed' : 'complete'}\n`,
	);
	expect(error?.message).toBeUndefined();
	expect(ids).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
	expect(log.status429).toBeGreaterThan(0);
}, 300_000);

it('429 with an HTTP-date Retry-After: waits until that moment and completes the list', async () => {
	sandbox.setDialect('429-http-date');
	sandbox.reset();
	sandbox.configure({ rateLimit: { max: 3, windowMs: 5_000 } });
	const { ids, error } = await listAllBookings();
	const log = sandbox.requests();
	expect(error?.message).toBeUndefined();
	expect(ids).toEqual(Array.from({ length: 250 }, (_, i) => i + 1));
	expect(log.status429).toBeGreaterThan(0);
	// Waiting for the date means few retries: one or two per window, not a burst of back-offs.
	expect(log.status429).toBeLessThanOrEqual(4);
}, 120_000);
