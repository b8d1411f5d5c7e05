/**
 * The trigger against servers that answer the docs' open questions another way: the secret's name
 * and place, is_active as 1/0, endpoints without updated_at, the booking id as data.booking_id, a
 * BOM before the signed body and delivery ids beyond 2^53.
 */
import { createHmac } from 'node:crypto';

import { N8nHarness } from '../../harness/n8n';
import type { CapturedRequest } from '../../harness/webhooks';
import { header, TriggerHarness, withBody, withHeader } from '../../harness/webhooks';
import { useTriggerSandbox } from './triggerSandbox';

const fixture = useTriggerSandbox();

function resign(request: CapturedRequest, secret: string): CapturedRequest {
	const timestamp = header(request, 'x-tdta-timestamp');
	const signature = createHmac('sha256', secret)
		.update(`${timestamp}.`)
		.update(request.rawBody)
		.digest('hex');
	return withHeader(request, 'x-tdta-signature', `sha256=${signature}`);
}

afterEach(async () => {
	for (const endpoint of fixture.endpoints()) {
		await fixture.action({
			resource: 'webhookEndpoint',
			operation: 'delete',
			webhookId: { mode: 'id', value: String(endpoint.id) },
		});
	}
});

describe('BLS Portal Trigger under other API dialects', () => {
	it.each([
		'secret-named-signing-secret',
		'secret-under-data',
		'secret-named-signing-secret,secret-under-data,single-bare',
		'active-as-int',
		'endpoint-no-updated-at',
	])(
		'under %s: registers with the right secret, verifies deliveries, and keeps the endpoint on restart',
		async (dialect) => {
			await fixture.withDialect(dialect, async () => {
				const trigger = fixture.trigger(['booking.cancelled']);
				expect(await trigger.activate()).toEqual({ existed: false });
				fixture.sandbox.bookings.cancel(await fixture.freshBooking());
				await fixture.deliveriesDone();
				expect(trigger.executions).toHaveLength(1);
				expect(fixture.receiver.outcomes.map((outcome) => outcome.status)).toEqual([200]);

				// n8n restarts: the same endpoint is kept (is_active 1 is active), and deliveries still verify.
				fixture.sandbox.clearRequests();
				expect(await trigger.activate()).toEqual({ existed: true });
				expect(fixture.sandbox.requests().byEndpoint['POST /webhooks'] ?? 0).toBe(0);
				fixture.sandbox.bookings.cancel(await fixture.freshBooking());
				await fixture.deliveriesDone();
				expect(trigger.executions).toHaveLength(2);
			});
		},
	);

	it('without updated_at, a secret rotated in the portal is replaced at the next activation, so deliveries verify again', async () => {
		await fixture.withDialect('endpoint-no-updated-at', async () => {
			const trigger = fixture.trigger(['booking.cancelled']);
			await trigger.activate();
			const endpointId = String(trigger.nodeStaticData().endpointId);
			await fixture.action({
				resource: 'webhookEndpoint',
				operation: 'rotateSecret',
				webhookId: { mode: 'id', value: endpointId },
			});

			expect(await trigger.activate()).toEqual({ existed: true });
			expect(fixture.endpoints().map((endpoint) => String(endpoint.id))).toEqual([endpointId]);
			fixture.sandbox.bookings.cancel(await fixture.freshBooking());
			await fixture.deliveriesDone();
			expect(trigger.executions).toHaveLength(1);
			expect(fixture.receiver.outcomes.map((outcome) => outcome.status)).toEqual([200]);
		});
	});

	it('without updated_at, forged deliveries never rotate the secret and cost at most one test event per 15 minutes', async () => {
		await fixture.withDialect('endpoint-no-updated-at', async () => {
			const trigger = fixture.trigger(['booking.cancelled']);
			await trigger.activate();
			const endpointId = String(trigger.nodeStaticData().endpointId);
			const secret = fixture.sandbox.webhookSecret(endpointId);
			fixture.sandbox.bookings.cancel(await fixture.freshBooking());
			await fixture.deliveriesDone();
			const [real] = fixture.receiver.captured.filter((captured) => trigger.owns(captured.path));
			fixture.receiver.reset();
			fixture.sandbox.clearRequests();

			// Three forgeries signed with a secret the portal never issued.
			for (const forger of ['whsec_forged_1', 'whsec_forged_2', 'whsec_forged_3']) {
				const outcome = await trigger.deliver(resign(real, forger));
				expect(outcome.status).toBe(401);
				await fixture.deliveriesDone();
			}
			// The portal's own test event verified with the stored secret: nothing rotated, nothing ran.
			expect(fixture.sandbox.requests().byEndpoint).toEqual({ 'POST /webhooks/{id}/test': 1 });
			expect(fixture.sandbox.webhookSecret(endpointId)).toBe(secret);
			expect(fixture.receiver.outcomes.map((outcome) => outcome.body)).toEqual([
				{ received: true, ignored: 'Signing-secret check: the stored secret is current' },
			]);
			expect(trigger.executions).toHaveLength(1);

			// A forgery that reuses the test event's id is refused too and rotates nothing.
			const [probe] = fixture.receiver.captured.filter(
				(captured) => header(captured, 'x-tdta-event') === 'webhook.test',
			);
			expect((await trigger.deliver(resign(probe, 'whsec_forged_4'))).status).toBe(401);
			expect(fixture.sandbox.webhookSecret(endpointId)).toBe(secret);
			expect(fixture.sandbox.requests().byEndpoint).toEqual({ 'POST /webhooks/{id}/test': 1 });
		});
	});

	it('against the TDTA API (a custom URL serving TDTA): registers, verifies deliveries and deletes its endpoint', async () => {
		await fixture.withDialect('tdta', async () => {
			const [demo] = fixture.sandbox.accounts;
			const tdta = new N8nHarness({
				clientId: demo.hbClientId,
				apiKey: demo.apiKey,
				baseUrl: fixture.sandbox.apiUrl,
				environment: 'custom',
				customApi: 'tdta',
			});
			const trigger = fixture.receiver.serve(
				new TriggerHarness(
					tdta,
					{ events: ['booking.cancelled'], options: {} },
					{ baseUrl: fixture.receiver.origin },
				),
			);
			await trigger.activate();
			fixture.sandbox.bookings.cancel(await fixture.freshBooking());
			await fixture.deliveriesDone();
			expect(trigger.executions).toHaveLength(1);
			expect(trigger.executions[0][0].json).toMatchObject({ event_type: 'booking.cancelled' });
			expect(await trigger.lifecycle('delete')).toBe(true);
			expect(fixture.endpoints()).toEqual([]);
		});
	});

	it('attaches the certificate when the event names the booking as data.booking_id', async () => {
		await fixture.withDialect('event-booking-id', async () => {
			const trigger = fixture.trigger(['booking.certificate_available'], {
				attachCertificate: true,
			});
			await trigger.activate();
			const bookingId = await fixture.freshBooking();
			fixture.sandbox.bookings.complete(bookingId);
			fixture.sandbox.bookings.equipment(bookingId, 'in');
			await fixture.deliveriesDone();
			const [[item]] = trigger.executions;
			expect(item.json.data).toMatchObject({ booking_id: bookingId });
			expect(item.json.data).not.toHaveProperty('id');
			expect(item.json.certificate_error).toBeUndefined();
			expect(item.binary?.certificate).toMatchObject({ mimeType: 'application/pdf' });
		});
	});

	describe('a correctly signed delivery', () => {
		it('is accepted with a UTF-8 BOM before the body (the signature covers the bytes, BOM included)', async () => {
			const trigger = fixture.trigger(['booking.cancelled'], { ignoreDuplicates: false });
			await trigger.activate();
			fixture.sandbox.bookings.cancel(await fixture.freshBooking());
			await fixture.deliveriesDone();
			const [request] = fixture.receiver.captured;
			const secret = String(
				fixture.sandbox.webhookSecret(String(trigger.nodeStaticData().endpointId)),
			);

			const withBom = resign(
				withBody(request, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), request.rawBody])),
				secret,
			);
			const outcome = await trigger.deliver(withBom);
			expect(outcome).toMatchObject({ status: 200 });
			expect(outcome.items).toHaveLength(1);
			// Signed without the BOM but sent with it: the bytes differ, so it is refused.
			const unsigned = withBody(
				request,
				Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), request.rawBody]),
			);
			expect(await trigger.deliver(unsigned)).toMatchObject({ status: 401 });
		});

		it('keeps every digit of a delivery id beyond 2^53', async () => {
			const trigger = fixture.trigger(['booking.cancelled'], { ignoreDuplicates: false });
			await trigger.activate();
			fixture.sandbox.bookings.cancel(await fixture.freshBooking());
			await fixture.deliveriesDone();
			const [request] = fixture.receiver.captured;
			const huge = '18446744073709551615';
			const outcome = await trigger.deliver(withHeader(request, 'x-tdta-delivery-id', huge));
			expect(outcome.items[0].json.delivery_id).toBe(huge);
		});
	});
});
