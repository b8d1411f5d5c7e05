/**
 * Webhook attack corpus against the BLS Portal Trigger inside real n8n (N8N_VERSION, default
 * 2.41.1). Valid deliveries are built the way the API signs them (checked against a real sandbox
 * delivery), then mutated: flipped signature bits, wrong secret, another endpoint's secret,
 * tampered bodies, timestamps around the 300 s window, missing and repeated headers, other
 * signature prefixes, empty, oversized and non-JSON bodies, other content types, and replays.
 *
 * Forgeries of an event are sent before its valid delivery, so a forgery that slipped through
 * would start an execution of its own (the duplicate guard could not hide it). Executions are read
 * back from n8n's public API, not inferred from status codes.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { startSandbox } from '../../sandbox';
import {
	startN8n,
	versionFromEnv,
	type Execution,
	type N8nInstance,
} from '../../scripts/n8n/instance';
import { createSandboxCredential } from '../e2e/helpers';
import {
	DeliveryRelay,
	earlyInSecond,
	nowSeconds,
	postRaw,
	printFigures,
	registeredEndpoint,
	seededRandom,
	settledExecutions,
	sign,
	Tally,
	triggerItems,
	triggerRegistrationSaved,
	triggerWorkflow,
	waitFor,
	type RawDelivery,
	type RawResponse,
	type Sandbox,
} from './support';

const version = versionFromEnv();
const SEEDS = 16;
const random = seededRandom(20260605);

type Kind = 'forged' | 'valid' | 'replay';
interface Case {
	kind: Kind;
	category: string;
	/** Built when sent, so timestamps are fresh. */
	build: () => RawDelivery;
	/** The wall-clock second matters (window boundary): send early in a second and re-send if the answer crossed into the next. */
	boundary?: boolean;
}

interface Outcome {
	kind: Kind;
	category: string;
	status: number;
	eventId: string;
	body: string;
	contentType: string;
	bodyBytes: number;
	bodyIsJson: boolean;
	/** The body starts with the boundary its multipart content type names. */
	bodyIsMultipart: boolean;
	bodyIsXml: boolean;
}

/**
 * A forgery is answered 401 by the trigger itself, except where n8n refuses the request before the
 * trigger sees it. Each exception names when it applies, n8n's status and answer, and why.
 */
const REFUSED_BEFORE_THE_TRIGGER: Array<{
	when: string;
	applies: (outcome: Outcome) => boolean;
	status: number;
	answer: RegExp;
	why: string;
	or401?: string;
}> = [
	{
		when: 'the content type says JSON but the (non-empty) body is not JSON',
		applies: (outcome) => outcome.contentType.startsWith('application/json') && !outcome.bodyIsJson,
		status: 422,
		answer: /Failed to parse request body/,
		why: "n8n's body parser parses a JSON body before any webhook runs",
	},
	{
		when: 'the content type is XML but the body is not XML',
		applies: (outcome) => /[/+]xml\b/.test(outcome.contentType) && !outcome.bodyIsXml,
		status: 422,
		answer: /Failed to parse request body/,
		why: "n8n's body parser parses an XML body before any webhook runs",
		// Measured: n8n 2.41.1 shares one xml2js parser, which after a failure resolves the next
		// document to null, so every second such request reaches the trigger (and gets its 401).
		or401:
			"every second such request: n8n's shared XML parser, reset by the failure before, lets it through to the trigger",
	},
	{
		when: 'the content type is multipart/form-data but the body is not multipart',
		applies: (outcome) =>
			outcome.contentType.startsWith('multipart/form-data') && !outcome.bodyIsMultipart,
		status: 400,
		answer: /The submitted form data could not be parsed/,
		why: "n8n's form parser reads multipart bodies before any webhook runs",
	},
	{
		when: "the body is over n8n's payload limit (N8N_PAYLOAD_SIZE_MAX, 16 MiB)",
		applies: (outcome) => outcome.bodyBytes > 16 * 1024 * 1024,
		status: 500,
		answer: /There was a problem executing the workflow/,
		why: "n8n's raw-body reader stops at the limit (413 inside), which n8n 2.41.1 reports as 500 without starting an execution",
	},
];

