/**
 * Bad input for every operation of the BLS Portal node that takes input, run through n8n-core
 * against the sandbox: wrong types, empty required fields, malformed dates, times, emails and URLs,
 * unknown IDs and another account's booking (the API's reason, naming the resource), and limits
 * the docs never state (oversized values, ranges, unlisted statuses: sent, and the API's 422 names
 * the field). With Continue On Fail the other items of the run still go through. Operations without input (Account → Get Booking URL / Get Credits,
 * Token → Get Info / Revoke) have nothing to get wrong and are not listed.
 */
import type {
	IDataObject,
	INodeExecutionData,
	INodeParameters,
	NodeParameterValue,
} from 'n8n-workflow';

import { startSandbox } from '../../sandbox';
import { N8nHarness } from '../harness/n8n';
import { printFigures, Tally, type Sandbox } from './support';

const L = (value: NodeParameterValue) => ({ __rl: true, mode: 'id', value });
const candidate: INodeParameters = {
	firstName: 'Jane',
	lastName: 'Smith',
	email: 'jane@example.com',
	payOption: 'credits',
	additionalFields: {},
};

let sandbox: Sandbox;
let harness: N8nHarness;
let otherHarness: N8nHarness;
let slot: { date: string; time: string };
let otherEndpointId = 0;
let demoEndpointId = 0;
let otherBookingId = 0;

const figures = {
	cases: 0,
	refusedLocally: 0,
	refusedByApi: 0,
	requestsForLocalRefusals: 0,
	notNamingField: 0,
	continueOnFailRuns: 0,
	itemsThrough: 0,
	errorItems: 0,
};
const byOperation = new Tally();

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, rateLimit: false, bookings: 25 });
	const [demo, other] = sandbox.accounts;
	harness = new N8nHarness({
		clientId: demo.hbClientId,
		apiKey: demo.apiKey,
		baseUrl: sandbox.apiUrl,
	});
	otherHarness = new N8nHarness({
		clientId: other.hbClientId,
		apiKey: other.apiKey,
		baseUrl: sandbox.apiUrl,
	});
	const [free] = await harness.output({
		parameters: { resource: 'timeslot', operation: 'getMany', courseId: 1, limit: 1 },
	});
	slot = { date: String(free.json.date), time: String(free.json.time) };
	const [endpoint] = await otherHarness.output({
		parameters: {
			resource: 'webhookEndpoint',
			operation: 'create',
			url: 'https://other.example.com/hook',
			events: ['booking.created'],
		},
	});
	otherEndpointId = Number(endpoint.json.id);
	const [own] = await harness.output({
		parameters: {
			resource: 'webhookEndpoint',
			operation: 'create',
			url: 'https://demo.example.com/hook',
			events: ['booking.created'],
		},
	});
	demoEndpointId = Number(own.json.id);
	otherBookingId = 26; // the other account's seeded bookings follow the demo agency's 25
	sandbox.updateAccount(demo.hbClientId, { credits: { '1': 100 } });
});

afterAll(async () => {
	printFigures(
		'Bad input — every operation with input',
		[
			['cases', figures.cases],
			['  refused before any request, naming the field', figures.refusedLocally],
			['  refused with the API’s reason (unknown / other account’s IDs)', figures.refusedByApi],
			['requests sent for locally invalid input', figures.requestsForLocalRefusals],
			['errors not naming the field or resource', figures.notNamingField],
			['Continue On Fail runs (good, bad, unknown, good items)', figures.continueOnFailRuns],
			['  good items through', figures.itemsThrough],
			['  error items, each naming its problem', figures.errorItems],
		],
		[`cases per operation: ${byOperation.summary()}`],
	);
	await sandbox?.stop();
});

interface BadCase {
	operation: string;
	what: string;
	parameters: () => INodeParameters;
	/** The error must match this (the field's label, or the API's reason). */
	error: RegExp;
	/** The API is asked (an ID only it can check); otherwise nothing may be sent. */
	api?: boolean;
	items?: INodeExecutionData[];
}

const op = (resource: string, operation: string) => ({ resource, operation });
const bookingGet = (bookingId: unknown) => () =>
	({ ...op('booking', 'get'), bookingId }) as INodeParameters;
const certificate =
	(bookingId: unknown, binaryPropertyName = 'data') =>
	() =>
		({ ...op('booking', 'downloadCertificate'), bookingId, binaryPropertyName }) as INodeParameters;
