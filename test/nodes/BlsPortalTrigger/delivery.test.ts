import { createHmac, randomBytes } from 'node:crypto';

import type { INodeParameters } from 'n8n-workflow';

import type { CapturedRequest, TriggerHarness } from '../../harness/webhooks';
import { header, withBody, withHeader } from '../../harness/webhooks';
import { RETRY_DELAY_MS, useTriggerSandbox } from './triggerSandbox';

const fixture = useTriggerSandbox();

/** Signs like the API does, independently of the node's code. */
function resign(
	request: CapturedRequest,
	secret: string,
	timestamp = header(request, 'x-tdta-timestamp'),
): CapturedRequest {
	const signature = createHmac('sha256', secret)
		.update(`${timestamp}.`)
		.update(request.rawBody)
		.digest('hex');
	return withHeader(
		withHeader(request, 'x-tdta-timestamp', timestamp),
		'x-tdta-signature',
		`sha256=${signature}`,
	);
}

/** Activates a trigger for booking.cancelled, cancels a booking and returns the real signed request. */
async function liveDelivery(
	options = {},
): Promise<{ trigger: TriggerHarness; request: CapturedRequest; bookingId: number }> {
	const trigger = fixture.trigger(['booking.cancelled'], options);
	await trigger.activate();
	const bookingId = await fixture.freshBooking();
	fixture.sandbox.bookings.cancel(bookingId);
	await fixture.deliveriesDone();
	const [request] = fixture.receiver.captured.filter((captured) => trigger.owns(captured.path));
	return { trigger, request, bookingId };
}