/** What the corpus promises for a forgery: 401 from the trigger, or the one exception that applies. */
function expectedRefusal(outcome: Outcome): { status: number; answer: RegExp; or401?: string } {
	return (
		REFUSED_BEFORE_THE_TRIGGER.find((exception) => exception.applies(outcome)) ?? {
			status: 401,
			answer: /"received":false/,
		}
	);
}

/** The trigger's own refusal. */
const TRIGGER_REFUSAL = /"received":false/;

function isJson(body: Buffer): boolean {
	try {
		JSON.parse(body.toString('utf8'));
		return true;
	} catch {
		return false;
	}
}

let sandbox: Sandbox;
let proxy: DeliveryRelay;
let n8n: N8nInstance;
let workflowId = '';
let otherWorkflowId = '';
let webhookUrl = '';
let secret = '';
let otherSecret = '';
let template: { headers: Record<string, string>; body: Record<string, unknown> };
const outcomes: Outcome[] = [];
const validEventIds: string[] = [];
let templateEventId = '';
let executionsStarted = -1;
let executionsOfOther = -1;
let forgedExecutions = -1;
let duplicateExecutions = -1;
let executionsListedAtAcknowledgement = -1;

/** "839 deliveries … 726 forged … 97 replays … 16 valid" as the README's Security section states them. */
function readmeCorpusFigures(): { total: number; forged: number; replay: number; valid: number } {
	const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
	const match =
		/(\d[\d,]*)\s+deliveries\s+go\s+to\s+the\s+trigger\s+inside\s+n8n:\s+(\d[\d,]*)\s+forged\b[^]*?(\d[\d,]*)\s+replays\s+of\s+valid\s+ones\s+and\s+(\d[\d,]*)\s+valid\s+ones/.exec(
			readme,
		);
	if (!match)
		throw new Error(
			'README.md no longer states the attack corpus as "N deliveries go to the trigger inside n8n: N forged … N replays of valid ones and N valid ones"',
		);
	const n = (text: string) => Number(text.replace(/,/g, ''));
	return { total: n(match[1]), forged: n(match[2]), replay: n(match[3]), valid: n(match[4]) };
}

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, rateLimit: false, retryDelayMs: 500, bookings: 60 });
	proxy = await DeliveryRelay.start();
	n8n = await startN8n({
		version,
		env: { N8N_WEBHOOK_URL: `${proxy.origin}/`, WEBHOOK_URL: `${proxy.origin}/` },
	});
	proxy.target = n8n.url;
	const credential = await createSandboxCredential(n8n, sandbox);

	const target = triggerWorkflow(
		'corpus: target',
		['booking.equipment_late', 'booking.attendance_marked', 'booking.cancelled'],
		credential,
	);
	const other = triggerWorkflow('corpus: other endpoint', ['webhook.test'], credential);
	workflowId = (await n8n.importWorkflow(target.workflow)).id;
	otherWorkflowId = (await n8n.importWorkflow(other.workflow)).id;
	await n8n.activate(workflowId);
	await n8n.activate(otherWorkflowId);
	const endpoint = await registeredEndpoint(sandbox, target.webhookId);
	secret = endpoint.secret;
	otherSecret = (await registeredEndpoint(sandbox, other.webhookId)).secret;
	await triggerRegistrationSaved(n8n, workflowId);
	await triggerRegistrationSaved(n8n, otherWorkflowId);
	// The proxy's address was registered; attacks go straight to n8n at the same path.
	webhookUrl = `${n8n.url}${new URL(endpoint.url).pathname}`;

	// One real delivery from the sandbox: the template every constructed delivery follows.
	const booked = sandbox.state().accounts[0].bookingsByStatus.booked;
	expect(booked).toBeGreaterThan(0);
	const bookingId = await firstLiveBooking();
	sandbox.bookings.equipment(bookingId, 'late');
	await waitFor(() => proxy.deliveries.length > 0, {
		timeoutMs: 30_000,
		what: 'the first real delivery',
	});
	await sandbox.waitForDeliveries(10_000);
	const real = proxy.deliveries[0];
	expect(real.n8nStatus).toBe(200);
	const headers: Record<string, string> = {};
	for (const name of [
		'content-type',
		'user-agent',
		'x-tdta-event',
		'x-tdta-event-id',
		'x-tdta-delivery-id',
		'x-tdta-timestamp',
		'x-tdta-signature',
	]) {
		headers[name] = String(real.headers[name]);
	}
	// Our signer agrees with the sandbox's: constructed deliveries are what the API would send.
	expect(sign(secret, headers['x-tdta-timestamp'], real.rawBody)).toBe(headers['x-tdta-signature']);
	template = {
		headers,
		body: JSON.parse(real.rawBody.toString('utf8')) as Record<string, unknown>,
	};
	templateEventId = String(template.body.event_id);
}, 20 * 60_000);

