/** The sandbox against the documentation: booking flow, holds, pay options, certificates, lists. */
import { startSandbox } from '../../sandbox';
import type { Sandbox } from '../../sandbox';
import { book, candidate, client, firstSlot, sleep } from './helpers';
import type { Client } from './helpers';

let sandbox: Sandbox;
let c: Client;
let token: string;
let otherToken: string;

beforeAll(async () => {
	sandbox = await startSandbox({ port: 0, dialect: 'default', bookings: 25, rateLimit: false });
	c = client(sandbox);
});
afterAll(async () => await sandbox.stop());

beforeEach(async () => {
	sandbox.reset();
	token = await c.token(0);
	otherToken = await c.token(1);
});

async function credits(t = token) {
	return (await c.api('GET', '/credits', { token: t })).body;
}

async function transactions(t = token) {
	const page = await c.api('GET', '/transactions?per_page=100', { token: t });
	return page.body.data as Array<Record<string, any>>;
}

describe('three-step booking flow', () => {
	it('lists slots, holds one, books it with credits and consumes the hold', async () => {
		const slots = await c.api('GET', '/timeslots?course_id=1&months_ahead=2', { token });
		expect(slots.status).toBe(200);
		const slot = slots.body.data[0];
		expect(slot).toEqual({
			date: expect.any(String),
			time: expect.any(String),
			course: { id: 1, name: 'BLS Practical' },
			spaces_available: expect.any(Number),
		});
		const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
		expect(slot.date >= tomorrow).toBe(true);

		const hold = await c.api('POST', '/timeslots/hold', {
			token,
			body: { course_id: 1, date: slot.date, time: slot.time },
		});
		expect(hold.status).toBe(201);
		expect(hold.body.data.hold_hash).toMatch(/^[A-Za-z0-9]{32}$/);
		const expiresIn = Date.parse(hold.body.data.expires_at) - Date.now();
		expect(expiresIn).toBeGreaterThan(29 * 60_000);
		expect(expiresIn).toBeLessThanOrEqual(30 * 60_000);

		// The hold takes a place.
		const sameDay = await c.api('GET', `/timeslots?course_id=1&date=${slot.date}`, { token });
		const held = sameDay.body.data.find((s: { time: string }) => s.time === slot.time);
		expect(held?.spaces_available ?? 0).toBe(slot.spaces_available - 1);

		const created = await c.api('POST', '/bookings', {
			token,
			body: { hold_hash: hold.body.data.hold_hash, ...candidate, pay_option: 'credits' },
		});
		expect(created.status).toBe(201);
		const booking = created.body.data;
		expect(booking).toMatchObject({
			status: 'booked',
			course_id: 1,
			course_name: 'BLS Practical',
			date: slot.date,
			time: slot.time,
			...candidate,
			pay_option: 'credits',
			training_status: 'scheduled',
			equipment_status: 'not_sent',
			certificate_available: false,
		});
		expect(booking.reference).toBe(`BLS-${String(booking.id).padStart(6, '0')}`);

		const fetched = await c.api('GET', `/bookings/${booking.id}`, { token });
		expect(fetched.body.data).toEqual(booking);
		// The hold is gone: no active hold, and re-using the hash is a 422.
		expect(sandbox.state().accounts[0].activeHold).toBeNull();
		const again = await c.api('POST', '/bookings', {
			token,
			body: { hold_hash: hold.body.data.hold_hash, ...candidate, pay_option: 'credits' },
		});
		expect(again.status).toBe(422);
		expect(again.body.errors.hold_hash).toHaveLength(1);
	});

	it('allows one active hold per account: 409 names the active hold; release frees it', async () => {
		const slot = await firstSlot(c, token, 1);
		const first = await c.api('POST', '/timeslots/hold', {
			token,
			body: { course_id: 1, date: slot.date, time: slot.time },
		});
		const second = await c.api('POST', '/timeslots/hold', {
			token,
			body: { course_id: 2, date: slot.date, time: slot.time },
		});
		expect(second.status).toBe(409);
		expect(second.body).toMatchObject({
			message: expect.any(String),
			hold_hash: first.body.data.hold_hash,
			expires_at: first.body.data.expires_at,
		});

		// The other account is not affected.
		expect(
			(
				await c.api('POST', '/timeslots/hold', {
					token: otherToken,
					body: { course_id: 1, date: slot.date, time: slot.time },
				})
			).status,
		).toBe(201);
		// Another account cannot release it.
		expect(
			(await c.api('DELETE', `/timeslots/hold/${first.body.data.hold_hash}`, { token: otherToken }))
				.status,
		).toBe(404);

		const released = await c.api('DELETE', `/timeslots/hold/${first.body.data.hold_hash}`, {
			token,
		});
		expect(released.status).toBe(200);
		expect(released.body.message).toEqual(expect.any(String));
		expect(
			(await c.api('DELETE', `/timeslots/hold/${first.body.data.hold_hash}`, { token })).status,
		).toBe(404);
		expect(
			(
				await c.api('POST', '/timeslots/hold', {
					token,
					body: { course_id: 2, date: slot.date, time: slot.time },
				})
			).status,
		).toBe(201);
	});

	it('fills slots as they are booked and refuses a full or unoffered slot', async () => {
		sandbox.configure({ slotCapacity: 1 });
		try {
			const slot = await firstSlot(c, token, 2);
			expect(slot.spaces_available).toBe(1);
			const hold = await c.api('POST', '/timeslots/hold', {
				token,
				body: { course_id: 2, date: slot.date, time: slot.time },
			});
			expect(hold.status).toBe(201);
			const listed = await c.api('GET', `/timeslots?course_id=2&date=${slot.date}`, { token });
			expect(listed.body.data.map((s: { time: string }) => s.time)).not.toContain(slot.time);
			const full = await c.api('POST', '/timeslots/hold', {
				token: otherToken,
				body: { course_id: 2, date: slot.date, time: slot.time },
			});
			expect(full.status).toBe(422);
			expect(full.body.errors.time).toBeDefined();
			expect(
				(await c.api('DELETE', `/timeslots/hold/${hold.body.data.hold_hash}`, { token })).status,
			).toBe(200);
		} finally {
			sandbox.configure({ slotCapacity: 4 });
		}
		const saturday = (() => {
			const d = new Date(Date.now() + 7 * 86_400_000);
			d.setUTCDate(d.getUTCDate() + ((6 - d.getUTCDay() + 7) % 7));
			return d.toISOString().slice(0, 10);
		})();
		const weekend = await c.api('POST', '/timeslots/hold', {
			token,
			body: { course_id: 1, date: saturday, time: '10:00' },
		});
		expect(weekend.status).toBe(422);
		expect(weekend.body.errors.time).toBeDefined();
	});

	it('expires holds after holdTtlSeconds, freeing the place', async () => {
		sandbox.configure({ holdTtlSeconds: 1 });
		try {
			const slot = await firstSlot(c, token, 1);
			const hold = await c.api('POST', '/timeslots/hold', {
				token,
				body: { course_id: 1, date: slot.date, time: slot.time },
			});
			expect(Date.parse(hold.body.data.expires_at) - Date.now()).toBeLessThanOrEqual(1000);
			await sleep(1050);
			expect(sandbox.state().accounts[0].activeHold).toBeNull();
			const late = await c.api('POST', '/bookings', {
				token,
				body: { hold_hash: hold.body.data.hold_hash, ...candidate, pay_option: 'credits' },
			});
			expect(late.status).toBe(422);
			expect(late.body.errors.hold_hash).toBeDefined();
			expect((await firstSlot(c, token, 1)).spaces_available).toBe(slot.spaces_available);
			// The control surface ends holds at once.
			await c.api('POST', '/timeslots/hold', {
				token,
				body: { course_id: 1, date: slot.date, time: slot.time },
			});
			expect((await c.control('POST', '/holds/expire')).body.expired).toBe(1);
			expect(sandbox.state().accounts[0].activeHold).toBeNull();
		} finally {
			sandbox.configure({ holdTtlSeconds: 1800 });
		}
	});

	it('validates timeslot queries and hold bodies with per-field 422s', async () => {
		const missing = await c.api('GET', '/timeslots', { token });
		expect(missing.status).toBe(422);
		expect(missing.body.errors.course_id).toBeDefined();
		const unknownCourse = await c.api('GET', '/timeslots?course_id=99', { token });
		expect(unknownCourse.body.errors.course_id).toBeDefined();
		const months = await c.api('GET', '/timeslots?course_id=1&months_ahead=7', { token });
		expect(months.body.errors.months_ahead).toBeDefined();
		const hold = await c.api('POST', '/timeslots/hold', {
			token,
			body: { course_id: 1, date: '2026-02-30', time: '9am' },
		});
		expect(hold.status).toBe(422);
		expect(Object.keys(hold.body.errors).sort()).toEqual(['date', 'time']);
	});

	it('answers 422 per field for an invalid booking, keeping the hold', async () => {
		const slot = await firstSlot(c, token, 1);
		const hold = await c.api('POST', '/timeslots/hold', {
			token,
			body: { course_id: 1, date: slot.date, time: slot.time },
		});
		const invalid = await c.api('POST', '/bookings', {
			token,
			body: {
				hold_hash: hold.body.data.hold_hash,
				first_name: '',
				email: 'not-an-email',
				pay_option: 'inv',
			},
		});
		expect(invalid.status).toBe(422);
		expect(Object.keys(invalid.body.errors).sort()).toEqual([
			'email',
			'first_name',
			'last_name',
			'pay_option',
		]);
		expect(invalid.body.message).toEqual(expect.stringContaining('(and 3 more errors)'));
		expect(sandbox.state().accounts[0].activeHold?.holdHash).toBe(hold.body.data.hold_hash);
		const unknownHold = await c.api('POST', '/bookings', {
			token,
			body: { hold_hash: 'x'.repeat(32), ...candidate, pay_option: 'credits' },
		});
		expect(unknownHold.status).toBe(422);
		expect(unknownHold.body.errors.hold_hash).toBeDefined();
	});

	it('rejects bad JSON with 400 and a non-object body with 422', async () => {
		const bad = await c.api('POST', '/bookings', { token, body: '{"hold_hash":' });
		expect(bad.status).toBe(400);
		expect(bad.body.message).toMatch(/JSON/);
		const array = await c.api('POST', '/bookings', { token, body: '[1,2]' });
		expect(array.status).toBe(422);
	});
});