const bookingsWith =
	(filters: IDataObject, extra: IDataObject = {}) =>
	() =>
		({ ...op('booking', 'getMany'), limit: 5, filters, ...extra }) as INodeParameters;
const slots = (changes: IDataObject) => () =>
	({
		...op('timeslot', 'getMany'),
		courseId: 1,
		monthsAhead: 1,
		limit: 5,
		...changes,
	}) as INodeParameters;
const hold = (changes: IDataObject) => () =>
	({ ...op('timeslot', 'hold'), courseId: 1, ...slot, ...changes }) as INodeParameters;
const release = (holdHash: unknown) => () =>
	({ ...op('timeslot', 'releaseHold'), holdHash }) as INodeParameters;
const create = (changes: IDataObject) => () =>
	({
		...op('booking', 'create'),
		holdHash: 'A'.repeat(32),
		...candidate,
		...changes,
	}) as INodeParameters;
const book = (changes: IDataObject) => () =>
	({ ...op('booking', 'book'), courseId: 1, ...slot, ...candidate, ...changes }) as INodeParameters;
const endpointCreate = (changes: IDataObject) => () =>
	({
		...op('webhookEndpoint', 'create'),
		url: 'https://hooks.example.com/bls',
		events: ['booking.created'],
		additionalFields: {},
		...changes,
	}) as INodeParameters;
const onEndpoint =
	(operation: string, webhookId: unknown, extra: IDataObject = {}) =>
	() =>
		({ ...op('webhookEndpoint', operation), webhookId, ...extra }) as INodeParameters;
const listed =
	(resource: string, operation: string, limit: unknown, extra: IDataObject = {}) =>
	() =>
		({ ...op(resource, operation), returnAll: false, limit, ...extra }) as INodeParameters;

const long = (n: number) => 'x'.repeat(n);

/**
 * An empty required field: n8n itself refuses a literal one ("Parameter … is required", naming a
 * dropdown loaded from the API "<Label> Name or ID"); one an expression empties reaches the node's check.
 */
const required = (label: string) => {
	const name = label.replace(/[()]/g, '\\$&');
	return new RegExp(
		`${name}: is required|Parameter "${name}( Name or ID)?" is required|${name}: must be`,
	);
};