afterAll(async () => {
	const byKind = (kind: Kind) => outcomes.filter((outcome) => outcome.kind === kind);
	const refused = byKind('forged').filter((outcome) => outcome.status >= 400).length;
	const statuses = new Tally();
	for (const outcome of byKind('forged')) statuses.add(String(outcome.status));
	const categories = new Tally();
	for (const outcome of outcomes) categories.add(`${outcome.kind}/${outcome.category}`);
	printFigures(
		`Webhook attack corpus — BLS Portal Trigger in n8n ${version}`,
		[
			['deliveries tried', outcomes.length],
			['  forged (mutated)', byKind('forged').length],
			['  valid (incl. ±299 s timestamps)', byKind('valid').length],
			['  replays of valid deliveries', byKind('replay').length],
			[
				'forged refused by the trigger (401)',
				byKind('forged').filter((outcome) => outcome.status === 401).length,
			],
			[
				'forged refused by n8n before the trigger (named exceptions)',
				byKind('forged').filter((outcome) => outcome.status !== 401).length,
			],
			['forged refused in all (4xx/5xx)', refused],
			['valid accepted (200)', byKind('valid').filter((outcome) => outcome.status === 200).length],
			[
				'replays acknowledged as duplicates (200)',
				byKind('replay').filter((outcome) => /already received/.test(outcome.body)).length,
			],
			[
				'replays refused (4xx, e.g. as multipart)',
				byKind('replay').filter((outcome) => outcome.status >= 400).length,
			],
			['executions listed once every delivery was answered', executionsListedAtAcknowledgement],
			['executions started (n8n API), target', executionsStarted],
			['  of which from forgeries or replays', forgedExecutions + duplicateExecutions],
			['executions started, other endpoint', executionsOfOther],
		],
		[
			`forged answered with: ${statuses.summary()}`,
			`categories: ${categories.entries().length}`,
			...REFUSED_BEFORE_THE_TRIGGER.map(
				(exception) =>
					`exception ${exception.status}: ${exception.when} (${exception.why})${exception.or401 ? `; 401 for ${exception.or401}` : ''}`,
			),
		],
	);
	if (process.env.BLS_RESILIENCE_DEBUG === '1') {
		const byCategory = new Map<string, Tally>();
		for (const outcome of outcomes) {
			const tally = byCategory.get(`${outcome.kind}/${outcome.category}`) ?? new Tally();
			tally.add(`${outcome.status} ${outcome.body.slice(0, 90)}`);
			byCategory.set(`${outcome.kind}/${outcome.category}`, tally);
		}
		for (const [category, tally] of byCategory)
			process.stdout.write(`${category}\n    ${tally.summary()}\n`);
	}
	await n8n?.stop();
	await proxy?.stop();
	await sandbox?.stop();
}, 120_000);

