import { createHmac } from 'node:crypto';

import fc from 'fast-check';

import { verifyDelivery } from '../../../nodes/BlsPortalTrigger/verifySignature';

const SECRET = 'whsec_unit_test_secret_0123456789';
const NOW = 1_780_000_000;
const EVENT_ID = '018f4a2b-1234-7000-8abc-def012345678';

/** Signed independently of the code under test, straight from the API documentation. */
function sign(secret: string, timestamp: string | number, body: Buffer): string {
	return `sha256=${createHmac('sha256', secret)
		.update(Buffer.concat([Buffer.from(`${timestamp}.`), body]))
		.digest('hex')}`;
}

const body = Buffer.from(
	JSON.stringify({
		event_id: EVENT_ID,
		event_type: 'booking.created',
		occurred_at: '2026-06-05T10:00:00+00:00',
		data: { id: 7, reference: 'BLS-000007' },
	}),
);

function delivery(
	overrides: {
		headers?: Record<string, string | string[] | undefined>;
		rawBody?: Buffer;
		secret?: string;
		now?: number;
	} = {},
) {
	const rawBody = overrides.rawBody ?? body;
	const headers: Record<string, string | string[] | undefined> = {
		'x-tdta-event': 'booking.created',
		'x-tdta-event-id': EVENT_ID,
		'x-tdta-delivery-id': '42',
		'x-tdta-timestamp': String(NOW),
		'x-tdta-signature': sign(SECRET, NOW, rawBody),
		...overrides.headers,
	};
	return verifyDelivery({
		headers,
		rawBody,
		secret: 'secret' in overrides ? overrides.secret : SECRET,
		nowSeconds: overrides.now ?? NOW,
	});
}

const reasonOf = (verdict: ReturnType<typeof verifyDelivery>) =>
	verdict.valid ? undefined : verdict.reason;