const CASES: BadCase[] = [
	// Booking → Get / Download Certificate: the booking ID.
	...(
		[
			['a reference instead of an ID', L('BLS-000001')],
			['an expression giving a reference', '={{ "BLS-000001" }}'],
			['zero', '={{ 0 }}'],
			['a negative number', '={{ -4 }}'],
			['a fraction', '={{ 1.5 }}'],
			['a boolean', '={{ true }}'],
			['an object', '={{ ({ id: 1 }) }}'],
			['an empty value', '={{ "" }}'],
		] as const
	).flatMap(([what, value]) => [
		{ operation: 'booking.get', what, parameters: bookingGet(value), error: /Booking|booking ID/ },
		{
			operation: 'booking.downloadCertificate',
			what,
			parameters: certificate(value),
			error: /Booking|booking ID/,
		},
	]),
	{
		operation: 'booking.get',
		what: 'an unknown ID',
		parameters: bookingGet(L('999999')),
		error: /booking 999999 was not found/,
		api: true,
	},
	{
		operation: 'booking.get',
		what: 'another account’s booking',
		parameters: () => bookingGet(L(String(otherBookingId)))(),
		error: /was not found in this BLS account/,
		api: true,
	},
	{
		operation: 'booking.downloadCertificate',
		what: 'another account’s booking',
		parameters: () => certificate(L(String(otherBookingId)))(),
		error: /was not found in this BLS account/,
		api: true,
	},
	{
		operation: 'booking.downloadCertificate',
		what: 'a booking not completed yet',
		parameters: certificate(L('3')),
		error: /certificate for booking 3 is not available yet/,
		api: true,
	},
	{
		operation: 'booking.downloadCertificate',
		what: 'an empty output field name',
		parameters: certificate(L('1'), ''),
		error: required('Put Output File in Field'),
	},
	{
		operation: 'booking.downloadCertificate',
		what: 'an output field name emptied by an expression',
		parameters: certificate(L('1'), '={{ "" }}'),
		error: /Put Output File in Field: is required/,
	},

	// Booking → Get Many: filters and limit.
	{
		operation: 'booking.getMany',
		what: 'an impossible date',
		parameters: bookingsWith({ dateFrom: '2026-02-30' }),
		error: /Date From: must be a date/,
	},
	{
		operation: 'booking.getMany',
		what: 'a day-first date',
		parameters: bookingsWith({ dateTo: '15/07/2026' }),
		error: /Date To: must be a date/,
	},
	{
		operation: 'booking.getMany',
		what: 'a date as a word',
		parameters: bookingsWith({ dateFrom: 'tomorrow' }),
		error: /Date From: must be a date/,
	},
	{
		operation: 'booking.getMany',
		what: 'Date From after Date To',
		parameters: bookingsWith({ dateFrom: '2026-08-01', dateTo: '2026-07-01' }),
		error: /Date From: must not be after Date To/,
	},
	{
		operation: 'booking.getMany',
		what: 'a malformed email',
		parameters: bookingsWith({ email: 'jane@' }),
		error: /Email: must be an email/,
	},
	{
		operation: 'booking.getMany',
		what: 'a course that is not a number',
		parameters: bookingsWith({ courseId: 'abc' }),
		error: /Course: must be a whole number/,
	},
	{
		operation: 'booking.getMany',
		what: 'an oversized search',
		parameters: bookingsWith({ search: long(300) }),
		error: /\bsearch: /,
		api: true,
	},
	{
		operation: 'booking.getMany',
		what: 'an unknown status',
		parameters: bookingsWith({ status: 'lost' }),
		error: /\bstatus: /,
		api: true,
	},
	{
		operation: 'booking.getMany',
		what: 'an unknown training status',
		parameters: bookingsWith({ trainingStatus: 'done' }),
		error: /\btraining_status: /,
		api: true,
	},
	{
		operation: 'booking.getMany',
		what: 'an unknown equipment status',
		parameters: bookingsWith({ equipmentStatus: 'gone' }),
		error: /\bequipment_status: /,
		api: true,
	},
	...[0, -5, 2.5, '={{ "ten" }}'].map((limit) => ({
		operation: 'booking.getMany',
		what: `limit ${String(limit)}`,
		parameters: bookingsWith({}, { limit }),
		error: /Limit must be a whole number/,
	})),
	...(
		[
			['course', 'getMany'],
			['account', 'getManyTransactions'],
			['webhookEndpoint', 'getMany'],
		] as const
	).flatMap(([resource, operation]) =>
		[0, -1, 0.5, '={{ "all" }}'].map((limit) => ({
			operation: `${resource}.${operation}`,
			what: `limit ${String(limit)}`,
			parameters: listed(resource, operation, limit),
			error: /Limit must be a whole number/,
		})),
	),

	// Timeslot → Get Many.
	{
		operation: 'timeslot.getMany',
		what: 'no course',
		parameters: slots({ courseId: '' }),
		error: required('Course Name or ID'),
	},
	{
		operation: 'timeslot.getMany',
		what: 'a course emptied by an expression',
		parameters: slots({ courseId: '={{ "" }}' }),
		error: /Course: must be a whole number/,
	},
	{
		operation: 'timeslot.getMany',
		what: 'a course name instead of an ID',
		parameters: slots({ courseId: 'BLS Practical' }),
		error: /Course: must be a whole number/,
	},
	{
		operation: 'timeslot.getMany',
		what: 'months ahead 7',
		parameters: slots({ monthsAhead: 7 }),
		error: /\bmonths_ahead: /,
		api: true,
	},
	{
		operation: 'timeslot.getMany',
		what: 'months ahead 0',
		parameters: slots({ monthsAhead: 0 }),
		error: /Months Ahead/,
	},
	{
		operation: 'timeslot.getMany',
		what: 'months ahead as text',
		parameters: slots({ monthsAhead: '={{ "two" }}' }),
		error: /Months Ahead/,
	},
	{
		operation: 'timeslot.getMany',
		what: 'an impossible date',
		parameters: slots({ date: '2026-13-01' }),
		error: /Date: must be a date/,
	},
	{
		operation: 'timeslot.getMany',
		what: 'limit 0',
		parameters: slots({ limit: 0 }),
		error: /Limit must be a whole number/,
	},
	{
		operation: 'timeslot.getMany',
		what: 'an unknown course',
		parameters: slots({ courseId: 99 }),
		error: /course/i,
		api: true,
	},

	// Timeslot → Hold.
	{
		operation: 'timeslot.hold',
		what: 'course 0',
		parameters: hold({ courseId: 0 }),
		error: /Course: must be a whole number/,
	},
	{
		operation: 'timeslot.hold',
		what: 'no date',
		parameters: hold({ date: '' }),
		error: required('Date'),
	},
	{
		operation: 'timeslot.hold',
		what: 'a date emptied by an expression',
		parameters: hold({ date: '={{ $json.missing }}' }),
		error: /Date: is required/,
	},
	{
		operation: 'timeslot.hold',
		what: 'a date with a time',
		parameters: hold({ date: '2026-07-15T10:00' }),
		error: /Date/,
	},
	{
		operation: 'timeslot.hold',
		what: 'a single-digit month',
		parameters: hold({ date: '2026-7-1' }),
		error: /Date: must be a date/,
	},
	{
		operation: 'timeslot.hold',
		what: 'no time',
		parameters: hold({ time: '' }),
		error: required('Time'),
	},
	{
		operation: 'timeslot.hold',
		what: 'a time emptied by an expression',
		parameters: hold({ time: '={{ "  " }}' }),
		error: /Time: is required/,
	},
	{
		operation: 'timeslot.hold',
		what: 'hour 25',
		parameters: hold({ time: '25:00' }),
		error: /Time: must be a 24-hour time/,
	},
	{
		operation: 'timeslot.hold',
		what: 'a single-digit hour',
		parameters: hold({ time: '9:00' }),
		error: /Time: must be a 24-hour time/,
	},
	{ operation: 'timeslot.hold', what: '10am', parameters: hold({ time: '10am' }), error: /Time/ },
	{
		operation: 'timeslot.hold',
		what: 'a number as time',
		parameters: hold({ time: '={{ 1000 }}' }),
		error: /Time: must be a 24-hour time/,
	},
	{
		operation: 'timeslot.hold',
		what: 'a slot that is not offered (a Sunday in the past)',
		parameters: hold({ date: '2020-01-05', time: '10:00' }),
		error: /time|date|slot/i,
		api: true,
	},

	// Timeslot → Release Hold.
	{
		operation: 'timeslot.releaseHold',
		what: 'no hold hash',
		parameters: release(''),
		error: required('Hold Hash'),
	},
	{
		operation: 'timeslot.releaseHold',
		what: 'a hold hash emptied by an expression',
		parameters: release('={{ null }}'),
		error: /Hold Hash: is required/,
	},
	{
		operation: 'timeslot.releaseHold',
		what: 'a path in the hash',
		parameters: release('abc/../../bookings/1'),
		error: /was not found/,
		api: true,
	},
	{
		operation: 'timeslot.releaseHold',
		what: 'spaces in the hash',
		parameters: release('abc def'),
		error: /was not found/,
		api: true,
	},
	{
		operation: 'timeslot.releaseHold',
		what: 'an oversized hash',
		parameters: release(long(300)),
		error: /was not found/,
		api: true,
	},
	{
		operation: 'timeslot.releaseHold',
		what: 'an unknown hold',
		parameters: release('Z'.repeat(32)),
		error: /timeslot hold Z{32}.*was not found|was not found/,
		api: true,
	},

	// Booking → Create and Book: candidate fields (Book also checks its slot before holding).
	...(['create', 'book'] as const).flatMap((operation) => {
		const build = operation === 'create' ? create : book;
		const cases: Array<[string, IDataObject, RegExp]> = [
			['no first name', { firstName: '' }, required('First Name')],
			[
				'a first name emptied by an expression',
				{ firstName: '={{ $json.nope }}' },
				/First Name: is required/,
			],
			['a blank last name', { lastName: '   ' }, /Last Name: is required/],
			[
				'an object as first name',
				{ firstName: '={{ ({ a: 1 }) }}' },
				/First Name: must be text \(got an object\)/,
			],
			[
				'a list as last name',
				{ lastName: '={{ ["Smith"] }}' },
				/Last Name: must be text \(got a list\)/,
			],
			['a boolean as email', { email: '={{ true }}' }, /Email: must be text \(got a boolean\)/],
			['no email', { email: '' }, required('Email')],
			['an email emptied by an expression', { email: '={{ "" }}' }, /Email: is required/],
			['an email without a domain', { email: 'jane' }, /Email: must be an email/],
			['an email with a space', { email: 'jane smith@example.com' }, /Email: must be an email/],
			[
				'an email without a dot in the domain',
				{ email: 'jane@localhost' },
				/Email: must be an email/,
			],
			['an unknown pay option', { payOption: 'cash' }, /Pay Option: must be one of/],

			[
				'a malformed agency email',
				{ additionalFields: { agencyEmail: 'invoices' } },
				/Agency Email: must be an email/,
			],
			[
				'a malformed agency contact email',
				{ additionalFields: { agencyContactEmail: 'john@' } },
				/Agency Contact Email: must be an email/,
			],
		];
		if (operation === 'create') {
			cases.push(['no hold hash', { holdHash: '' }, required('Hold Hash')]);
		} else {
			cases.push(
				['no course', { courseId: '' }, required('Course Name or ID')],
				['an impossible date', { date: '2026-02-29' }, /Date: must be a date/],
				['a malformed time', { time: '10.00' }, /Time: must be a 24-hour time/],
			);
		}
		// Lengths the docs never state: sent, and the API's 422 names the field (Book then releases its hold).
		const judgedByApi: Array<[string, IDataObject, RegExp]> = [
			['an oversized first name', { firstName: long(256) }, /\bfirst_name: /],
			['an oversized email', { email: `${long(250)}@example.com` }, /\bemail: /],
			['an oversized address', { additionalFields: { address: long(256) } }, /\baddress: /],
			['an oversized phone', { additionalFields: { phone: '+44'.padEnd(40, '1') } }, /\bphone: /],
			[
				'an oversized postcode',
				{ additionalFields: { postcode: 'M1 1AA'.padEnd(20, 'A') } },
				/\bpostcode: /,
			],
		];
		return [
			...cases.map(([what, changes, error]) => ({
				operation: `booking.${operation}`,
				what,
				parameters: build(changes),
				error,
			})),
			...judgedByApi.map(([what, changes, error]) => ({
				operation: `booking.${operation}`,
				what,
				parameters: build(changes),
				error,
				api: true,
			})),
		];
	}),
	{
		operation: 'booking.create',
		what: 'an unknown hold',
		parameters: create({}),
		error: /hold_hash/,
		api: true,
	},
	{
		operation: 'booking.create',
		what: 'a hold hash with symbols',
		parameters: create({ holdHash: 'abc$%' }),
		error: /hold_hash/,
		api: true,
	},
	{
		operation: 'booking.book',
		what: 'an unknown course',
		parameters: book({ courseId: 99 }),
		error: /course/i,
		api: true,
	},

	// Webhook endpoints.
	{
		operation: 'webhookEndpoint.create',
		what: 'no URL',
		parameters: endpointCreate({ url: '' }),
		error: required('URL'),
	},
	{
		operation: 'webhookEndpoint.create',
		what: 'a URL emptied by an expression',
		parameters: endpointCreate({ url: '={{ "" }}' }),
		error: /URL: is required/,
	},
	{
		operation: 'webhookEndpoint.create',
		what: 'an ftp URL',
		parameters: endpointCreate({ url: 'ftp://hooks.example.com' }),
		error: /URL: must be an http\(s\):\/\/ URL/,
	},
	{
		operation: 'webhookEndpoint.create',
		what: 'a javascript: URL',
		parameters: endpointCreate({ url: 'javascript:alert(1)' }),
		error: /URL: must be an http\(s\):\/\/ URL/,
	},
	{
		operation: 'webhookEndpoint.create',
		what: 'text instead of a URL',
		parameters: endpointCreate({ url: 'hooks example' }),
		error: /URL: must be an http\(s\):\/\/ URL/,
	},
	{
		operation: 'webhookEndpoint.create',
		what: 'an oversized URL',
		parameters: endpointCreate({ url: `https://hooks.example.com/${long(3000)}` }),
		error: /\burl: /,
		api: true,
	},
	{
		operation: 'webhookEndpoint.create',
		what: 'no events',
		parameters: endpointCreate({ events: '={{ [] }}' }),
		error: /Events: choose at least one event/,
	},
	{
		operation: 'webhookEndpoint.create',
		what: 'an unknown event',
		parameters: endpointCreate({ events: ['booking.deleted'] }),
		error: /Events: unknown event "booking.deleted"/,
	},
	{
		operation: 'webhookEndpoint.create',
		what: 'events as a number',
		parameters: endpointCreate({ events: '={{ 5 }}' }),
		error: /Events/,
	},
	{
		operation: 'webhookEndpoint.create',
		what: 'timeout 0',
		parameters: endpointCreate({ additionalFields: { timeoutSeconds: 0 } }),
		error: /\btimeout_seconds: /,
		api: true,
	},
	{
		operation: 'webhookEndpoint.create',
		what: 'timeout as text',
		parameters: endpointCreate({ additionalFields: { timeoutSeconds: '={{ "soon" }}' } }),
		error: /Timeout \(Seconds\)/,
	},
	{
		operation: 'webhookEndpoint.create',
		what: 'an oversized name',
		parameters: endpointCreate({ additionalFields: { name: long(256) } }),
		error: /\bname: /,
		api: true,
	},
	...(['get', 'delete', 'rotateSecret', 'sendTest', 'update'] as const).flatMap((operation) => {
		const extra = operation === 'update' ? { updateFields: { name: 'renamed' } } : {};
		return [
			{
				operation: `webhookEndpoint.${operation}`,
				what: 'an ID as text',
				parameters: onEndpoint(operation, L('abc'), extra),
				error: /Webhook Endpoint|webhook endpoint ID/,
			},
			{
				operation: `webhookEndpoint.${operation}`,
				what: 'ID 0',
				parameters: onEndpoint(operation, '={{ 0 }}', extra),
				error: /Webhook Endpoint: must be a whole number/,
			},
			{
				operation: `webhookEndpoint.${operation}`,
				what: 'an unknown ID',
				parameters: onEndpoint(operation, L('999999'), extra),
				error: /webhook endpoint 999999 was not found/,
				api: true,
			},
			{
				operation: `webhookEndpoint.${operation}`,
				what: 'another account’s endpoint',
				parameters: () => onEndpoint(operation, L(String(otherEndpointId)), extra)(),
				error: /was not found in this BLS account/,
				api: true,
			},
		];
	}),
	{
		operation: 'webhookEndpoint.update',
		what: 'no fields to update',
		parameters: onEndpoint('update', L('1'), { updateFields: {} }),
		error: /Add at least one field to update/,
	},
	{
		operation: 'webhookEndpoint.update',
		what: 'an ftp URL',
		parameters: onEndpoint('update', L('1'), { updateFields: { url: 'ftp://x.example.com' } }),
		error: /URL: must be an http\(s\):\/\/ URL/,
	},
	{
		operation: 'webhookEndpoint.update',
		what: 'timeout 61',
		parameters: () =>
			onEndpoint('update', L(String(demoEndpointId)), { updateFields: { timeoutSeconds: 61 } })(),
		error: /\btimeout_seconds: /,
		api: true,
	},
];