async function firstLiveBooking(): Promise<number> {
	for (let id = 1; id <= 60; id++) {
		try {
			sandbox.bookings.equipment(id, 'out');
			return id;
		} catch {
			// not booked
		}
	}
	throw new Error('No booked booking in the seed');
}

// ---- Building deliveries ----------------------------------------------------------------------

let nextDeliveryId = 9_000_000;

function envelope(eventId: string): Buffer {
	const data = {
		...(template.body.data as Record<string, unknown>),
		id: 1 + Math.floor(random() * 60),
	};
	return Buffer.from(
		JSON.stringify({
			event_id: eventId,
			event_type: template.body.event_type,
			occurred_at: new Date().toISOString().replace('Z', '+00:00'),
			data,
		}),
	);
}

/** A delivery as the API would send it, signed `offsetSeconds` away from now. */
function signed(
	body: Buffer,
	eventId: string,
	options: {
		offsetSeconds?: number;
		secret?: string;
		headers?: Record<string, string | string[] | undefined>;
	} = {},
): RawDelivery {
	const timestamp = String(nowSeconds() + (options.offsetSeconds ?? 0));
	const headers: Record<string, string | string[]> = {
		...template.headers,
		'x-tdta-event-id': eventId,
		'x-tdta-delivery-id': String(nextDeliveryId++),
		'x-tdta-timestamp': timestamp,
		'x-tdta-signature': sign(options.secret ?? secret, timestamp, body),
	};
	for (const [name, value] of Object.entries(options.headers ?? {})) {
		if (value === undefined) delete headers[name];
		else headers[name] = value;
	}
	return { headers, body };
}

function withSignature(delivery: RawDelivery, signature: string): RawDelivery {
	return { ...delivery, headers: { ...delivery.headers, 'x-tdta-signature': signature } };
}

function flipBit(signature: string, bit: number): string {
	const mac = Buffer.from(signature.slice('sha256='.length), 'hex');
	mac[Math.floor(bit / 8)] ^= 1 << (bit % 8);
	return `sha256=${mac.toString('hex')}`;
}

function hexOf(delivery: RawDelivery): string {
	return String(delivery.headers['x-tdta-signature']).slice('sha256='.length);
}

/** The body with one byte changed to another value, the signature left as it was. */
function oneByteChanged(delivery: RawDelivery): RawDelivery {
	const body = Buffer.from(delivery.body);
	const index = Math.floor(random() * body.length);
	body[index] = (body[index] + 1 + Math.floor(random() * 254)) % 256;
	return { ...delivery, body };
}

function reordered(delivery: RawDelivery): RawDelivery {
	const parsed = JSON.parse(delivery.body.toString('utf8')) as Record<string, unknown>;
	const reversed = Object.fromEntries(Object.entries(parsed).reverse());
	return { ...delivery, body: Buffer.from(JSON.stringify(reversed)) };
}

