/**
 * Secrets — the API keys, every access and refresh token the sandbox issued, and every webhook
 * signing secret — never show up where they do not belong:
 *
 * - in what the node sent (recorded byte for byte by a proxy in front of the sandbox): the API key
 *   only in the body of POST /auth/token, access tokens only in `Authorization: Bearer`, refresh
 *   tokens only in the body of POST /auth/refresh, webhook secrets never; nothing at all reaches
 *   another host, even when the API redirects a download there;
 * - in node output and error messages (n8n-core in process), over success, refusals, outages,
 *   revoked and expired tokens and a wrong API key. The one exception is by design: Webhook
 *   Endpoint → Create and → Rotate Secret output the new signing secret once, in `secret`;
 * - inside real n8n (N8N_VERSION, default 2.41.1, debug logging): its log, and the stored data of
 *   every execution (actions, failures, trigger deliveries valid and forged).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { INodeExecutionData, INodeParameters, NodeParameterValue } from 'n8n-workflow';

import { startSandbox } from '../../sandbox';
import { startN8n, versionFromEnv, type N8nInstance } from '../../scripts/n8n/instance';
import { nodeOutput, NODE_TYPES, withCredential } from '../../scripts/n8n/workflows';
import { chainWorkflow, createSandboxCredential, type NodeSpec } from '../e2e/helpers';
import { N8nHarness } from '../harness/n8n';
import {
	ApiProxy,
	endpointSecrets,
	issuedTokens,
	nowSeconds,
	postRaw,
	printFigures,
	registeredEndpoint,
	triggerRegistrationSaved,
	settledExecutions,
	sign,
	triggerWorkflow,
	waitFor,
	type Sandbox,
} from './support';

const version = versionFromEnv();
const WRONG_KEY = 'sandbox-key-wrong-0123456789abcdef';
const L = (value: NodeParameterValue) => ({ __rl: true, mode: 'id', value });

let sandbox: Sandbox;
/** The item of the step that ran after the Revoke step, inside n8n. */
let afterRevoke: Array<Record<string, unknown>> = [];
let apiProxy: ApiProxy;
let foreign: {
	server: http.Server;
	origin: string;
	received: Array<{ url: string; headers: http.IncomingHttpHeaders; body: string }>;
};
/** Signing secrets the node legitimately output (Create / Rotate Secret), collected as they appear. */
const outputSecrets = new Set<string>();

const figures = {
	requestsRecorded: 0,
	apiKeyInTokenExchange: 0,
	bearerHeaders: 0,
	refreshBodies: 0,
	outputsSearched: 0,
	errorsSearched: 0,
	foreignRequests: 0,
	n8nLogBytes: 0,
	n8nExecutionsSearched: 0,
	n8nExecutionBytes: 0,
	secretsTracked: 0,
	leaks: 0,
};
const leaks: string[] = [];
const notes: string[] = [];

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, rateLimit: false, retryDelayMs: 200, bookings: 25 });
	apiProxy = await ApiProxy.start(sandbox.origin);
	const received: Array<{ url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			received.push({
				url: req.url ?? '',
				headers: req.headers,
				body: Buffer.concat(chunks).toString('utf8'),
			});
			res.writeHead(200, { 'content-type': 'application/pdf' });
			res.end('%PDF-1.4 not really');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	foreign = {
		server,
		origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		received,
	};
});

afterAll(async () => {
	printFigures(
		`Secrets — API keys, tokens, webhook secrets (n8n ${version})`,
		[
			['secrets tracked (keys, tokens issued, webhook secrets)', figures.secretsTracked],
			['requests the node sent, recorded', figures.requestsRecorded],
			['  API key sent: token exchanges only', figures.apiKeyInTokenExchange],
			['  access token sent: Authorization headers only', figures.bearerHeaders],
			['  refresh token sent: refresh bodies only', figures.refreshBodies],
			['requests to another host (a followed redirect)', figures.foreignRequests],
			['node outputs searched (in process)', figures.outputsSearched],
			['error messages searched (in process)', figures.errorsSearched],
			['n8n log searched (bytes, debug level)', figures.n8nLogBytes],
			['n8n executions searched', figures.n8nExecutionsSearched],
			['  their stored data (bytes)', figures.n8nExecutionBytes],
			['leaks found', figures.leaks],
		],
		[...leaks.slice(0, 10), ...notes],
	);
	await apiProxy?.stop();
	await new Promise<void>((resolve) => {
		if (!foreign) return resolve();
		foreign.server.close(() => resolve());
		foreign.server.closeAllConnections();
	});
	await sandbox?.stop();
});