describe('BLS Portal Trigger: deliveries', () => {
	afterEach(async () => {
		for (const endpoint of fixture.endpoints()) {
			await fixture.action({
				resource: 'webhookEndpoint',
				operation: 'delete',
				webhookId: { mode: 'id', value: String(endpoint.id) },
			});
		}
	});

	it('turns a signed delivery into one item that is easy to map, and acknowledges it', async () => {
		const { trigger, request, bookingId } = await liveDelivery();

		expect(trigger.executions).toHaveLength(1);
		const [item] = trigger.executions[0];
		expect(item.json).toEqual({
			event_id: header(request, 'x-tdta-event-id'),
			event_type: 'booking.cancelled',
			occurred_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/),
			data: expect.objectContaining({ status: 'cancelled' }),
			delivery_id: header(request, 'x-tdta-delivery-id'),
		});
		// The booking is data.id, or data.booking_id on a server that names it so.
		const data = item.json.data as { id?: unknown; booking_id?: unknown };
		expect(data.id ?? data.booking_id).toBe(bookingId);
		const [attempt] = fixture.sandbox.deliveries().attempts;
		expect(attempt).toMatchObject({ ok: true, status: 200, attempt: 1 });
		expect(fixture.receiver.outcomes[0]).toMatchObject({ status: 200, answeredByNode: false });
	});

	describe('refuses with 401, starting nothing, a delivery that', () => {
		let trigger: TriggerHarness;
		let request: CapturedRequest;
		let secret: string;

		// One real delivery, replayed with changes into webhook(); it needs no endpoint in the portal any more.
		beforeAll(async () => {
			({ trigger, request } = await liveDelivery({ ignoreDuplicates: false }));
			secret = String(fixture.sandbox.webhookSecret(String(trigger.nodeStaticData().endpointId)));
		});

		const tampered: Array<[string, (r: CapturedRequest) => CapturedRequest]> = [
			[
				'has a forged signature',
				(r) => withHeader(r, 'x-tdta-signature', `sha256=${randomBytes(32).toString('hex')}`),
			],
			[
				'was signed with another secret',
				(r) => resign(r, `whsec_${randomBytes(24).toString('hex')}`),
			],
			[
				'has one byte of the body changed',
				(r) => {
					const body = Buffer.from(r.rawBody);
					const at = body.indexOf('"cancelled"') + 1;
					body[at] = 'C'.charCodeAt(0);
					return withBody(r, body);
				},
			],
			['has no X-TDTA-Signature', (r) => withHeader(r, 'x-tdta-signature', undefined)],
			['has no X-TDTA-Timestamp', (r) => withHeader(r, 'x-tdta-timestamp', undefined)],
			['has no X-TDTA-Event', (r) => withHeader(r, 'x-tdta-event', undefined)],
			['has no X-TDTA-Event-Id', (r) => withHeader(r, 'x-tdta-event-id', undefined)],
			['has no X-TDTA-Delivery-Id', (r) => withHeader(r, 'x-tdta-delivery-id', undefined)],
			[
				'has the signature header twice',
				(r) =>
					withHeader(r, 'x-tdta-signature', [
						header(r, 'x-tdta-signature'),
						header(r, 'x-tdta-signature'),
					]),
			],
			[
				'has a malformed signature',
				(r) =>
					withHeader(
						r,
						'x-tdta-signature',
						header(r, 'x-tdta-signature').replace('sha256=', 'sha1='),
					),
			],
			[
				'has a timestamp that is not an integer',
				(r) => withHeader(r, 'x-tdta-timestamp', `${header(r, 'x-tdta-timestamp')}.0`),
			],
		];
		it.each(tampered)('%s', async (_what, tamper) => {
			const executionsBefore = trigger.executions.length;
			const outcome = await trigger.deliver(tamper(request));
			expect(outcome).toMatchObject({
				status: 401,
				items: [],
				answeredByNode: true,
				body: { received: false },
			});
			expect(JSON.stringify(outcome.body)).not.toContain(secret);
			expect(trigger.executions).toHaveLength(executionsBefore);
		});

		it('is validly signed but not JSON', async () => {
			const outcome = await trigger.deliver(
				resign(withBody(request, Buffer.from('event_id=1')), secret),
			);
			expect(outcome).toMatchObject({
				status: 401,
				items: [],
				body: { reason: 'Body is not a JSON event envelope' },
			});
		});

		it('is validly signed but names another event id in the body than in the header', async () => {
			const envelope = JSON.parse(request.rawBody.toString());
			const body = Buffer.from(
				JSON.stringify({ ...envelope, event_id: '018f4a2b-0000-7000-8abc-def012345678' }),
			);
			const outcome = await trigger.deliver(resign(withBody(request, body), secret));
			expect(outcome).toMatchObject({ status: 401, items: [] });
		});

		it.each([
			[301, 'stale'],
			[-301, 'from the future'],
		])('was signed %i s away from now (%s)', async (offsetSeconds) => {
			const signedAt = Number(header(request, 'x-tdta-timestamp'));
			jest.spyOn(Date, 'now').mockReturnValue((signedAt + offsetSeconds) * 1000);
			try {
				const outcome = await trigger.deliver(request);
				expect(outcome).toMatchObject({
					status: 401,
					items: [],
					body: { reason: expect.stringMatching(/more than 5 minutes/) },
				});
			} finally {
				jest.restoreAllMocks();
			}
		});

		it.each([299, -299])('but accepts one signed %i s away from now', async (offsetSeconds) => {
			const signedAt = Number(header(request, 'x-tdta-timestamp'));
			jest.spyOn(Date, 'now').mockReturnValue((signedAt + offsetSeconds) * 1000);
			try {
				const outcome = await trigger.deliver(request);
				expect(outcome).toMatchObject({ status: 200 });
				expect(outcome.items).toHaveLength(1);
			} finally {
				jest.restoreAllMocks();
			}
		});
	});

	it('starts nothing for a retried delivery of an event it already handed over', async () => {
		const trigger = fixture.trigger(['booking.cancelled']);
		await trigger.activate();
		// n8n handled the first attempt, but its 2xx got lost on the way: BLS Portal retries.
		fixture.receiver.loseAcknowledgements(1);
		fixture.sandbox.bookings.cancel(await fixture.freshBooking());
		await fixture.deliveriesDone();

		const [first, retry] = fixture.receiver.captured;
		expect(header(retry, 'x-tdta-event-id')).toBe(header(first, 'x-tdta-event-id'));
		expect(header(retry, 'x-tdta-delivery-id')).not.toBe(header(first, 'x-tdta-delivery-id'));
		expect(fixture.sandbox.deliveries().attempts.map((a) => [a.attempt, a.status])).toEqual([
			[1, 503],
			[2, 200],
		]);
		expect(fixture.receiver.outcomes[1]).toMatchObject({
			status: 200,
			items: [],
			body: { ignored: expect.stringMatching(/already received/) },
		});
		expect(trigger.executions).toHaveLength(1);
		expect(RETRY_DELAY_MS).toBeLessThan(1000);
	});

	it('hands a retried event over again when Ignore Duplicate Deliveries is off', async () => {
		const trigger = fixture.trigger(['booking.cancelled'], { ignoreDuplicates: false });
		await trigger.activate();
		fixture.receiver.loseAcknowledgements(1);
		fixture.sandbox.bookings.cancel(await fixture.freshBooking());
		await fixture.deliveriesDone();

		expect(trigger.executions).toHaveLength(2);
		expect(trigger.executions[1][0].json.event_id).toBe(trigger.executions[0][0].json.event_id);
	});

	it('acknowledges with 200 and ignores an event type it does not listen for', async () => {
		const trigger = fixture.trigger(['booking.cancelled']);
		await trigger.activate();
		// Test deliveries go to the endpoint whatever it subscribed to.
		await fixture.action({
			resource: 'webhookEndpoint',
			operation: 'sendTest',
			webhookId: { mode: 'id', value: String(trigger.nodeStaticData().endpointId) },
		});
		await fixture.deliveriesDone();

		expect(header(fixture.receiver.captured[0], 'x-tdta-event')).toBe('webhook.test');
		expect(fixture.receiver.outcomes[0]).toMatchObject({
			status: 200,
			items: [],
			body: { ignored: expect.stringMatching(/does not listen/) },
		});
		expect(fixture.sandbox.deliveries().attempts).toEqual([
			expect.objectContaining({ ok: true, status: 200 }),
		]);
		expect(trigger.executions).toHaveLength(0);
	});

	describe('with Attach Certificate', () => {
		async function certificateEvent(options: INodeParameters): Promise<TriggerHarness> {
			const trigger = fixture.trigger(['booking.certificate_available'], {
				attachCertificate: true,
				...options,
			});
			await trigger.activate();
			const bookingId = await fixture.freshBooking();
			fixture.sandbox.bookings.complete(bookingId);
			fixture.sandbox.bookings.equipment(bookingId, 'in');
			await fixture.deliveriesDone();
			expect(trigger.executions).toHaveLength(1);
			return trigger;
		}

		it('acknowledges before downloading, then adds the certificate PDF as binary data', async () => {
			// A slow certificate download must not hold up the acknowledgement.
			fixture.sandbox.addFault({ method: 'GET', path: '/bookings/', latencyMs: 1500, count: 1 });
			const trigger = await certificateEvent({});

			const [attempt] = fixture.sandbox.deliveries().attempts;
			expect(attempt).toMatchObject({ ok: true, status: 200 });
			expect(attempt.durationMs).toBeLessThan(1000);
			expect(fixture.receiver.outcomes[0].answeredByNode).toBe(true);

			const [item] = trigger.executions[0];
			expect(item.json).toMatchObject({
				event_type: 'booking.certificate_available',
				data: { certificate_available: true },
			});
			expect(item.json.certificate_error).toBeUndefined();
			const certificate = item.binary?.certificate;
			expect(certificate).toMatchObject({
				mimeType: 'application/pdf',
				fileName: expect.stringMatching(/^BLS-Certificate-BLS-\d+( \(100%\))?\.pdf$/),
			});
			const pdf = Buffer.from(String(certificate?.data), 'base64');
			expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
			expect(pdf.subarray(-6).toString()).toMatch(/%%EOF/);
		});

		it('puts the PDF in the binary property the user named', async () => {
			const trigger = await certificateEvent({ binaryPropertyName: 'pdf' });
			expect(Object.keys(trigger.executions[0][0].binary ?? {})).toEqual(['pdf']);
		});

		it('still hands the event over, with certificate_error, when the download fails', async () => {
			fixture.sandbox.addFault({ method: 'GET', path: '/bookings/', status: 422, count: 1 });
			const trigger = await certificateEvent({});
			const [item] = trigger.executions[0];
			expect(item.binary).toBeUndefined();
			expect(item.json.event_type).toBe('booking.certificate_available');
			expect(item.json.certificate_error).toMatchObject({ message: expect.any(String) });
		});
	});
});