function forgeriesOf(eventId: string, body: Buffer): Case[] {
	const base = () => signed(body, eventId);
	const forged = (category: string, build: () => RawDelivery, boundary = false): Case => ({
		kind: 'forged',
		category,
		build,
		boundary,
	});
	const cases: Case[] = [];
	for (let i = 0; i < 4; i++) {
		const bit = Math.floor(random() * 256);
		cases.push(
			forged('signature bit flipped', () => {
				const delivery = base();
				return withSignature(delivery, flipBit(String(delivery.headers['x-tdta-signature']), bit));
			}),
		);
	}
	cases.push(
		forged('wrong secret', () =>
			signed(body, eventId, { secret: `whsec_${randomUUID().replace(/-/g, '')}` }),
		),
		forged('secret of another endpoint', () => signed(body, eventId, { secret: otherSecret })),
		forged('secret of the right endpoint with a suffix', () =>
			signed(body, eventId, { secret: `${secret}x` }),
		),
		forged('body: one byte changed', () => oneByteChanged(base())),
		forged('body: keys reordered', () => reordered(base())),
		forged('body: pretty-printed', () => ({
			...base(),
			body: Buffer.from(JSON.stringify(JSON.parse(body.toString('utf8')), null, 2)),
		})),
		forged('body: trailing newline', () => ({
			...base(),
			body: Buffer.concat([body, Buffer.from('\n')]),
		})),
		forged('body: leading space', () => ({
			...base(),
			body: Buffer.concat([Buffer.from(' '), body]),
		})),
		forged('body: other event id, same signature', () => ({
			...base(),
			body: Buffer.from(body.toString('utf8').replace(eventId, randomUUID())),
		})),
		// Judged by n8n's clock: a stale one only gets staler, a future one must be judged within the second it was signed in.
		forged('timestamp stale by 301 s (re-signed)', () =>
			signed(body, eventId, { offsetSeconds: -301 }),
		),
		forged(
			'timestamp future by 301 s (re-signed)',
			() => signed(body, eventId, { offsetSeconds: 301 }),
			true,
		),
		forged('timestamp stale by a day (re-signed)', () =>
			signed(body, eventId, { offsetSeconds: -86_400 }),
		),
		forged('timestamp changed, signature kept', () => {
			const delivery = base();
			return {
				...delivery,
				headers: {
					...delivery.headers,
					'x-tdta-timestamp': String(Number(delivery.headers['x-tdta-timestamp']) - 1),
				},
			};
		}),
		forged('timestamp in milliseconds (re-signed)', () => {
			const timestamp = String(Date.now());
			return signed(body, eventId, {
				headers: {
					'x-tdta-timestamp': timestamp,
					'x-tdta-signature': sign(secret, timestamp, body),
				},
			});
		}),
	);
	for (const name of [
		'x-tdta-signature',
		'x-tdta-timestamp',
		'x-tdta-event',
		'x-tdta-event-id',
		'x-tdta-delivery-id',
	]) {
		cases.push(
			forged(`header missing: ${name}`, () =>
				signed(body, eventId, { headers: { [name]: undefined } }),
			),
		);
	}
	for (const name of ['x-tdta-signature', 'x-tdta-timestamp', 'x-tdta-event-id']) {
		cases.push(
			forged(`header sent twice: ${name}`, () => {
				const delivery = base();
				const value = String(delivery.headers[name]);
				return { ...delivery, headers: { ...delivery.headers, [name]: [value, value] } };
			}),
		);
	}
	cases.push(
		forged('header sent twice: signature, wrong one first', () => {
			const delivery = base();
			const wrong = sign('whsec_wrong', String(delivery.headers['x-tdta-timestamp']), body);
			return {
				...delivery,
				headers: {
					...delivery.headers,
					'x-tdta-signature': [wrong, String(delivery.headers['x-tdta-signature'])],
				},
			};
		}),
		forged('event header disagrees with the body', () =>
			signed(body, eventId, { headers: { 'x-tdta-event': 'booking.cancelled' } }),
		),
		forged('event id header disagrees with the body', () =>
			signed(body, eventId, { headers: { 'x-tdta-event-id': randomUUID() } }),
		),
	);
	for (const prefix of ['SHA256=', 'sha1=', 'sha512=', 'hmac-sha256=', 'sha256:', 'v1=', '']) {
		cases.push(
			forged(`signature prefix "${prefix}"`, () => {
				const delivery = base();
				return withSignature(delivery, `${prefix}${hexOf(delivery)}`);
			}),
		);
	}
	cases.push(
		forged('signature: base64 instead of hex', () => {
			const delivery = base();
			return withSignature(
				delivery,
				`sha256=${Buffer.from(hexOf(delivery), 'hex').toString('base64')}`,
			);
		}),
		forged('empty body, signature of the real one', () => ({ ...base(), body: Buffer.alloc(0) })),
		forged('empty body, signed with a wrong secret', () =>
			signed(Buffer.alloc(0), eventId, { secret: 'whsec_wrong' }),
		),
		forged('non-JSON body signed with the secret', () =>
			signed(Buffer.from(`event_id=${eventId}&event_type=booking.cancelled`), eventId, {
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
			}),
		),
		forged('JSON array signed with the secret', () =>
			signed(Buffer.from(`[${body.toString('utf8')}]`), eventId),
		),
		forged('content type text/plain, body tampered', () => {
			const delivery = oneByteChanged(base());
			return { ...delivery, headers: { ...delivery.headers, 'content-type': 'text/plain' } };
		}),
		forged('content type multipart/form-data, body tampered', () => {
			const delivery = oneByteChanged(base());
			return {
				...delivery,
				headers: { ...delivery.headers, 'content-type': 'multipart/form-data; boundary=x' },
			};
		}),
		forged('well-formed multipart/form-data body', () => {
			const delivery = base();
			const boundary = `----bls${eventId.slice(0, 8)}`;
			const multipart = Buffer.from(
				`--${boundary}\r\nContent-Disposition: form-data; name="payload"\r\n\r\n${body.toString('utf8')}\r\n--${boundary}--\r\n`,
			);
			return {
				body: multipart,
				headers: {
					...delivery.headers,
					'content-type': `multipart/form-data; boundary=${boundary}`,
				},
			};
		}),
		forged('content type application/xml, body tampered', () => {
			const delivery = reordered(base());
			return { ...delivery, headers: { ...delivery.headers, 'content-type': 'application/xml' } };
		}),
	);
	return cases;
}