/** Every secret known now: API keys (and a wrong one a user might type), tokens issued, signing secrets. */
function secrets(): Map<string, string> {
	const all = new Map<string, string>();
	for (const account of sandbox.accounts)
		all.set(account.apiKey, `API key of ${account.hbClientId}`);
	all.set(WRONG_KEY, 'a wrong API key');
	for (const token of issuedTokens(sandbox)) all.set(token, 'a token issued by the API');
	for (const endpoint of endpointSecrets(sandbox))
		all.set(endpoint.secret, `signing secret of endpoint ${endpoint.id}`);
	for (const secret of outputSecrets) all.set(secret, 'a signing secret output by Create/Rotate');
	return all;
}

/** Reports every secret found in `text`, with where (and, for JSON, the property path it sits at). */
function search(
	where: string,
	text: string,
	allowed: (secret: string) => boolean = () => false,
): void {
	for (const [secret, what] of secrets()) {
		if (secret.length >= 8 && text.includes(secret) && !allowed(secret)) {
			figures.leaks++;
			leaks.push(`${what} in ${where}${pathsOf(text, secret)}`);
		}
	}
}

function pathsOf(text: string, secret: string): string {
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return '';
	}
	const found: string[] = [];
	const walk = (value: unknown, path: string) => {
		if (found.length >= 3) return;
		if (typeof value === 'string' && value.includes(secret)) found.push(path);
		else if (value && typeof value === 'object')
			for (const [key, child] of Object.entries(value)) walk(child, `${path}.${key}`);
	};
	walk(parsed, '$');
	return found.length ? ` at ${found.join(', ')}` : '';
}

/** An error as n8n stores it: message, description, context, cause, stack, and everything enumerable. */
function errorText(error: unknown): string {
	if (!error) return '';
	const e = error as Record<string, unknown> & Error;
	const seen = new WeakSet<object>();
	return JSON.stringify(
		{
			...e,
			message: e.message,
			description: e.description,
			stack: e.stack,
			cause: e.cause,
			context: e.context,
		},
		(_key, value) => {
			if (value && typeof value === 'object') {
				if (seen.has(value)) return '[circular]';
				seen.add(value);
			}
			return typeof value === 'bigint' ? String(value) : value;
		},
	);
}

// ---- In process: what the node sent, output and errors ---------------------------------------