describe('pay options', () => {
	it('credits: deducts one credit of the course and records it; 422 when none are left', async () => {
		const before = await credits();
		const { booking } = await book(c, token, 1, 'credits');
		expect(booking.status).toBe(201);
		const after = await credits();
		expect(after.booking_credits[0].credits).toBe(before.booking_credits[0].credits - 1);
		expect(after.booking_money_balance).toBe(before.booking_money_balance);
		const tx = (await transactions()).at(-1);
		expect(tx).toMatchObject({
			type: 'booking',
			credits: -1,
			amount: 0,
			course_id: 1,
			booking_id: booking.body.data.id,
			balance_after: 480,
			currency: 'GBP',
		});

		// Paediatric BLS has no credits on the demo account.
		expect(before.booking_credits[2]).toEqual({
			course_id: 3,
			course_name: 'Paediatric BLS',
			credits: 0,
		});
		const none = await book(c, token, 3, 'credits').then((r) => r.booking);
		expect(none.status).toBe(422);
		expect(none.body.errors.pay_option).toBeDefined();
		expect((await transactions()).at(-1)?.booking_id).toBe(booking.body.data.id);
	});

	it('balance: deducts the course price with balance_after; 422 when short', async () => {
		const { booking } = await book(c, token, 2, 'balance');
		expect(booking.status).toBe(201);
		expect((await credits()).booking_money_balance).toBe(480 - 75);
		expect((await transactions()).at(-1)).toMatchObject({
			type: 'booking',
			amount: -75,
			credits: 0,
			balance_after: 405,
		});

		// The other account holds £20, less than any course.
		const short = (await book(c, otherToken, 1, 'balance')).booking;
		expect(short.status).toBe(422);
		expect(short.body.errors.pay_option[0]).toMatch(/balance/i);
		expect((await credits(otherToken)).booking_money_balance).toBe(20);
	});

	it('invoice: needs invoice payments enabled and enough credit limit', async () => {
		const ok = (await book(c, token, 1, 'invoice')).booking;
		expect(ok.status).toBe(201);
		expect(ok.body.data.status).toBe('booked');
		expect((await transactions()).at(-1)).toMatchObject({
			type: 'booking',
			amount: 0,
			credits: 0,
			booking_id: ok.body.data.id,
		});
		expect(sandbox.state().accounts[0].invoiceOutstanding).toBe(45);

		const disabled = (await book(c, otherToken, 1, 'invoice')).booking;
		expect(disabled.status).toBe(422);
		expect(disabled.body.errors.pay_option[0]).toMatch(/not enabled/);

		sandbox.updateAccount('hb_demo_agency', { creditLimit: 80 });
		const overLimit = (await book(c, token, 1, 'invoice')).booking;
		expect(overLimit.status).toBe(422);
		expect(overLimit.body.errors.pay_option[0]).toMatch(/credit limit/);
	});

	it('candidate_pays: pending with no wallet change until paid, then booked', async () => {
		const before = await transactions();
		const pending = (await book(c, token, 3, 'candidate_pays')).booking;
		expect(pending.status).toBe(201);
		expect(pending.body.data.status).toBe('pending');
		expect(await transactions()).toHaveLength(before.length);
		const paid = await c.control('POST', `/bookings/${pending.body.data.id}/pay`);
		expect(paid.body.data.status).toBe('booked');
		expect(
			(await c.api('GET', `/bookings/${pending.body.data.id}`, { token })).body.data.status,
		).toBe('booked');
	});

	it('cancelling refunds what was deducted', async () => {
		const { booking } = await book(c, token, 2, 'balance');
		const cancelled = sandbox.bookings.cancel(booking.body.data.id);
		expect(cancelled.status).toBe('cancelled');
		expect((await credits()).booking_money_balance).toBe(480);
		expect((await transactions()).at(-1)).toMatchObject({
			type: 'refund',
			amount: 75,
			balance_after: 480,
		});
	});
});