/** Runs the node, turning a run that throws (n8n's own parameter checks) into an error like the others. */
async function attempt(
	parameters: INodeParameters,
	items?: INodeExecutionData[],
	continueOnFail = false,
) {
	try {
		return await harness.run({ parameters, items, continueOnFail });
	} catch (error) {
		return { items: [] as INodeExecutionData[], error: error as Error & { description?: string } };
	}
}

describe('every operation refuses bad input clearly', () => {
	it.each(CASES.map((testCase) => [`${testCase.operation}: ${testCase.what}`, testCase] as const))(
		'%s',
		async (_name, testCase) => {
			sandbox.clearRequests();
			sandbox.expireHolds();
			const { error, items } = await attempt(testCase.parameters(), testCase.items);
			const sent = sandbox.requests().total;
			figures.cases++;
			byOperation.add(testCase.operation);
			const text = `${error?.message ?? ''} ${error?.description ?? ''}`;
			if (!testCase.error.test(text)) figures.notNamingField++;
			if (testCase.api) figures.refusedByApi++;
			else {
				figures.refusedLocally++;
				figures.requestsForLocalRefusals += sent;
			}

			expect(items).toEqual([]);
			expect(error?.message).toBeDefined();
			expect(text).toMatch(testCase.error);
			if (!testCase.api)
				expect(sandbox.requests().entries.map((entry) => `${entry.method} ${entry.path}`)).toEqual(
					[],
				);
			// No hold is ever left behind by a refused input.
			expect(sandbox.state().accounts[0].activeHold).toBeNull();
		},
	);
});

