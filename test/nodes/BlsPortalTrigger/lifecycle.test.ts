import { useTriggerSandbox } from './triggerSandbox';

const fixture = useTriggerSandbox();

const EVENTS = ['booking.created', 'booking.cancelled'];

async function cancelAndDeliver(): Promise<void> {
	fixture.sandbox.bookings.cancel(await fixture.freshBooking());
	await fixture.deliveriesDone();
}

describe('BLS Portal Trigger: endpoint lifecycle', () => {
	afterEach(async () => {
		// Leave no endpoint behind for the next test.
		for (const endpoint of fixture.endpoints()) {
			await fixture.action({
				resource: 'webhookEndpoint',
				operation: 'delete',
				webhookId: { mode: 'id', value: String(endpoint.id) },
			});
		}
	});

	it('registers the webhook URL for the chosen events, named after the workflow, and keeps id and sealed secret', async () => {
		const trigger = fixture.trigger(
			['booking.cancelled', 'booking.created', 'booking.cancelled'],
			{},
			'Bookings to CRM',
		);
		const { existed } = await trigger.activate();

		expect(existed).toBe(false);
		const [endpoint, ...others] = fixture.endpoints();
		expect(others).toHaveLength(0);
		expect(endpoint).toMatchObject({
			name: `n8n: Bookings to CRM (${trigger.workflowId})`,
			url: trigger.url(),
			events: ['booking.cancelled', 'booking.created'],
			is_active: true,
		});
		expect(trigger.url()).toMatch(
			new RegExp(`^${fixture.receiver.origin}/webhook/${trigger.node.webhookId}/webhook$`),
		);
		const stored = trigger.nodeStaticData();
		expect(stored).toMatchObject({
			endpointId: String(endpoint.id),
			url: trigger.url(),
			events: ['booking.cancelled', 'booking.created'],
		});
		// Static data is stored unencrypted (and n8n 1.x copies it into executions): only the sealed form is kept.
		const secret = fixture.sandbox.webhookSecret(endpoint.id as number);
		expect(secret).toMatch(/^whsec_/);
		expect(stored.sealedSecret).toMatch(/^v1\./);
		expect(JSON.stringify(stored)).not.toContain(String(secret));
	});

	it('keeps the endpoint and obtains a new secret when the stored one no longer opens (the API key was changed)', async () => {
		const trigger = fixture.trigger(EVENTS);
		await trigger.activate();
		const first = trigger.nodeStaticData();
		const unopenable = `${String(first.sealedSecret).slice(0, -4)}AAAA`;
		trigger.savedStaticData = {
			...trigger.savedStaticData,
			[`node:${trigger.node.name}`]: { ...first, sealedSecret: unopenable },
		};
		fixture.sandbox.clearRequests();

		expect(await trigger.activate()).toEqual({ existed: true });
		expect(fixture.endpoints().map((e) => String(e.id))).toEqual([first.endpointId]);
		expect(fixture.sandbox.requests().byEndpoint).toMatchObject({
			'POST /webhooks/{id}/rotate-secret': 1,
		});
		expect(fixture.sandbox.requests().byEndpoint['POST /webhooks'] ?? 0).toBe(0);
		expect(trigger.nodeStaticData().sealedSecret).not.toBe(unopenable);
		await cancelAndDeliver();
		expect(trigger.executions).toHaveLength(1);
	});

	it("a delivery that finds the secret unopenable renews it, is answered 503 and runs on the API's retry", async () => {
		const trigger = fixture.trigger(EVENTS);
		await trigger.activate();
		const first = trigger.nodeStaticData();
		const unopenable = `${String(first.sealedSecret).slice(0, -4)}AAAA`;
		trigger.savedStaticData = {
			...trigger.savedStaticData,
			[`node:${trigger.node.name}`]: { ...first, sealedSecret: unopenable },
		};

		await cancelAndDeliver(); // the first attempt is refused 503, the retry (50 ms later here) verifies
		expect(fixture.receiver.outcomes.map((outcome) => outcome.status)).toEqual([503, 200]);
		expect(fixture.receiver.outcomes[0]).toMatchObject({
			body: { received: false, reason: expect.stringContaining('renewed') },
		});
		expect(trigger.executions).toHaveLength(1);
		expect(fixture.endpoints().map((e) => String(e.id))).toEqual([first.endpointId]);
	});

	it('keeps the endpoint when n8n restarts and finds it unchanged', async () => {
		const trigger = fixture.trigger(EVENTS);
		await trigger.activate();
		const before = trigger.nodeStaticData();
		fixture.sandbox.clearRequests();

		expect(await trigger.activate()).toEqual({ existed: true });
		expect(fixture.endpoints()).toHaveLength(1);
		// Endpoints without updated_at cannot show a rotation, so the trigger takes a new secret each time.
		const rotates = fixture.sandbox.dialect.has('endpoint-no-updated-at');
		expect(trigger.nodeStaticData()).toEqual(
			rotates ? { ...before, sealedSecret: expect.stringMatching(/^v1\./) } : before,
		);
		expect(fixture.sandbox.requests().byEndpoint['POST /webhooks'] ?? 0).toBe(0);
		expect(fixture.sandbox.requests().byEndpoint['POST /webhooks/{id}/rotate-secret'] ?? 0).toBe(
			rotates ? 1 : 0,
		);
	});

	it('deletes the endpoint on deactivation and forgets it', async () => {
		const trigger = fixture.trigger(EVENTS);
		await trigger.activate();
		await trigger.deactivate();
		expect(fixture.endpoints()).toHaveLength(0);
		expect(trigger.nodeStaticData()).toEqual({});
	});

	it('deactivates cleanly when the endpoint was already deleted in the portal', async () => {
		const trigger = fixture.trigger(EVENTS);
		await trigger.activate();
		const id = String(trigger.nodeStaticData().endpointId);
		await fixture.action({
			resource: 'webhookEndpoint',
			operation: 'delete',
			webhookId: { mode: 'id', value: id },
		});

		await expect(trigger.deactivate()).resolves.toBeUndefined();
		expect(trigger.nodeStaticData()).toEqual({});
	});

	it('registers again when the endpoint was deleted in the portal, and receives events with the new secret', async () => {
		const trigger = fixture.trigger(EVENTS);
		await trigger.activate();
		const first = trigger.nodeStaticData();
		await fixture.action({
			resource: 'webhookEndpoint',
			operation: 'delete',
			webhookId: { mode: 'id', value: String(first.endpointId) },
		});

		expect(await trigger.lifecycle('checkExists')).toBe(false);
		expect(await trigger.activate()).toEqual({ existed: false });
		const second = trigger.nodeStaticData();
		expect(second.endpointId).not.toBe(first.endpointId);
		expect(fixture.sandbox.webhookSecret(String(second.endpointId))).not.toBe(
			fixture.sandbox.webhookSecret(String(first.endpointId)),
		);
		expect(fixture.endpoints().map((e) => String(e.id))).toEqual([second.endpointId]);

		await cancelAndDeliver();
		expect(trigger.executions).toHaveLength(1);
	});

	it('takes a new secret when the secret was rotated in the portal: the first delivery is answered 503, its retry runs', async () => {
		const trigger = fixture.trigger(EVENTS);
		await trigger.activate();
		const first = trigger.nodeStaticData();
		const rotated = await fixture.action({
			resource: 'webhookEndpoint',
			operation: 'rotateSecret',
			webhookId: { mode: 'id', value: String(first.endpointId) },
		});
		expect(rotated.secret).toBe(fixture.sandbox.webhookSecret(String(first.endpointId)));

		fixture.sandbox.clearRequests();
		await cancelAndDeliver();
		if (fixture.sandbox.dialect.has('endpoint-no-updated-at')) {
			// No updated_at: a mismatch alone could be a forgery. The delivery is refused (401) and the
			// portal asked for a test event; that one does not verify either, so the secret provably
			// changed: a new one is taken (the test event starts nothing), and the retry verifies.
			expect(fixture.receiver.outcomes.map((outcome) => outcome.status).sort()).toEqual([
				200, 200, 401,
			]);
			expect(fixture.receiver.outcomes.map((outcome) => outcome.body)).toContainEqual({
				received: true,
				ignored: 'Signing-secret check: a new secret was obtained',
			});
			expect(fixture.sandbox.requests().byEndpoint).toMatchObject({
				'POST /webhooks/{id}/test': 1,
				'POST /webhooks/{id}/rotate-secret': 1,
			});
		} else {
			// The first delivery signed with the portal's new secret does not match: the trigger sees the
			// endpoint changed since registration, takes a new secret, answers 503, and the retry verifies.
			expect(fixture.receiver.outcomes.map((outcome) => outcome.status)).toEqual([503, 200]);
			expect(fixture.sandbox.requests().byEndpoint).toMatchObject({
				'GET /webhooks/{id}': 1,
				'POST /webhooks/{id}/rotate-secret': 1,
			});
		}
		expect(trigger.executions).toHaveLength(1);
		expect(trigger.executions[0][0].json).toMatchObject({ event_type: 'booking.cancelled' });
		expect(fixture.sandbox.webhookSecret(String(first.endpointId))).not.toBe(rotated.secret);

		// The next activation check finds everything current.
		expect(await trigger.activate()).toEqual({ existed: true });
		expect(fixture.endpoints().map((e) => String(e.id))).toEqual([first.endpointId]);
		fixture.receiver.reset();
		await cancelAndDeliver();
		expect(trigger.executions).toHaveLength(2);
		expect(fixture.receiver.outcomes.map((outcome) => outcome.status)).toEqual([200]);
	});

	it.each([
		[
			'the events were changed in the node',
			async (trigger: ReturnType<typeof fixture.trigger>) => {
				trigger.parameters = { ...trigger.parameters, events: ['booking.cancelled'] };
			},
		],
		[
			'the endpoint was switched off in the portal',
			async (trigger: ReturnType<typeof fixture.trigger>) => {
				const webhookId = { mode: 'id', value: String(trigger.nodeStaticData().endpointId) };
				await fixture.action({
					resource: 'webhookEndpoint',
					operation: 'update',
					webhookId,
					updateFields: { active: false },
				});
			},
		],
		[
			'the endpoint URL was edited in the portal',
			async (trigger: ReturnType<typeof fixture.trigger>) => {
				const webhookId = { mode: 'id', value: String(trigger.nodeStaticData().endpointId) };
				await fixture.action({
					resource: 'webhookEndpoint',
					operation: 'update',
					webhookId,
					updateFields: { url: 'https://example.com/elsewhere' },
				});
			},
		],
		[
			'the endpoint was renamed in the portal',
			async (trigger: ReturnType<typeof fixture.trigger>) => {
				const webhookId = { mode: 'id', value: String(trigger.nodeStaticData().endpointId) };
				await fixture.action({
					resource: 'webhookEndpoint',
					operation: 'update',
					webhookId,
					updateFields: { name: 'renamed by a person' },
				});
			},
		],
	])('updates the endpoint in place (same id, PUT, no delete) when %s', async (_change, change) => {
		const trigger = fixture.trigger(EVENTS, {}, 'Bookings to CRM');
		await trigger.activate();
		const first = trigger.nodeStaticData();
		await change(trigger);
		fixture.sandbox.clearRequests();

		expect(await trigger.activate()).toEqual({ existed: true });
		const endpoints = fixture.endpoints();
		expect(endpoints.map((e) => String(e.id))).toEqual([first.endpointId]);
		expect(endpoints[0]).toMatchObject({
			name: `n8n: Bookings to CRM (${trigger.workflowId})`,
			url: trigger.url(),
			is_active: true,
			events: [...(trigger.parameters.events as string[])].sort(),
		});
		const calls = fixture.sandbox.requests().byEndpoint;
		expect(calls['PUT /webhooks/{id}']).toBe(1);
		expect(calls['DELETE /webhooks/{id}'] ?? 0).toBe(0);
		expect(calls['POST /webhooks'] ?? 0).toBe(0);
		await cancelAndDeliver();
		expect(trigger.executions).toHaveLength(1);
	});

	it("a copy of the workflow (carrying the original's static data) registers its own endpoint and leaves the original's alone", async () => {
		const original = fixture.trigger(EVENTS);
		await original.activate();
		const registered = original.nodeStaticData();
		const before = fixture.endpoints();

		const copy = fixture.trigger(EVENTS);
		copy.savedStaticData = JSON.parse(JSON.stringify(original.savedStaticData));
		expect(await copy.activate()).toEqual({ existed: false });
		const own = copy.nodeStaticData();
		expect(own.endpointId).not.toBe(registered.endpointId);
		expect(fixture.endpoints().find((e) => String(e.id) === registered.endpointId)).toEqual(
			before[0],
		);

		await copy.deactivate();
		expect(fixture.endpoints()).toEqual(before);
		// A copy that never activated is deactivated (n8n calls delete) without touching it either.
		const another = fixture.trigger(EVENTS);
		another.savedStaticData = JSON.parse(JSON.stringify(original.savedStaticData));
		await another.deactivate();
		expect(fixture.endpoints()).toEqual(before);
		await cancelAndDeliver();
		expect(original.executions).toHaveLength(1);
	});

	it('"Listen for test event" registers the test URL, leaves the production endpoint alone and cleans up after itself', async () => {
		const trigger = fixture.trigger(['booking.cancelled', 'webhook.test']);
		await trigger.activate();
		const production = trigger.nodeStaticData();

		await trigger.activate({ test: true });
		const test = trigger.nodeStaticData({ test: true });
		expect(test.url).toBe(trigger.url(true));
		expect(test.url).toMatch(/\/webhook-test\//);
		expect(
			fixture
				.endpoints()
				.map((e) => e.url)
				.sort(),
		).toEqual([trigger.url(), trigger.url(true)].sort());

		await fixture.action({
			resource: 'webhookEndpoint',
			operation: 'sendTest',
			webhookId: { mode: 'id', value: String(test.endpointId) },
		});
		await fixture.deliveriesDone();
		expect(trigger.executions).toHaveLength(1);
		expect(trigger.executions[0][0].json).toMatchObject({
			event_type: 'webhook.test',
			data: { webhook_id: Number(test.endpointId) },
		});

		await trigger.deactivate({ test: true });
		expect(fixture.endpoints().map((e) => String(e.id))).toEqual([production.endpointId]);
		expect(trigger.nodeStaticData()).toEqual(production);
	});

	it('keeps the production endpoint when n8n deletes a test listener that never registered', async () => {
		const trigger = fixture.trigger(EVENTS);
		await trigger.activate();
		const production = trigger.nodeStaticData();

		// n8n's clean-up after a failed test registration runs `delete` on the production static data.
		trigger.testStaticData = trigger.savedStaticData;
		await trigger.deactivate({ test: true });
		expect(fixture.endpoints().map((e) => String(e.id))).toEqual([production.endpointId]);
	});

	it('refuses to activate without any event, before calling the API', async () => {
		const trigger = fixture.trigger([]);
		await expect(trigger.activate()).rejects.toThrow('Choose at least one event to listen for');
		expect(fixture.endpoints()).toHaveLength(0);
	});
});
