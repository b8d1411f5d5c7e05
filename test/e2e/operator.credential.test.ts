/**
 * An operator edits the "BLS Portal API" credential in real n8n (N8N_VERSION, default 2.41.1)
 * the way the editor saves it (PATCH /rest/credentials/:id, untouched secrets sent back as the
 * redacted placeholder; n8n keeps the stored hidden token across that save):
 * - switched to another account, the next Book is paid by the new account, not the old one;
 * - pointed at another host, the old token never reaches that host;
 * - Test connection (POST /rest/credentials/test) calls the URL the nodes call: a trailing space
 *   is trimmed, an empty Base URL means production; with the API choice, Custom URL calls the
 *   Base URL and TDTA / BLS production their own hosts (every other test here uses credentials
 *   saved without the choice, as before it existed).
 */
import { startSandbox, type Sandbox } from '../../sandbox';
import { versionFromEnv } from '../../scripts/n8n/instance';
import {
	chainWorkflow,
	createSandboxCredential,
	NODE_TYPES,
	useN8n,
	useSandbox,
	withCredential,
} from './helpers';
import {
	editCredentialAsEditor,
	practicalCredits,
	REDACTED,
	testCredentialAsEditor,
} from './operatorSupport';
import { DeliveryRelay } from './scenarioSupport';

const version = versionFromEnv();
const n8n = useN8n({ version });
const sandbox = useSandbox();

/** A second BLS host (same seeded accounts), behind a relay that records every request's headers. */
let otherHost: Sandbox;
let otherHostRelay: DeliveryRelay;

beforeAll(async () => {
	otherHost = await startSandbox({ port: 0 });
	otherHostRelay = await DeliveryRelay.start();
	otherHostRelay.target = otherHost.origin;
});
afterAll(async () => {
	await otherHostRelay?.stop();
	await otherHost?.stop();
});

const bookWorkflow = (name: string) =>
	chainWorkflow(name, [
		{
			name: 'Free slot',
			type: NODE_TYPES.blsPortal,
			typeVersion: 1,
			parameters: { resource: 'timeslot', operation: 'getMany', courseId: 1, limit: 1 },
		},
		{
			name: 'Book',
			type: NODE_TYPES.blsPortal,
			typeVersion: 1,
			parameters: {
				resource: 'booking',
				operation: 'book',
				courseId: 1,
				date: '={{ $json.date }}',
				time: '={{ $json.time }}',
				firstName: 'Jane',
				lastName: 'Smith',
				email: 'jane@example.com',
				payOption: 'credits',
				additionalFields: {},
			},
		},
	]);