// ---- Continue On Fail ---------------------------------------------------------------------------

interface MixedRun {
	operation: string;
	parameters: () => INodeParameters;
	/** Per item: the `$json` the expressions read, and whether it should go through. */
	items: () => Array<{ json: IDataObject; ok: boolean; error?: RegExp }>;
}

const MIXED: MixedRun[] = [
	{
		operation: 'booking.get',
		parameters: () => ({ ...op('booking', 'get'), bookingId: L('={{ $json.id }}') }),
		items: () => [
			{ json: { id: 1 }, ok: true },
			{ json: { id: 'BLS-000002' }, ok: false, error: /Booking: must be a whole number/ },
			{ json: { id: 999999 }, ok: false, error: /booking 999999 was not found/ },
			{ json: { id: otherBookingId }, ok: false, error: /was not found in this BLS account/ },
			{ json: { id: 2 }, ok: true },
		],
	},
	{
		operation: 'booking.getMany',
		parameters: () => ({
			...op('booking', 'getMany'),
			limit: 3,
			filters: { dateFrom: '={{ $json.from }}' },
		}),
		items: () => [
			{ json: { from: '2026-01-01' }, ok: true },
			{ json: { from: '01/01/2026' }, ok: false, error: /Date From: must be a date/ },
			{ json: { from: '2025-01-01' }, ok: true },
		],
	},
	{
		operation: 'booking.book',
		parameters: () => ({
			...op('booking', 'book'),
			courseId: 1,
			date: slot.date,
			time: slot.time,
			...candidate,
			email: '={{ $json.email }}',
		}),
		items: () => [
			{ json: { email: 'first@example.com' }, ok: true },
			{ json: { email: 'not-an-email' }, ok: false, error: /Email: must be an email/ },
			{ json: { email: 'second@example.com' }, ok: true },
		],
	},
	{
		operation: 'timeslot.getMany',
		parameters: () => ({
			...op('timeslot', 'getMany'),
			courseId: '={{ $json.course }}',
			monthsAhead: 1,
			limit: 2,
		}),
		items: () => [
			{ json: { course: 1 }, ok: true },
			{ json: { course: 'Practical' }, ok: false, error: /Course: must be a whole number/ },
			{ json: { course: 99 }, ok: false, error: /course/i },
			{ json: { course: 2 }, ok: true },
		],
	},
	{
		operation: 'webhookEndpoint.create',
		parameters: () => ({
			...op('webhookEndpoint', 'create'),
			url: '={{ $json.url }}',
			events: ['booking.created'],
			additionalFields: {},
		}),
		items: () => [
			{ json: { url: 'https://a.example.com/hook' }, ok: true },
			{
				json: { url: 'mailto:ops@example.com' },
				ok: false,
				error: /URL: must be an http\(s\):\/\/ URL/,
			},
			{ json: { url: 'https://b.example.com/hook' }, ok: true },
		],
	},
	{
		operation: 'timeslot.releaseHold',
		parameters: () => ({ ...op('timeslot', 'releaseHold'), holdHash: '={{ $json.hash }}' }),
		items: () => [
			{ json: { hash: '..' }, ok: false, error: /Hold Hash: ".." is not a hold hash/ },
			{ json: { hash: '../../bookings' }, ok: false, error: /was not found/ },
			{ json: { hash: 'Q'.repeat(32) }, ok: false, error: /was not found/ },
		],
	},
];

