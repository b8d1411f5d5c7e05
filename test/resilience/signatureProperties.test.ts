/**
 * Property-based tests of the trigger's signature verifier (`verifyDelivery`): a delivery signed
 * with the endpoint's secret over the exact timestamp and bytes always passes anywhere inside the
 * 300 s window, and any single change to the secret, the signed timestamp or the body always fails.
 * Signatures are made with an HMAC written here from the API documentation, not with the node's code.
 */
import { createHmac } from 'node:crypto';

import fc from 'fast-check';

import {
	SIGNATURE_TOLERANCE_SECONDS,
	verifyDelivery,
} from '../../nodes/BlsPortalTrigger/verifySignature';
import { WEBHOOK_EVENTS } from '../../sandbox';
import { printFigures, type FigureRow } from './support';

const RUNS = 5000;
const figures: FigureRow[] = [];
let totalCases = 0;
let totalFailures = 0;

afterAll(() => {
	printFigures(
		'Signature verifier properties (fast-check)',
		[...figures, ['cases in total', totalCases], ['counterexamples', totalFailures]],
		[
			'Secrets are printable text: HMAC itself pads short keys with NUL bytes, so "k" and "k\\0" sign alike.',
			'API secrets are whsec_ + alphanumerics, so that equivalence never applies to them.',
		],
	);
});

/** Runs one property, recording its figures whatever the outcome. */
function check<T>(
	label: string,
	arbitrary: fc.Arbitrary<T>,
	predicate: (value: T) => boolean,
	numRuns = RUNS,
): void {
	let runs = 0;
	let failure: unknown;
	try {
		fc.assert(
			fc.property(arbitrary, (value) => {
				runs++;
				return predicate(value);
			}),
			{ numRuns, seed: 20260605 },
		);
	} catch (error) {
		failure = error;
	}
	totalCases += runs;
	if (failure) totalFailures++;
	figures.push([label, failure ? `FAIL/${runs}` : `${runs} ok`]);
	if (failure) throw failure;
}

function hmac(secret: string, timestamp: string, body: Buffer): string {
	return `sha256=${createHmac('sha256', secret)
		.update(Buffer.concat([Buffer.from(`${timestamp}.`), body]))
		.digest('hex')}`;
}

/** Printable secrets (no NUL), either arbitrary or in the API's whsec_ form. */
const secretArb = fc.oneof(
	fc
		.string({ unit: 'grapheme', minLength: 1, maxLength: 80 })
		.filter((s) => s.length > 0 && !s.includes('\0')),
	fc.stringMatching(/^whsec_[A-Za-z0-9]{32}$/),
);

/** An event envelope serialised in any JSON layout: the verifier must use the bytes as they are. */
const deliveryArb = fc
	.record({
		eventId: fc.uuid(),
		eventType: fc.constantFrom(...WEBHOOK_EVENTS),
		data: fc.jsonValue({ maxDepth: 3 }),
		indent: fc.constantFrom(0, 1, 2, 4, '\t'),
		now: fc.integer({ min: 1_500_000_000, max: 4_000_000_000 }),
		skew: fc.integer({ min: -SIGNATURE_TOLERANCE_SECONDS, max: SIGNATURE_TOLERANCE_SECONDS }),
		deliveryId: fc.bigInt({ min: 1n, max: 10n ** 19n }),
		secret: secretArb,
	})
	.map(({ eventId, eventType, data, indent, now, skew, deliveryId, secret }): Delivery => {
		const body = Buffer.from(
			JSON.stringify(
				{
					event_id: eventId,
					event_type: eventType,
					occurred_at: '2026-06-05T10:00:00+00:00',
					data,
				},
				null,
				indent,
			),
		);
		const timestamp = String(now - skew);
		return { eventId, eventType, body, now, timestamp, deliveryId: String(deliveryId), secret };
	});

interface Delivery {
	eventId: string;
	eventType: string;
	body: Buffer;
	now: number;
	timestamp: string;
	deliveryId: string;
	secret: string;
}

function verify(
	delivery: Delivery,
	changes: { secret?: string; timestamp?: string; body?: Buffer; signature?: string } = {},
) {
	const timestamp = changes.timestamp ?? delivery.timestamp;
	return verifyDelivery({
		headers: {
			'x-tdta-event': delivery.eventType,
			'x-tdta-event-id': delivery.eventId,
			'x-tdta-delivery-id': delivery.deliveryId,
			'x-tdta-timestamp': timestamp,
			'x-tdta-signature':
				changes.signature ?? hmac(delivery.secret, delivery.timestamp, delivery.body),
		},
		rawBody: changes.body ?? delivery.body,
		secret: changes.secret ?? delivery.secret,
		nowSeconds: delivery.now,
	});
}

/** One edit of a string: replace, insert or delete one character (never appending a NUL). */
const stringEditArb = (source: fc.Arbitrary<string>) =>
	fc
		.record({
			original: source,
			kind: fc.constantFrom('replace', 'insert', 'delete'),
			position: fc.nat(),
			char: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }).filter((c) => c !== '\0'),
		})
		.map(({ original, kind, position, char }) => {
			const chars = [...original];
			const at = position % (chars.length + (kind === 'insert' ? 1 : 0));
			if (kind === 'replace')
				chars[at] =
					chars[at] === char ? String.fromCodePoint((char.codePointAt(0)! % 0x7e) + 1) : char;
			if (kind === 'insert') chars.splice(at, 0, char);
			if (kind === 'delete') chars.splice(at, 1);
			return { original, edited: chars.join('') };
		})
		.filter(({ original, edited }) => original !== edited && edited.length > 0);