describe(`an edited credential in real n8n ${version}`, () => {
	it('switched to another account: the new account pays for the next booking, the old one is not charged', async () => {
		const credential = await createSandboxCredential(n8n(), sandbox(), { name: 'BLS edited' });
		const workflow = await n8n().importWorkflow(
			withCredential(bookWorkflow('e2e: book after credential edit'), credential),
		);

		const before = [practicalCredits(sandbox(), 0), practicalCredits(sandbox(), 1)];
		const first = await n8n().runWorkflow(workflow.id);
		expect(first.output('Book')).toEqual([expect.objectContaining({ status: 'booked' })]);
		expect([practicalCredits(sandbox(), 0), practicalCredits(sandbox(), 1)]).toEqual([
			before[0] - 1,
			before[1],
		]);

		const other = sandbox().accounts[1];
		const sent = await editCredentialAsEditor(n8n(), credential.id, {
			clientId: other.hbClientId,
			apiKey: other.apiKey,
		});
		// As the editor sends it: the stored access token comes back as the placeholder, so n8n keeps it.
		expect(sent.accessToken).toBe(REDACTED);
		sandbox().clearRequests();

		const second = await n8n().runWorkflow(workflow.id);
		expect(second.output('Book')).toEqual([expect.objectContaining({ status: 'booked' })]);
		expect([practicalCredits(sandbox(), 0), practicalCredits(sandbox(), 1)]).toEqual([
			before[0] - 1,
			before[1] - 1,
		]);
		// Nothing after the edit acted as the old account.
		const callers = new Set(
			sandbox()
				.requests()
				.entries.map((entry) => entry.clientId),
		);
		expect(callers.has(sandbox().accounts[0].hbClientId)).toBe(false);
		expect(callers.has(other.hbClientId)).toBe(true);
	});

	it('pointed at another host: the old token never reaches it, and that host’s account pays', async () => {
		const credential = await createSandboxCredential(n8n(), sandbox(), {
			name: 'BLS moved',
			accountIndex: 1,
		});
		const workflow = await n8n().importWorkflow(
			withCredential(bookWorkflow('e2e: book after host change'), credential),
		);
		const first = await n8n().runWorkflow(workflow.id);
		expect(first.output('Book')).toEqual([expect.objectContaining({ status: 'booked' })]);
		const oldTokens = new Set(sandbox().issuedTokens());

		const before = practicalCredits(otherHost, 1);
		// Only the Base URL changes (with the trailing space a paste leaves); client ID and key stay.
		await editCredentialAsEditor(n8n(), credential.id, {
			baseUrl: `${otherHostRelay.origin}/api/v1/ `,
		});
		const second = await n8n().runWorkflow(workflow.id);
		expect(second.output('Book')).toEqual([expect.objectContaining({ status: 'booked' })]);
		expect(practicalCredits(otherHost, 1)).toBe(before - 1);

		const bearers = otherHostRelay.deliveries
			.map((request) => /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '')?.[1])
			.filter(Boolean);
		expect(bearers.length).toBeGreaterThan(0);
		expect(bearers.filter((token) => oldTokens.has(token!))).toEqual([]);
		expect(bearers.every((token) => otherHost.issuedTokens().includes(token!))).toBe(true);
	});

	it('Test connection calls the URL the nodes call: trailing space trimmed, empty Base URL is production', async () => {
		const credential = await createSandboxCredential(n8n(), sandbox(), { name: 'BLS tested' });
		const account = sandbox().accounts[0];
		sandbox().clearRequests();

		const spaced = await testCredentialAsEditor(n8n(), credential, {
			clientId: account.hbClientId,
			apiKey: account.apiKey,
			baseUrl: `${sandbox().apiUrl}/ `,
		});
		expect(spaced).toMatchObject({ status: 'OK' });
		const tokenInfo = sandbox()
			.requests()
			.entries.filter((entry) => entry.path === '/auth/token-info');
		expect(tokenInfo).toEqual([
			expect.objectContaining({
				url: '/api/v1/auth/token-info',
				status: 200,
				clientId: account.hbClientId,
			}),
		]);

		// Nothing leaves this machine, so production cannot be reached: the test looked a host name up
		// (not a relative URL, not the sandbox). The unit test of the credential resolves the test
		// request's URL with n8n's own expression engine and compares it with the nodes' URL.
		sandbox().clearRequests();
		const empty = await testCredentialAsEditor(n8n(), credential, {
			clientId: account.hbClientId,
			apiKey: account.apiKey,
			baseUrl: '',
		});
		expect(empty.status).toBe('Error');
		expect(empty.message).toMatch(/ENOTFOUND|EAI_AGAIN|incorrect host|bls\.hbcompliance\.co\.uk/);
		expect(sandbox().requests().total).toBe(0);
	});

	it('Test connection with the API choice: Custom URL calls the sandbox, TDTA and BLS production their own hosts', async () => {
		const credential = await createSandboxCredential(n8n(), sandbox(), { name: 'BLS API choice' });
		const account = sandbox().accounts[0];
		const fields = {
			clientId: account.hbClientId,
			apiKey: account.apiKey,
			baseUrl: sandbox().apiUrl,
		};
		sandbox().clearRequests();
		expect(
			await testCredentialAsEditor(n8n(), credential, {
				...fields,
				environment: 'custom',
				customApi: 'tdta',
			}),
		).toMatchObject({ status: 'OK' });
		expect(sandbox().requests().byEndpoint['GET /auth/token-info']).toBe(1);

		// The stored Base URL is ignored for a production choice: nothing reaches the sandbox.
		sandbox().clearRequests();
		const tdta = await testCredentialAsEditor(n8n(), credential, {
			...fields,
			environment: 'tdta',
		});
		expect(tdta.status).toBe('Error');
		expect(tdta.message).toMatch(/ENOTFOUND|EAI_AGAIN|incorrect host|tdta\.hbcompliance\.co\.uk/);
		const bls = await testCredentialAsEditor(n8n(), credential, { ...fields, environment: 'bls' });
		expect(bls.status).toBe('Error');
		expect(sandbox().requests().total).toBe(0);
	});
});
