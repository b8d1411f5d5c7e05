/** Small HTTP helpers for the sandbox tests: real requests to 127.0.0.1. */
import type { Sandbox } from '../../sandbox';

export interface ApiResponse<T = any> {
	status: number;
	headers: Headers;
	body: T;
	raw: Buffer;
}

export interface RequestOptions {
	token?: string;
	body?: unknown;
}

export async function request<T = any>(
	url: string,
	method: string,
	options: RequestOptions = {},
): Promise<ApiResponse<T>> {
	const headers: Record<string, string> = { accept: 'application/json' };
	if (options.token) headers.authorization = `Bearer ${options.token}`;
	let body: string | undefined;
	if (options.body !== undefined) {
		headers['content-type'] = 'application/json';
		body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
	}
	const response = await fetch(url, { method, headers, body });
	const raw = Buffer.from(await response.arrayBuffer());
	const isJson = (response.headers.get('content-type') ?? '').includes('application/json');
	return {
		status: response.status,
		headers: response.headers,
		body: (isJson ? JSON.parse(raw.toString('utf8')) : undefined) as T,
		raw,
	};
}

/** Client bound to one sandbox. */
export function client(sandbox: Sandbox) {
	return {
		api: <T = any>(method: string, path: string, options?: RequestOptions) =>
			request<T>(`${sandbox.apiUrl}${path}`, method, options),
		control: <T = any>(method: string, path: string, body?: unknown) =>
			request<T>(`${sandbox.controlUrl}${path}`, method, { body }),
		/** Access token of a seeded account (0 = demo agency). */
		token: async (account = 0): Promise<string> => {
			const { hbClientId, apiKey } = sandbox.accounts[account];
			const response = await request(`${sandbox.apiUrl}/auth/token`, 'POST', {
				body: { hb_client_id: hbClientId, api_key: apiKey },
			});
			if (response.status !== 200) throw new Error(`token: ${response.status}`);
			return response.body.access_token as string;
		},
	};
}

export type Client = ReturnType<typeof client>;

/** First free timeslot of a course, via the documented step 1. */
export async function firstSlot(
	c: Client,
	token: string,
	courseId: number,
): Promise<{ date: string; time: string; spaces_available: number }> {
	const slots = await c.api('GET', `/timeslots?course_id=${courseId}&per_page=1`, { token });
	if (slots.status !== 200 || slots.body.data.length === 0)
		throw new Error(`no slot: ${slots.status}`);
	return slots.body.data[0];
}

export const candidate = {
	first_name: 'Jane',
	last_name: 'Smith',
	email: 'jane@example.com',
	phone: '+441234567890',
	address: '42 Acme Street',
	city: 'Manchester',
	postcode: 'M1 1AA',
	job_role: 'Registered Nurse',
	agency_contact_name: 'John Doe',
	agency_contact_email: 'john@acme.co.uk',
	agency_email: 'invoices@acme.co.uk',
};

/** Holds the first free slot of the course and books it with the pay option. */
export async function book(
	c: Client,
	token: string,
	courseId: number,
	payOption: string,
	extra: Record<string, unknown> = {},
) {
	const slot = await firstSlot(c, token, courseId);
	const hold = await c.api('POST', '/timeslots/hold', {
		token,
		body: { course_id: courseId, date: slot.date, time: slot.time },
	});
	if (hold.status !== 201) throw new Error(`hold: ${hold.status} ${JSON.stringify(hold.body)}`);
	const booking = await c.api('POST', '/bookings', {
		token,
		body: { hold_hash: hold.body.data.hold_hash, ...candidate, pay_option: payOption, ...extra },
	});
	return { slot, hold: hold.body.data, booking };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