describe('ownership and certificates', () => {
	it("answers 404 for another account's booking and for unknown ids", async () => {
		const others = await c.api('GET', '/bookings', { token: otherToken });
		const otherId = others.body.data[0].id;
		expect((await c.api('GET', `/bookings/${otherId}`, { token })).status).toBe(404);
		expect((await c.api('GET', `/bookings/${otherId}/certificate`, { token })).status).toBe(404);
		expect((await c.api('GET', '/bookings/999999', { token })).status).toBe(404);
		expect((await c.api('GET', '/bookings/abc', { token })).status).toBe(404);
		const mine = await c.api('GET', '/bookings?per_page=100', { token });
		expect(mine.body.data.every((b: { id: number }) => b.id !== otherId)).toBe(true);
	});

	it('serves a valid PDF only when training is completed and equipment is in', async () => {
		const all = (await c.api('GET', '/bookings?per_page=100', { token })).body.data as Array<
			Record<string, any>
		>;
		const ready = all.find((b) => b.training_status === 'completed' && b.equipment_status === 'in');
		const notReturned = all.find(
			(b) => b.training_status === 'completed' && b.equipment_status !== 'in',
		);
		const notCompleted = all.find(
			(b) => b.training_status !== 'completed' && b.equipment_status === 'out',
		);
		expect(ready?.certificate_available).toBe(true);
		expect(notReturned?.certificate_available).toBe(false);

		const pdf = await c.api('GET', `/bookings/${ready?.id}/certificate`, { token });
		expect(pdf.status).toBe(200);
		expect(pdf.headers.get('content-type')).toBe('application/pdf');
		expect(pdf.headers.get('content-disposition')).toBe(
			`attachment; filename="BLS-Certificate-${ready?.reference}.pdf"`,
		);
		assertValidPdf(pdf.raw);
		const text = pdf.raw.toString('latin1');
		for (const part of [
			`${ready?.first_name} ${ready?.last_name}`,
			ready?.course_name,
			`Training date: ${ready?.date}`,
			`Reference: ${ready?.reference}`,
		]) {
			expect(text).toContain(`(${part})`);
		}

		const missingEquipment = await c.api('GET', `/bookings/${notReturned?.id}/certificate`, {
			token,
		});
		expect(missingEquipment.status).toBe(422);
		expect(missingEquipment.body.message).toMatch(/equipment/i);
		expect(missingEquipment.body.message).not.toMatch(/training is not completed/i);
		const missingTraining = await c.api('GET', `/bookings/${notCompleted?.id}/certificate`, {
			token,
		});
		expect(missingTraining.status).toBe(422);
		expect(missingTraining.body.message).toMatch(/training/i);
		expect(Object.keys(missingTraining.body.errors).sort()).toEqual([
			'equipment_status',
			'training_status',
		]);
	});

	it('makes the certificate available once completed and equipment returned, in either order', async () => {
		const { booking } = await book(c, token, 1, 'credits');
		const id = booking.body.data.id;
		sandbox.bookings.equipment(id, 'out');
		sandbox.bookings.attendance(id, true);
		expect((await c.api('GET', `/bookings/${id}/certificate`, { token })).status).toBe(422);
		sandbox.bookings.complete(id);
		expect((await c.api('GET', `/bookings/${id}/certificate`, { token })).status).toBe(422);
		sandbox.bookings.equipment(id, 'in');
		const pdf = await c.api('GET', `/bookings/${id}/certificate`, { token });
		expect(pdf.status).toBe(200);
		assertValidPdf(pdf.raw);
	});
});