describe('verifyDelivery', () => {
	it('accepts a delivery signed with the secret over the exact bytes, and returns its envelope', () => {
		const verdict = delivery();
		expect(verdict).toMatchObject({
			valid: true,
			deliveryId: '42',
			timestamp: NOW,
			envelope: { event_id: EVENT_ID, event_type: 'booking.created', data: { id: 7 } },
		});
	});

	it('accepts upper-case hex in the signature (the bytes are what count)', () => {
		const signature = `sha256=${sign(SECRET, NOW, body).slice('sha256='.length).toUpperCase()}`;
		expect(delivery({ headers: { 'x-tdta-signature': signature } }).valid).toBe(true);
	});

	it('refuses the same JSON re-serialised: only the raw bytes are signed', () => {
		const reformatted = Buffer.from(JSON.stringify(JSON.parse(body.toString()), null, 2));
		expect(
			reasonOf(
				delivery({
					rawBody: reformatted,
					headers: { 'x-tdta-signature': sign(SECRET, NOW, body) },
				}),
			),
		).toBe('Signature does not match');
	});

	it('refuses a signature made with another secret', () => {
		expect(
			reasonOf(delivery({ headers: { 'x-tdta-signature': sign('whsec_other', NOW, body) } })),
		).toBe('Signature does not match');
	});

	it('refuses a signature over another timestamp', () => {
		expect(
			reasonOf(delivery({ headers: { 'x-tdta-signature': sign(SECRET, NOW - 1, body) } })),
		).toBe('Signature does not match');
	});

	it('refuses any single changed byte of the body', () => {
		fc.assert(
			fc.property(
				fc.nat({ max: body.length - 1 }),
				fc.integer({ min: 1, max: 255 }),
				(index, delta) => {
					const tampered = Buffer.from(body);
					tampered[index] = (tampered[index] + delta) % 256;
					const verdict = delivery({
						rawBody: tampered,
						headers: { 'x-tdta-signature': sign(SECRET, NOW, body) },
					});
					return verdict.valid === false;
				},
			),
		);
	});

	it.each([
		'X-TDTA-Signature',
		'X-TDTA-Timestamp',
		'X-TDTA-Event',
		'X-TDTA-Event-Id',
		'X-TDTA-Delivery-Id',
	])('refuses a delivery without %s', (name) => {
		expect(reasonOf(delivery({ headers: { [name.toLowerCase()]: undefined } }))).toBe(
			`Missing ${name} header`,
		);
	});

	it.each([
		['an array', [sign(SECRET, NOW, body), sign(SECRET, NOW, body)]],
		['comma-joined values', `${sign(SECRET, NOW, body)}, ${sign(SECRET, NOW, body)}`],
	])('refuses a signature header sent twice (%s)', (_how, value) => {
		expect(reasonOf(delivery({ headers: { 'x-tdta-signature': value } }))).toBe(
			'X-TDTA-Signature header appears more than once',
		);
	});

	it('refuses a timestamp header sent twice', () => {
		expect(reasonOf(delivery({ headers: { 'x-tdta-timestamp': `${NOW}, ${NOW}` } }))).toBe(
			'X-TDTA-Timestamp header appears more than once',
		);
	});

	it.each([
		'sha1=abc',
		'sha256=',
		`sha256=${'g'.repeat(64)}`,
		`sha256=${'a'.repeat(63)}`,
		`sha256=${'a'.repeat(65)}`,
		'a'.repeat(64),
	])('refuses the malformed signature %s', (signature) => {
		expect(reasonOf(delivery({ headers: { 'x-tdta-signature': signature } }))).toMatch(
			/not of the form sha256=/,
		);
	});

	it.each([`${NOW}.5`, 'abc', '1e9', ` `, `+${NOW}`])(
		'refuses the non-integer timestamp "%s"',
		(timestamp) => {
			expect(
				reasonOf(
					delivery({
						headers: {
							'x-tdta-timestamp': timestamp,
							'x-tdta-signature': sign(SECRET, timestamp, body),
						},
					}),
				),
			).toMatch(/X-TDTA-Timestamp/);
		},
	);

	it.each([
		[-301, false],
		[-300, true],
		[-299, true],
		[299, true],
		[300, true],
		[301, false],
	])('with the clock %i s from the signed timestamp, accepts: %s', (offset, accepted) => {
		const verdict = delivery({ now: NOW + offset });
		expect(verdict.valid).toBe(accepted);
		if (!accepted) expect(reasonOf(verdict)).toMatch(/more than 5 minutes/);
	});

	it('refuses a non-numeric delivery id', () => {
		expect(reasonOf(delivery({ headers: { 'x-tdta-delivery-id': 'abc' } }))).toMatch(/Delivery-Id/);
	});

	it('refuses everything while no secret is registered', () => {
		expect(reasonOf(delivery({ secret: undefined }))).toMatch(/no signing secret/);
	});

	it('refuses a validly signed body that is not a JSON envelope', () => {
		for (const text of ['not json', '[]', '{"event_type":"booking.created"}']) {
			const rawBody = Buffer.from(text);
			expect(
				reasonOf(
					delivery({ rawBody, headers: { 'x-tdta-signature': sign(SECRET, NOW, rawBody) } }),
				),
			).toBe('Body is not a JSON event envelope');
		}
	});

	it.each([
		['x-tdta-event-id', '018f4a2b-0000-7000-8abc-def012345678'],
		['x-tdta-event', 'booking.cancelled'],
	])('refuses a validly signed body whose event disagrees with %s', (name, value) => {
		expect(reasonOf(delivery({ headers: { [name]: value } }))).toMatch(
			/differs from the X-TDTA-Event-Id/,
		);
	});

	it('never puts the secret or a signature in its reasons', () => {
		const reasons = [
			delivery({ headers: { 'x-tdta-signature': sign('whsec_other', NOW, body) } }),
			delivery({ now: NOW + 1000 }),
			delivery({ headers: { 'x-tdta-event': 'booking.cancelled' } }),
		].map(reasonOf);
		for (const reason of reasons) {
			expect(reason).toBeDefined();
			expect(reason).not.toContain(SECRET);
			expect(reason).not.toMatch(/[0-9a-f]{16}/);
		}
	});
});