/** One edit of a byte string: flip a bit, insert a byte or delete a byte. */
const bytesEditArb = fc.record({
	kind: fc.constantFrom('flip', 'insert', 'delete'),
	position: fc.nat(),
	bit: fc.nat({ max: 7 }),
	byte: fc.nat({ max: 255 }),
});

function editBytes(
	body: Buffer,
	edit: { kind: string; position: number; bit: number; byte: number },
): Buffer {
	const at = edit.position % (body.length + (edit.kind === 'insert' ? 1 : 0));
	if (edit.kind === 'flip') {
		const copy = Buffer.from(body);
		copy[at] ^= 1 << edit.bit;
		return copy;
	}
	if (edit.kind === 'insert')
		return Buffer.concat([body.subarray(0, at), Buffer.from([edit.byte]), body.subarray(at)]);
	return Buffer.concat([body.subarray(0, at), body.subarray(at + 1)]);
}

const invalidBecause = (verdict: ReturnType<typeof verifyDelivery>, reason: RegExp) =>
	!verdict.valid && reason.test(verdict.reason);

describe('verifyDelivery properties', () => {
	it('accepts every delivery signed with the secret over the exact bytes, anywhere inside the ±300 s window', () => {
		check('valid signature, any layout/skew: passes', deliveryArb, (delivery) => {
			const verdict = verify(delivery);
			return (
				verdict.valid &&
				verdict.envelope.event_id === delivery.eventId &&
				verdict.deliveryId === delivery.deliveryId
			);
		});
	});

	it('refuses the delivery when the secret differs by one character (replaced, inserted or deleted)', () => {
		check(
			'secret changed by one character: fails',
			fc.tuple(deliveryArb, stringEditArb(secretArb)),
			([delivery, { original, edited }]) =>
				invalidBecause(
					verify({ ...delivery, secret: original }, { secret: edited }),
					/^Signature does not match$/,
				),
		);
	});

	it('refuses the delivery when the timestamp header differs from the signed one, even inside the window', () => {
		const changedTimestamp = fc.oneof(
			fc
				.integer({ min: -SIGNATURE_TOLERANCE_SECONDS, max: SIGNATURE_TOLERANCE_SECONDS })
				.filter((d) => d !== 0)
				.map((delta) => ({ delta, text: undefined })),
			// Same number, other text: the signature covers the text. (Surrounding whitespace is not part of an HTTP header value.)
			fc.constantFrom('0', '00', '+', '-0').map((prefix) => ({ delta: 0, text: prefix })),
		);
		check(
			'timestamp changed (value or text): fails',
			fc.tuple(deliveryArb, changedTimestamp),
			([delivery, change]) => {
				const timestamp =
					change.text === undefined
						? String(Number(delivery.timestamp) + change.delta)
						: `${change.text}${delivery.timestamp}`;
				const verdict = verify(delivery, { timestamp });
				return !verdict.valid;
			},
		);
	});

	it('refuses the delivery when one byte of the body is flipped, inserted or deleted', () => {
		check(
			'body changed by one bit/byte: fails',
			fc.tuple(deliveryArb, bytesEditArb),
			([delivery, edit]) => {
				const body = editBytes(delivery.body, edit);
				return !body.equals(delivery.body) && !verify(delivery, { body }).valid;
			},
		);
	});

	it('refuses any single flipped bit of the signature', () => {
		check(
			'signature changed by one bit: fails',
			fc.tuple(deliveryArb, fc.nat({ max: 255 })),
			([delivery, bit]) => {
				const mac = Buffer.from(
					hmac(delivery.secret, delivery.timestamp, delivery.body).slice('sha256='.length),
					'hex',
				);
				mac[bit >> 3] ^= 1 << (bit & 7);
				return invalidBecause(
					verify(delivery, { signature: `sha256=${mac.toString('hex')}` }),
					/^Signature does not match$/,
				);
			},
		);
	});

	it('refuses a correctly signed delivery outside the window (stale or future by more than 300 s)', () => {
		const outside = fc.oneof(
			fc.integer({ min: 301, max: 10 ** 8 }),
			fc.integer({ min: -(10 ** 8), max: -301 }),
		);
		check(
			'signed > 300 s away from now: fails',
			fc.tuple(deliveryArb, outside),
			([delivery, skew]) => {
				const timestamp = String(delivery.now - skew);
				const signature = hmac(delivery.secret, timestamp, delivery.body);
				return invalidBecause(verify(delivery, { timestamp, signature }), /more than 5 minutes/);
			},
		);
	});

	it('never names the secret or a signature in the reason it refuses with', () => {
		check(
			'refusal reasons leak no secret/signature',
			fc.tuple(
				deliveryArb,
				stringEditArb(fc.stringMatching(/^whsec_[A-Za-z0-9]{32}$/)),
				bytesEditArb,
			),
			([delivery, { original, edited }, edit]) => {
				const expected = hmac(original, delivery.timestamp, delivery.body);
				const verdicts = [
					verify({ ...delivery, secret: original }, { secret: edited }),
					verify({ ...delivery, secret: original }, { body: editBytes(delivery.body, edit) }),
				];
				return verdicts.every(
					(verdict) =>
						!verdict.valid &&
						!verdict.reason.includes(original) &&
						!verdict.reason.includes(edited) &&
						!verdict.reason.includes(expected.slice(7, 23)),
				);
			},
			500,
		);
	});

	// Runs last: the README's "30,500 cases" is the sum of the properties above.
	it('checked 30,500 cases in all', () => {
		expect(totalCases).toBe(30_500);
	});
});