/** Header, trailer, and every xref offset pointing at its `N 0 obj`. */
function assertValidPdf(pdf: Buffer): void {
	const text = pdf.toString('latin1');
	expect(text.startsWith('%PDF-1.4\n')).toBe(true);
	expect(text.endsWith('%%EOF')).toBe(true);
	const startxref = Number(/startxref\n(\d+)\n%%EOF$/.exec(text)?.[1]);
	expect(text.slice(startxref, startxref + 4)).toBe('xref');
	const [, first, count] = /^xref\n(\d+) (\d+)\n/.exec(text.slice(startxref)) ?? [];
	expect(Number(first)).toBe(0);
	const entries = text
		.slice(startxref)
		.split('\n')
		.slice(2, 2 + Number(count));
	expect(entries[0]).toBe('0000000000 65535 f ');
	entries.slice(1).forEach((entry, index) => {
		expect(entry).toMatch(/^\d{10} 00000 n $/);
		const offset = Number(entry.slice(0, 10));
		expect(text.slice(offset, offset + `${index + 1} 0 obj`.length)).toBe(`${index + 1} 0 obj`);
	});
	const length = Number(/\/Length (\d+) >>\nstream\n/.exec(text)?.[1]);
	const streamStart = text.indexOf('stream\n') + 'stream\n'.length;
	expect(text.slice(streamStart + length, streamStart + length + '\nendstream'.length)).toBe(
		'\nendstream',
	);
	expect(/\/Size (\d+)/.exec(text)?.[1]).toBe(count);
}