describe('in process: what the node sends, outputs and reports', () => {
	let harness: N8nHarness;
	let wrongKey: N8nHarness;
	const outputs: Array<{ where: string; items: INodeExecutionData[] }> = [];
	const errors: Array<{ where: string; error: unknown }> = [];

	async function run(where: string, parameters: INodeParameters, target = harness): Promise<void> {
		let result: Awaited<ReturnType<N8nHarness['run']>> | undefined;
		try {
			result = await target.run({ parameters });
		} catch (error) {
			errors.push({ where, error });
			return;
		}
		outputs.push({ where, items: result.items });
		if (result.error) errors.push({ where, error: result.error });
		for (const item of result.items) {
			if (typeof item.json.secret === 'string') outputSecrets.add(item.json.secret);
		}
	}

	beforeAll(async () => {
		const [demo] = sandbox.accounts;
		harness = new N8nHarness({
			clientId: demo.hbClientId,
			apiKey: demo.apiKey,
			baseUrl: apiProxy.apiUrl,
		});
		wrongKey = new N8nHarness({
			clientId: demo.hbClientId,
			apiKey: WRONG_KEY,
			baseUrl: apiProxy.apiUrl,
		});

		await run('Token → Get Info', { resource: 'token', operation: 'getInfo' });
		await run('Account → Get Credits', { resource: 'account', operation: 'getCredits' });
		await run('Account → Get Booking URL', { resource: 'account', operation: 'getBookingUrl' });
		await run('Account → Get Many Transactions', {
			resource: 'account',
			operation: 'getManyTransactions',
			limit: 5,
		});
		await run('Course → Get Many', { resource: 'course', operation: 'getMany', returnAll: true });
		await run('Booking → Get Many', { resource: 'booking', operation: 'getMany', returnAll: true });
		await run('Booking → Get', { resource: 'booking', operation: 'get', bookingId: L('1') });
		await run('Booking → Get (unknown)', {
			resource: 'booking',
			operation: 'get',
			bookingId: L('999999'),
		});
		await run('Booking → Download Certificate', {
			resource: 'booking',
			operation: 'downloadCertificate',
			bookingId: L('1'),
			binaryPropertyName: 'data',
		});
		const [slot] = (
			await harness.output({
				parameters: { resource: 'timeslot', operation: 'getMany', courseId: 1, limit: 1 },
			})
		).map((i) => ({
			date: String(i.json.date),
			time: String(i.json.time),
		}));
		const candidate = {
			firstName: 'Sec',
			lastName: 'Ret',
			email: 'secret-test@example.com',
			payOption: 'credits',
			additionalFields: {},
		};
		await run('Booking → Book', {
			resource: 'booking',
			operation: 'book',
			courseId: 1,
			date: slot.date,
			time: slot.time,
			...candidate,
		});
		await run('Booking → Create (unknown hold)', {
			resource: 'booking',
			operation: 'create',
			holdHash: 'Q'.repeat(32),
			...candidate,
		});
		await run('Webhook Endpoint → Create', {
			resource: 'webhookEndpoint',
			operation: 'create',
			url: `${foreign.origin}/hook`,
			events: ['booking.created', 'webhook.test'],
			additionalFields: {},
		});
		const endpointId = endpointSecrets(sandbox).at(-1)!.id;
		await run('Webhook Endpoint → Rotate Secret', {
			resource: 'webhookEndpoint',
			operation: 'rotateSecret',
			webhookId: L(String(endpointId)),
		});
		await run('Webhook Endpoint → Get', {
			resource: 'webhookEndpoint',
			operation: 'get',
			webhookId: L(String(endpointId)),
		});
		await run('Webhook Endpoint → Get Many', {
			resource: 'webhookEndpoint',
			operation: 'getMany',
			returnAll: true,
		});
		await run('Webhook Endpoint → Update', {
			resource: 'webhookEndpoint',
			operation: 'update',
			webhookId: L(String(endpointId)),
			updateFields: { name: 'renamed' },
		});
		await run('Webhook Endpoint → Send Test', {
			resource: 'webhookEndpoint',
			operation: 'sendTest',
			webhookId: L(String(endpointId)),
		});
		await sandbox.waitForDeliveries(10_000);

		// Token lifecycle: refresh (access expired), fresh exchange (both expired), revoke, then use again.
		sandbox.expireTokens({ access: true });
		await run('after the access token expired', { resource: 'account', operation: 'getCredits' });
		sandbox.expireTokens({ access: true, refresh: true });
		await run('after both tokens expired', { resource: 'account', operation: 'getCredits' });
		await run('Token → Revoke', { resource: 'token', operation: 'revoke' });
		await run('after Revoke', { resource: 'booking', operation: 'get', bookingId: L('2') });

		// Failures on the way to a token: the API down on refresh and exchange, a wrong key, a lost answer.
		sandbox.expireTokens({ access: true });
		sandbox.addFault({ status: 500, method: 'POST', path: '/auth/refresh', count: 1 });
		await run('500 on /auth/refresh', { resource: 'account', operation: 'getCredits' });
		sandbox.revokeAllTokens();
		sandbox.addFault({ status: 503, method: 'POST', path: '/auth/token', count: 10 });
		await run('503 on /auth/token', { resource: 'account', operation: 'getCredits' });
		sandbox.clearFaults();
		sandbox.addFault({ status: 422, method: 'POST', path: '/auth/token', count: 1 });
		await run('422 on /auth/token', { resource: 'account', operation: 'getCredits' });
		sandbox.clearFaults();
		await run('a wrong API key', { resource: 'account', operation: 'getCredits' }, wrongKey);
		apiProxy.loseAnswers('POST', '/auth/token');
		sandbox.revokeAllTokens();
		await run('answer to the token exchange lost', {
			resource: 'account',
			operation: 'getCredits',
		});
		sandbox.addFault({ drop: true, method: 'POST', path: '/auth/token', count: 5 });
		await run('token exchange connection dropped', {
			resource: 'account',
			operation: 'getCredits',
		});
		sandbox.clearFaults();

		// The API sends the certificate from another host: nothing of ours may follow it there.
		apiProxy.redirect('GET', '/bookings/1/certificate', `${foreign.origin}/files/certificate.pdf`);
		await run('certificate redirected to another host', {
			resource: 'booking',
			operation: 'downloadCertificate',
			bookingId: L('1'),
			binaryPropertyName: 'data',
		});
		apiProxy.clearRedirects();

		// Signing in is sent to another host with its body (307/308 keep it): the API key must not follow.
		sandbox.revokeAllTokens();
		apiProxy.redirect('POST', '/auth/token', `${foreign.origin}/auth/token`, 307);
		apiProxy.redirect('POST', '/auth/refresh', `${foreign.origin}/auth/refresh`, 308);
		await run('sign-in redirected to another host', {
			resource: 'account',
			operation: 'getCredits',
		});
		apiProxy.clearRedirects();
	}, 300_000);

	it('sends the API key only to POST /auth/token, tokens only where they belong, and signing secrets never', () => {
		const all = secrets();
		const apiKeys = new Set(sandbox.accounts.map((a) => a.apiKey).concat(WRONG_KEY));
		const tokens = new Set(issuedTokens(sandbox));
		const signingSecrets = new Set([
			...endpointSecrets(sandbox).map((e) => e.secret),
			...outputSecrets,
		]);
		figures.requestsRecorded = apiProxy.sent.length;
		figures.secretsTracked = all.size;
		expect(apiProxy.sent.length).toBeGreaterThan(40);
		const misplaced: string[] = [];
		for (const request of apiProxy.sent) {
			const route = `${request.method} ${request.url.split('?')[0]}`;
			const inUrl = [...all.keys()].filter((secret) => request.url.includes(secret));
			if (inUrl.length) misplaced.push(`${route}: a secret in the URL`);
			for (const [name, value] of Object.entries(request.headers)) {
				const text = String(value);
				const found = [...all.keys()].filter((secret) => text.includes(secret));
				if (found.length === 0) continue;
				if (
					name === 'authorization' &&
					found.every((secret) => tokens.has(secret)) &&
					text === `Bearer ${found[0]}`
				)
					figures.bearerHeaders++;
				else misplaced.push(`${route}: a secret in header ${name}`);
			}
			for (const secret of all.keys()) {
				if (!request.body.includes(secret)) continue;
				if (apiKeys.has(secret) && route === 'POST /api/v1/auth/token')
					figures.apiKeyInTokenExchange++;
				else if (
					tokens.has(secret) &&
					route === 'POST /api/v1/auth/refresh' &&
					JSON.parse(request.body).refresh_token === secret
				)
					figures.refreshBodies++;
				else misplaced.push(`${route}: ${all.get(secret)} in the body`);
			}
			for (const secret of signingSecrets)
				if (`${request.url}${request.body}`.includes(secret))
					misplaced.push(`${route}: a signing secret`);
		}
		figures.leaks += misplaced.length;
		leaks.push(...misplaced);
		expect(misplaced).toEqual([]);
		expect(figures.apiKeyInTokenExchange).toBeGreaterThan(0);
		expect(figures.bearerHeaders).toBeGreaterThan(0);
		expect(figures.refreshBodies).toBeGreaterThan(0);
	});

	it('sends no key or token to another host, even when the API redirects a download there', () => {
		figures.foreignRequests = foreign.received.filter(
			(request) => !request.url.startsWith('/hook'),
		).length;
		// The redirect was followed, without the bearer token; the other requests are the API's own deliveries.
		for (const request of foreign.received) {
			expect(request.headers.authorization).toBeUndefined();
			search(`a request to another host (${request.url})`, JSON.stringify(request));
		}
		expect(leaks).toEqual([]);
	});

	it('outputs no key or token, and a signing secret only from Create / Rotate Secret', () => {
		for (const { where, items } of outputs) {
			figures.outputsSearched += items.length;
			const byDesign =
				where === 'Webhook Endpoint → Create' || where === 'Webhook Endpoint → Rotate Secret';
			for (const item of items) {
				const { secret, ...rest } = item.json;
				search(`output of ${where}`, JSON.stringify(rest));
				if (secret !== undefined) {
					expect(byDesign).toBe(true);
					expect(String(secret)).toMatch(/^whsec_/);
				}
				if (item.binary) search(`binary of ${where}`, JSON.stringify(item.binary));
			}
		}
		expect(leaks).toEqual([]);
	});

	it('reports errors without any key, token or secret', () => {
		if (process.env.BLS_RESILIENCE_DEBUG === '1') {
			for (const { where, error } of errors)
				process.stdout.write(
					`${where}: ${(error as Error).message} — ${String((error as { description?: string }).description)}\n`,
				);
		}
		figures.errorsSearched = errors.length;
		expect(errors.length).toBeGreaterThanOrEqual(5);
		for (const { where, error } of errors) search(`error of ${where}`, errorText(error));
		expect(leaks).toEqual([]);
	});
});

