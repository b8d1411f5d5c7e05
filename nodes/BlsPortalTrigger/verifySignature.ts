import { createHmac, timingSafeEqual } from 'crypto';

/** The documented replay window: deliveries signed more than 5 minutes away from now are refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

/** The webhook envelope every BLS Portal event shares. */
export interface DeliveryEnvelope {
	event_id: string;
	event_type: string;
	occurred_at: unknown;
	data: unknown;
}

export type DeliveryVerdict =
	| { valid: true; envelope: DeliveryEnvelope; deliveryId: string; timestamp: number }
	| { valid: false; reason: string };

export interface SignedDelivery {
	/** Request headers as Node's http module gives them: lower-case names. */
	headers: Record<string, string | string[] | undefined>;
	/** The exact bytes received; a re-serialised body would not match the signature. */
	rawBody: Buffer;
	/** The endpoint's signing secret, or undefined when this node has none registered. */
	secret: string | undefined;
	nowSeconds: number;
}

const SIGNATURE_FORMAT = /^sha256=([0-9a-fA-F]{64})$/;
const INTEGER_FORMAT = /^-?\d{1,15}$/;
const DELIVERY_ID_FORMAT = /^\d{1,20}$/;

/** `sha256=` + hex HMAC-SHA256(secret, "{timestamp}.{raw body}"), as the API signs deliveries. */
export function computeSignature(secret: string, timestamp: string, rawBody: Buffer): string {
	const hmac = createHmac('sha256', secret);
	hmac.update(`${timestamp}.`, 'utf8');
	hmac.update(rawBody);
	return `sha256=${hmac.digest('hex')}`;
}

type HeaderRead = { value: string } | { problem: string };

/**
 * Reads a header that must appear exactly once. Node joins repeated custom headers with ", ",
 * and none of the X-TDTA values can contain a comma, so a comma means it was sent twice.
 */
function singleHeader(headers: SignedDelivery['headers'], name: string): HeaderRead {
	const value = headers[name.toLowerCase()];
	if (value === undefined || value === '') return { problem: `Missing ${name} header` };
	if (Array.isArray(value) || value.includes(','))
		return { problem: `${name} header appears more than once` };
	return { value: value.trim() };
}

const UTF8_BOM = '\uFEFF';

/** The signature covers the exact bytes, BOM included; JSON.parse refuses a leading BOM, so it goes only here. */
function parseEnvelope(rawBody: Buffer): DeliveryEnvelope | undefined {
	let body: unknown;
	try {
		const text = rawBody.toString('utf8');
		body = JSON.parse(text.startsWith(UTF8_BOM) ? text.slice(1) : text);
	} catch {
		return undefined;
	}
	if (!body || typeof body !== 'object' || Array.isArray(body)) return undefined;
	const envelope = body as Partial<DeliveryEnvelope>;
	if (typeof envelope.event_id !== 'string' || typeof envelope.event_type !== 'string')
		return undefined;
	return envelope as DeliveryEnvelope;
}

/**
 * Decides whether a delivery really comes from BLS Portal for this endpoint: every header present
 * once and well formed, a timestamp inside the replay window, a signature made with the secret
 * over the exact bytes received (compared in constant time), and a JSON body whose event id and
 * type are the ones the signed headers name. Reasons never contain the secret or the signatures.
 */
export function verifyDelivery({
	headers,
	rawBody,
	secret,
	nowSeconds,
}: SignedDelivery): DeliveryVerdict {
	const read: Record<string, string> = {};
	for (const name of [
		'X-TDTA-Signature',
		'X-TDTA-Timestamp',
		'X-TDTA-Event',
		'X-TDTA-Event-Id',
		'X-TDTA-Delivery-Id',
	]) {
		const header = singleHeader(headers, name);
		if ('problem' in header) return { valid: false, reason: header.problem };
		read[name] = header.value;
	}
	const signature = SIGNATURE_FORMAT.exec(read['X-TDTA-Signature']);
	if (!signature)
		return { valid: false, reason: 'X-TDTA-Signature is not of the form sha256=<64 hex digits>' };
	const timestampText = read['X-TDTA-Timestamp'];
	if (!INTEGER_FORMAT.test(timestampText))
		return { valid: false, reason: 'X-TDTA-Timestamp is not a whole number of seconds' };
	const timestamp = Number(timestampText);
	if (Math.abs(nowSeconds - timestamp) > SIGNATURE_TOLERANCE_SECONDS) {
		return {
			valid: false,
			reason: 'X-TDTA-Timestamp is more than 5 minutes away from now (replay protection)',
		};
	}
	if (!DELIVERY_ID_FORMAT.test(read['X-TDTA-Delivery-Id'])) {
		return { valid: false, reason: 'X-TDTA-Delivery-Id is not numeric' };
	}
	if (!secret)
		return {
			valid: false,
			reason: 'This trigger has no signing secret: reactivate the workflow to register it again',
		};

	const expected = Buffer.from(
		computeSignature(secret, timestampText, rawBody).slice('sha256='.length),
		'hex',
	);
	const received = Buffer.from(signature[1], 'hex');
	if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
		return { valid: false, reason: 'Signature does not match' };
	}

	const envelope = parseEnvelope(rawBody);
	if (!envelope) return { valid: false, reason: 'Body is not a JSON event envelope' };
	if (
		envelope.event_id !== read['X-TDTA-Event-Id'] ||
		envelope.event_type !== read['X-TDTA-Event']
	) {
		return {
			valid: false,
			reason: 'Body event_id or event_type differs from the X-TDTA-Event-Id / X-TDTA-Event headers',
		};
	}
	return { valid: true, envelope, deliveryId: read['X-TDTA-Delivery-Id'], timestamp };
}