describe('lists', () => {
	it('paginates with meta and absolute links, clamps per_page and returns [] past the end', async () => {
		await sandbox.reset({ bookings: 45 });
		token = await c.token(0);
		const page1 = await c.api('GET', '/bookings?per_page=20&status=', { token });
		expect(page1.body.meta).toEqual({ current_page: 1, per_page: 20, last_page: 3, total: 45 });
		expect(page1.body.links.prev).toBeNull();
		const next = new URL(page1.body.links.next);
		expect(next.origin).toBe(sandbox.origin);
		expect(next.pathname).toBe('/api/v1/bookings');
		expect(next.searchParams.get('page')).toBe('2');
		expect(next.searchParams.get('per_page')).toBe('20');

		const last = await c.api('GET', '/bookings?per_page=20&page=3', { token });
		expect(last.body.data).toHaveLength(5);
		expect(last.body.links.next).toBeNull();
		expect(new URL(last.body.links.prev).searchParams.get('page')).toBe('2');

		const past = await c.api('GET', '/bookings?per_page=20&page=4', { token });
		expect(past.body.data).toEqual([]);
		expect(past.body.meta.current_page).toBe(4);

		const clamped = await c.api('GET', '/bookings?per_page=500', { token });
		expect(clamped.body.meta.per_page).toBe(100);
		expect(clamped.body.data).toHaveLength(45);
		const ids = clamped.body.data.map((b: { id: number }) => b.id);
		expect(ids).toEqual([...ids].sort((a, b) => a - b));

		// Every page together is the whole list, in order.
		const pages = await Promise.all(
			[1, 2, 3].map((p) => c.api('GET', `/bookings?per_page=20&page=${p}`, { token })),
		);
		expect(pages.flatMap((p) => p.body.data.map((b: { id: number }) => b.id))).toEqual(ids);
	});

	it('uses the Host of the request in links', async () => {
		const url = new URL(`${sandbox.apiUrl}/courses?per_page=1`);
		url.hostname = 'localhost';
		const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
		const body = (await response.json()) as {
			links: { next: string };
			meta: Record<string, number>;
		};
		expect(body.links.next).toBe(
			`http://localhost:${sandbox.port}/api/v1/courses?per_page=1&page=2`,
		);
		expect(body.meta).toEqual({ current_page: 1, per_page: 1, last_page: 3, total: 3 });
	});

	it('filters bookings', async () => {
		const all = (await c.api('GET', '/bookings?per_page=100', { token })).body.data as Array<
			Record<string, any>
		>;
		const byStatus = await c.api('GET', '/bookings?status=pending&per_page=100', { token });
		expect(byStatus.body.data.length).toBe(all.filter((b) => b.status === 'pending').length);
		expect(byStatus.body.data.length).toBeGreaterThan(0);
		const target = all[3];
		const byEmail = await c.api(
			'GET',
			`/bookings?email=${encodeURIComponent(target.email.toUpperCase())}`,
			{ token },
		);
		expect(byEmail.body.data.map((b: { id: number }) => b.id)).toContain(target.id);
		const byRef = await c.api('GET', `/bookings?search=${target.reference.toLowerCase()}`, {
			token,
		});
		expect(byRef.body.data.map((b: { id: number }) => b.id)).toEqual([target.id]);
		const range = await c.api(
			'GET',
			`/bookings?date_from=${target.date}&date_to=${target.date}&per_page=100`,
			{ token },
		);
		expect(range.body.data.every((b: { date: string }) => b.date === target.date)).toBe(true);
		const cert = await c.api(
			'GET',
			'/bookings?training_status=completed&equipment_status=in&per_page=100',
			{ token },
		);
		expect(
			cert.body.data.every((b: { certificate_available: boolean }) => b.certificate_available),
		).toBe(true);
		expect((await c.api('GET', '/bookings?status=done', { token })).status).toBe(422);
	});

	it('lists courses, credits, transactions and the booking URL in the documented shapes', async () => {
		const courses = await c.api('GET', '/courses', { token });
		expect(courses.body.data.map((x: { name: string }) => x.name)).toEqual([
			'BLS Practical',
			'BLS Theory + Practical',
			'Paediatric BLS',
		]);
		expect(courses.body.data[0]).toEqual({
			id: 1,
			name: 'BLS Practical',
			description: expect.any(String),
			price: 45,
			currency: 'GBP',
			duration_minutes: 60,
			active: true,
		});
		expect(await credits()).toEqual({
			booking_credits: [
				{ course_id: 1, course_name: 'BLS Practical', credits: 12 },
				{ course_id: 2, course_name: 'BLS Theory + Practical', credits: 5 },
				{ course_id: 3, course_name: 'Paediatric BLS', credits: 0 },
			],
			booking_money_balance: 480,
			currency: 'GBP',
		});
		const txs = await transactions();
		// The seeded ledger is consistent: balance_after is the running sum and ends at the balance.
		let running = 0;
		for (const tx of txs) {
			running = Math.round((running + tx.amount) * 100) / 100;
			expect(tx.balance_after).toBe(running);
		}
		expect(running).toBe(480);
		const url = await c.api('GET', '/booking-url', { token });
		expect(url.body.data.booking_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/book\/[\w-]+$/);
		expect((await fetch(url.body.data.booking_url)).status).toBe(200);
	});

	it('seeds deterministically', async () => {
		sandbox.reset({ seed: 7, bookings: 30 });
		token = await c.token(0);
		const first = (await c.api('GET', '/bookings?per_page=100', { token })).body.data;
		sandbox.reset({ seed: 7, bookings: 30 });
		token = await c.token(0);
		const second = (await c.api('GET', '/bookings?per_page=100', { token })).body.data;
		expect(second).toEqual(first);
		sandbox.reset({ seed: 1, bookings: 25 });
	});
});