describe('with Continue On Fail, the other items still go through', () => {
	it.each(MIXED.map((run) => [run.operation, run] as const))('%s', async (_name, run) => {
		sandbox.expireHolds();
		const plan = run.items();
		const { items, error } = await attempt(
			run.parameters(),
			plan.map(({ json }) => ({ json })),
			true,
		);
		figures.continueOnFailRuns++;
		expect(error).toBeUndefined();
		for (const [index, expected] of plan.entries()) {
			const outputs = items.filter((item) => {
				const paired = item.pairedItem;
				const pairedIndex = Array.isArray(paired)
					? paired[0]?.item
					: typeof paired === 'object'
						? paired?.item
						: paired;
				return pairedIndex === index;
			});
			expect(outputs.length).toBeGreaterThan(0);
			const failed = outputs.filter((item) => typeof item.json.error === 'string');
			if (expected.ok) {
				figures.itemsThrough++;
				expect(failed).toEqual([]);
			} else {
				figures.errorItems++;
				expect(failed).toHaveLength(1);
				expect(
					`${String(failed[0].json.error)} ${String(failed[0].json.errorDescription ?? '')}`,
				).toMatch(expected.error!);
			}
		}
		expect(sandbox.state().accounts[0].activeHold).toBeNull();
	});
});