// ---- Real n8n: log and stored executions ------------------------------------------------------

describe(`inside n8n ${version}: log and stored executions`, () => {
	let n8n: N8nInstance;

	const bls = (
		name: string,
		parameters: INodeParameters,
		extra: Partial<NodeSpec> = {},
	): NodeSpec => ({
		name,
		type: NODE_TYPES.blsPortal,
		typeVersion: 1,
		parameters,
		executeOnce: true,
		onError: 'continueRegularOutput',
		...extra,
	});
	const webhook = (path: string): NodeSpec => ({
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: `5ec7e75e-0000-4000-8000-${path.padStart(12, '0').slice(-12)}`,
		parameters: { path, httpMethod: 'POST', responseMode: 'onReceived' },
	});

	async function trigger(path: string): Promise<void> {
		await waitFor(
			async () => {
				const response = await fetch(n8n.webhookUrl(path), {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body: '{}',
				});
				await response.arrayBuffer();
				return response.status === 200;
			},
			{ timeoutMs: 15_000, pollMs: 200, what: `webhook ${path}` },
		);
	}

	beforeAll(async () => {
		sandbox.clearFaults();
		n8n = await startN8n({ version, env: { N8N_LOG_LEVEL: 'debug' } });
		const credential = await createSandboxCredential(n8n, sandbox);
		const wrong = await n8n.createCredential({
			name: 'Wrong key',
			type: 'blsPortalApi',
			data: {
				clientId: sandbox.accounts[0].hbClientId,
				apiKey: WRONG_KEY,
				baseUrl: sandbox.apiUrl,
			},
		});

		// The trigger: registered, a real delivery, a forged one.
		const { workflow: triggerJson, webhookId } = triggerWorkflow(
			'secrets: trigger',
			['booking.equipment_late', 'booking.attendance_marked'],
			credential,
		);
		const triggerWf = await n8n.importWorkflow(triggerJson);
		await n8n.activate(triggerWf.id);
		const endpoint = await registeredEndpoint(sandbox, webhookId);
		await triggerRegistrationSaved(n8n, triggerWf.id);
		// n8n stores workflow static data unencrypted (and 1.x copies it into every execution): the
		// trigger keeps only a sealed form of the signing secret there.
		search(
			'the stored workflow (static data included)',
			JSON.stringify(await n8n.getWorkflow(triggerWf.id)),
		);
		sandbox.bookings.attendance(3, true);
		await sandbox.waitForDeliveries(15_000);
		const body = Buffer.from(
			JSON.stringify({
				event_id: 'f0f0f0f0-0000-4000-8000-000000000000',
				event_type: 'booking.attendance_marked',
				occurred_at: 'x',
				data: {},
			}),
		);
		const ts = String(nowSeconds());
		await postRaw(`${n8n.url}${new URL(endpoint.url).pathname}`, {
			headers: {
				'content-type': 'application/json',
				'x-tdta-event': 'booking.attendance_marked',
				'x-tdta-event-id': 'f0f0f0f0-0000-4000-8000-000000000000',
				'x-tdta-delivery-id': '1',
				'x-tdta-timestamp': ts,
				'x-tdta-signature': sign('whsec_forged', ts, body),
			},
			body,
		});

		// Actions, in one run: success, an unknown ID, a download, a revoke and the re-authentication after it.
		const actions = await n8n.importWorkflow(
			withCredential(
				chainWorkflow(
					'secrets: actions',
					[
						bls('Token Info', { resource: 'token', operation: 'getInfo' }),
						bls('Credits', { resource: 'account', operation: 'getCredits' }),
						bls('Bookings', { resource: 'booking', operation: 'getMany', limit: 3 }),
						bls('Unknown Booking', {
							resource: 'booking',
							operation: 'get',
							bookingId: L('999999'),
						}),
						bls('Certificate', {
							resource: 'booking',
							operation: 'downloadCertificate',
							bookingId: L('1'),
							binaryPropertyName: 'data',
						}),
						bls('Revoke', { resource: 'token', operation: 'revoke' }),
						bls('After Revoke', { resource: 'booking', operation: 'get', bookingId: L('2') }),
					],
					webhook('secrets-actions'),
				),
				credential,
			),
		);
		await n8n.activate(actions.id);
		await trigger('secrets-actions');
		const [actionsRun] = await settledExecutions(n8n, actions.id, { atLeast: 1 });
		// Continue On Fail is on for these steps, so their success is checked here: the step after the
		// revoke signed in again and read its booking.
		afterRevoke = actionsRun?.data
			? (nodeOutput(actionsRun.data, 'After Revoke') as Array<Record<string, unknown>>)
			: [];

		// Failures: a wrong API key, and the API down while signing in again.
		const wrongKey = await n8n.importWorkflow(
			withCredential(
				chainWorkflow(
					'secrets: wrong key',
					[
						bls(
							'Credits',
							{ resource: 'account', operation: 'getCredits' },
							{ onError: 'stopWorkflow' },
						),
					],
					webhook('secrets-wrong'),
				),
				wrong,
			),
		);
		await n8n.activate(wrongKey.id);
		await trigger('secrets-wrong');
		await settledExecutions(n8n, wrongKey.id, { atLeast: 1 });

		const outage = await n8n.importWorkflow(
			withCredential(
				chainWorkflow(
					'secrets: outage',
					[
						bls(
							'Credits',
							{ resource: 'account', operation: 'getCredits' },
							{ onError: 'stopWorkflow' },
						),
					],
					webhook('secrets-outage'),
				),
				credential,
			),
		);
		await n8n.activate(outage.id);
		sandbox.expireTokens({ access: true });
		sandbox.addFault({ status: 500, method: 'POST', path: '/auth/refresh', count: 1 });
		await trigger('secrets-outage');
		await settledExecutions(n8n, outage.id, { atLeast: 1 });
		sandbox.revokeAllTokens();
		sandbox.addFault({ status: 503, method: 'POST', path: '/auth/token', count: 20 });
		await trigger('secrets-outage');
		await settledExecutions(n8n, outage.id, { atLeast: 2 });
		sandbox.clearFaults();
	}, 20 * 60_000);

	afterAll(async () => {
		await n8n?.stop();
	}, 60_000);

	it('signs in again after the Revoke step, inside n8n', () => {
		expect(afterRevoke).toEqual([expect.objectContaining({ id: 2 })]);
		expect(afterRevoke[0]).not.toHaveProperty('error');
	});

	it('keeps every key, token and signing secret out of its log', () => {
		const log = n8n.logs();
		figures.n8nLogBytes = log.length;
		figures.secretsTracked = secrets().size;
		expect(log.length).toBeGreaterThan(1000);
		search('the n8n log', log);
		expect(leaks).toEqual([]);
	});

	it('keeps every key, token and signing secret out of its stored executions', async () => {
		const executions = await n8n.executions({ includeData: true });
		figures.n8nExecutionsSearched = executions.length;
		// Whole executions, including the copy of the workflow and its static data that n8n 1.x keeps.
		const text = JSON.stringify(executions);
		figures.n8nExecutionBytes = text.length;
		expect(executions.length).toBeGreaterThanOrEqual(5);
		// The failures were recorded, with the reason a user needs.
		expect(text).toMatch(/rejected the Client ID or API Key/);
		search('stored executions', text);
		expect(leaks).toEqual([]);
	});
});