function replaysOf(valid: RawDelivery, eventId: string, body: Buffer): Case[] {
	const replay = (category: string, build: () => RawDelivery): Case => ({
		kind: 'replay',
		category,
		build,
	});
	return [
		replay('exact replay', () => valid),
		replay('replay with a new delivery id', () => ({
			...valid,
			headers: { ...valid.headers, 'x-tdta-delivery-id': String(nextDeliveryId++) },
		})),
		replay('API-style retry: re-signed, new timestamp and delivery id', () =>
			signed(body, eventId),
		),
		replay('replay with upper-case signature hex', () =>
			withSignature(valid, `sha256=${hexOf(valid).toUpperCase()}`),
		),
		replay('replay as text/plain', () => ({
			...valid,
			headers: { ...valid.headers, 'content-type': 'text/plain' },
		})),
		replay('replay as multipart/form-data', () => ({
			...valid,
			headers: { ...valid.headers, 'content-type': 'multipart/form-data; boundary=x' },
		})),
	];
}

/** Huge and malformed bodies, once each (not per event). */
function oneOffs(): Case[] {
	const eventId = randomUUID();
	const body = envelope(eventId);
	const padded = (megabytes: number) => {
		const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
		return Buffer.from(JSON.stringify({ ...parsed, padding: 'x'.repeat(megabytes * 1024 * 1024) }));
	};
	const forged = (category: string, build: () => RawDelivery): Case => ({
		kind: 'forged',
		category,
		build,
	});
	return [
		forged('oversized body 3 MB, signature of the real one', () => ({
			...signed(body, eventId),
			body: padded(3),
		})),
		forged('oversized body 6 MB, wrong secret', () =>
			signed(padded(6), eventId, { secret: 'whsec_wrong' }),
		),
		forged('oversized body 12 MB, signature of the real one', () => ({
			...signed(body, eventId),
			body: padded(12),
		})),
		forged('oversized body 20 MB (over n8n limit)', () => ({
			...signed(body, eventId),
			body: padded(20),
		})),
		forged('non-JSON body as application/json', () => ({
			...signed(body, eventId),
			body: Buffer.from('{"event_id": '),
		})),
		forged('binary garbage body', () => ({
			...signed(body, eventId),
			body: Buffer.from(Array.from({ length: 4096 }, () => Math.floor(random() * 256))),
		})),
	];
}

// ---- Sending ----------------------------------------------------------------------------------------

async function send(testCase: Case): Promise<RawResponse> {
	for (let attempt = 0; ; attempt++) {
		if (testCase.boundary) await earlyInSecond(250);
		const delivery = testCase.build();
		const response = await postRaw(webhookUrl, delivery);
		// A valid boundary case refused because n8n judged it a second or two later says nothing about
		// the window (it was refused, so nothing was consumed): send a freshly signed one.
		const inconclusive =
			testCase.boundary &&
			testCase.kind === 'valid' &&
			response.status >= 400 &&
			response.answeredSecond !== response.sentSecond;
		if (!inconclusive || attempt >= 4) {
			const eventId = String(delivery.headers['x-tdta-event-id'] ?? '');
			const contentType = String(delivery.headers['content-type'] ?? '').toLowerCase();
			const boundary = /boundary=([^;]+)/i.exec(
				String(delivery.headers['content-type'] ?? ''),
			)?.[1];
			outcomes.push({
				kind: testCase.kind,
				category: testCase.category,
				status: response.status,
				eventId,
				body: response.body.slice(0, 300),
				contentType,
				bodyBytes: delivery.body.length,
				bodyIsJson: delivery.body.length === 0 || isJson(delivery.body),
				bodyIsXml: delivery.body.toString('utf8').trimStart().startsWith('<'),
				bodyIsMultipart:
					boundary !== undefined &&
					delivery.body.subarray(0, boundary.length + 2).toString('latin1') === `--${boundary}`,
			});
			return response;
		}
	}
}

describe(`webhook attack corpus against the trigger in n8n ${version}`, () => {
	it('refuses every forged delivery, accepts every valid one once, and starts no execution for forgeries or replays', async () => {
		const offsets = [0, -299, 299];
		// What the corpus is made of, counted from the cases as they are built.
		const planned = { forged: 0, valid: 0, replay: 0 };
		for (let seed = 0; seed < SEEDS; seed++) {
			const eventId = randomUUID();
			const body = envelope(eventId);
			const forgeries = forgeriesOf(eventId, body).sort(() => random() - 0.5);
			planned.forged += forgeries.length;
			planned.valid++;
			for (const forgery of forgeries) await send(forgery);

			// Now the genuine delivery of the same event: accepted once.
			const offsetSeconds = offsets[seed % offsets.length];
			let valid: RawDelivery | undefined;
			await send({
				kind: 'valid',
				category:
					offsetSeconds === 0
						? 'valid, timestamp now'
						: `valid, timestamp ${offsetSeconds > 0 ? '+' : ''}${offsetSeconds} s`,
				boundary: offsetSeconds < 0,
				build: () => (valid = signed(body, eventId, { offsetSeconds })),
			});
			validEventIds.push(eventId);
			const replays = replaysOf(valid!, eventId, body);
			planned.replay += replays.length;
			for (const replay of replays) await send(replay);
		}
		const extras = oneOffs();
		planned.forged += extras.length;
		for (const oneOff of extras) await send(oneOff);
		// Replays of the sandbox's own delivery, too.
		const real = proxy.deliveries[0];
		planned.replay++;
		await send({
			kind: 'replay',
			category: 'replay of the real sandbox delivery',
			build: () => ({ headers: template.headers, body: real.rawBody }),
		});

		// Every delivery has had its answer. n8n 2.x stores a webhook's execution before it sends the
		// acknowledgement (webhook-helpers: WorkflowRunner.run, then the response), and a delivery the
		// trigger refuses never gets that far: every execution there will be exists now. The expected
		// ones are waited for to finish, then the whole list, running ones included, is read once.
		// (n8n 1.x answers first and runs after, so there the list is read once it stops changing.)
		const expected = new Set([...validEventIds, templateEventId]);
		let executions: Execution[];
		if (version.startsWith('1.')) {
			executions = await settledExecutions(n8n, workflowId, { atLeast: expected.size });
		} else {
			executionsListedAtAcknowledgement = (await n8n.allExecutions(workflowId)).length;
			await n8n.waitForExecutions(expected.size, { workflowId, timeoutMs: 120_000 });
			const listed = await n8n.allExecutions(workflowId);
			executions = await n8n.executions({ workflowId, includeData: true });
			// Nothing still running or started besides the finished ones read with their data.
			expect(listed.map((execution) => String(execution.id)).sort()).toEqual(
				executions.map((execution) => String(execution.id)).sort(),
			);
		}
		const items = triggerItems(executions);
		executionsStarted = executions.length;
		executionsOfOther = (await n8n.allExecutions(otherWorkflowId)).length;
		forgedExecutions = items.filter((item) => !expected.has(String(item.event_id))).length;
		const seen = new Tally();
		for (const item of items) seen.add(String(item.event_id));
		duplicateExecutions = seen
			.entries()
			.filter(([, count]) => count > 1)
			.reduce((sum, [, count]) => sum + count - 1, 0);

		const forged = outcomes.filter((outcome) => outcome.kind === 'forged');
		const sent = {
			forged: forged.length,
			valid: outcomes.filter((o) => o.kind === 'valid').length,
			replay: outcomes.filter((o) => o.kind === 'replay').length,
		};
		expect(sent).toEqual(planned);
		// The README states these numbers; they are the corpus's.
		expect(readmeCorpusFigures()).toEqual({ total: outcomes.length, ...planned });
		// Forgeries: 401 from the trigger, or exactly the named exception that applies.
		const unexpectedAnswers = forged.filter((outcome) => {
			const { status, answer, or401 } = expectedRefusal(outcome);
			if (or401 && outcome.status === 401) return !TRIGGER_REFUSAL.test(outcome.body);
			return outcome.status !== status || !answer.test(outcome.body);
		});
		expect(unexpectedAnswers.map((o) => `${o.category}: ${o.status} ${o.body}`)).toEqual([]);
		// The XML exception alternates exactly, in the order sent: 422, 401, 422, ...
		const xml = outcomes.filter((outcome) => expectedRefusal(outcome).or401 !== undefined);
		expect(xml.map((outcome) => outcome.status)).toEqual(
			xml.map((_, index) => (index % 2 === 0 ? 422 : 401)),
		);
		// Every exception is met by the corpus (an exception that never applies would hide nothing, but should not be listed).
		expect(
			REFUSED_BEFORE_THE_TRIGGER.filter((exception) => !forged.some(exception.applies)).map(
				(exception) => exception.when,
			),
		).toEqual([]);
		expect(
			outcomes
				.filter((outcome) => outcome.kind === 'valid' && outcome.status !== 200)
				.map((o) => `${o.category}: ${o.status} ${o.body}`),
		).toEqual([]);
		// Replays are acknowledged as duplicates (200), except where n8n's own parsers refuse them first.
		const unexpectedReplayAnswers = outcomes.filter((outcome) => {
			if (outcome.kind !== 'replay') return false;
			const exception = REFUSED_BEFORE_THE_TRIGGER.find((candidate) => candidate.applies(outcome));
			return exception
				? outcome.status !== exception.status || !exception.answer.test(outcome.body)
				: outcome.status !== 200 || !/already received/.test(outcome.body);
		});
		expect(unexpectedReplayAnswers.map((o) => `${o.category}: ${o.status} ${o.body}`)).toEqual([]);
		expect(forgedExecutions).toBe(0);
		expect(duplicateExecutions).toBe(0);
		expect(
			items
				.filter((item) => item.status !== 'success')
				.map((item) => `${item.executionId}: ${item.status}`),
		).toEqual([]);
		expect([...seen.entries()].map(([eventId]) => eventId).sort()).toEqual([...expected].sort());
		expect(executionsStarted).toBe(expected.size);
		expect(executionsOfOther).toBe(0);
	});

	it('still accepts the API’s own deliveries after the attack', async () => {
		const before = proxy.deliveries.length;
		const bookingId = await firstLiveBooking();
		sandbox.bookings.equipment(bookingId, 'late');
		await sandbox.waitForDeliveries(15_000);
		await proxy.settled();
		expect(proxy.deliveries.slice(before).map((delivery) => delivery.n8nStatus)).toEqual([200]);
	});
});
