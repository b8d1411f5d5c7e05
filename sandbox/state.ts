/** The simulated portal: accounts, timeslots, holds, bookings, wallet and webhook endpoints. */
import { randomBytes } from 'node:crypto';

import { HttpError, fieldError, notFound } from './errors';
import type { RuntimeConfig, SeedOptions } from './options';
import { SLOT_TIMES, seed } from './seed';
import { addDays, addMonths, isoDate, isoTime, isWeekday, parseDate } from './time';
import type {
	Account,
	Booking,
	CandidateDetails,
	Course,
	DomainEvent,
	EquipmentStatus,
	Hold,
	PayOption,
	Transaction,
	WebhookEndpoint,
} from './types';

/** Timeslots are offered up to this many months ahead. */
export const MAX_MONTHS_AHEAD = 6;

export interface Slot {
	date: string;
	time: string;
	spacesAvailable: number;
}

export const pounds = (pence: number): number => pence / 100;
const money = (pence: number): string => `£${(pence / 100).toFixed(2)}`;
export const bookingReference = (id: number): string => `BLS-${String(id).padStart(6, '0')}`;

/** 32 alphanumerics, like the documented hold hash. */
function holdHash(): string {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	return Array.from(randomBytes(32), (byte) => alphabet[byte % alphabet.length]).join('');
}

export class PortalState {
	readonly courses: Course[];
	readonly accounts: Account[];
	readonly bookings: Booking[];
	readonly transactions: Transaction[];
	readonly webhooks: WebhookEndpoint[] = [];
	/** account id → its one hold */
	private readonly holds = new Map<number, Hold>();
	private nextBookingId: number;
	private nextTransactionId: number;
	nextWebhookId = 1;

	constructor(
		readonly seedOptions: SeedOptions,
		private readonly config: () => RuntimeConfig,
		private readonly emit: (event: DomainEvent) => void,
	) {
		const data = seed(seedOptions, config().slotCapacity);
		this.courses = data.courses;
		this.accounts = data.accounts;
		this.bookings = data.bookings;
		this.transactions = data.transactions;
		this.nextBookingId = this.bookings.length + 1;
		this.nextTransactionId = this.transactions.length + 1;
	}

	today(): string {
		return this.seedOptions.today ?? isoDate(Date.now());
	}

	course(id: number): Course | undefined {
		return this.courses.find((c) => c.id === id);
	}

	accountByClientId(hbClientId: string): Account | undefined {
		return this.accounts.find((a) => a.hbClientId === hbClientId);
	}

	/** The booking if it exists and belongs to the account (documented: 404 otherwise). */
	ownedBooking(accountId: number, id: number): Booking {
		const booking = this.bookings.find((b) => b.id === id);
		if (!booking || booking.accountId !== accountId) throw notFound('Booking');
		return booking;
	}

	booking(id: number): Booking {
		const booking = this.bookings.find((b) => b.id === id);
		if (!booking) throw notFound('Booking');
		return booking;
	}

	// ---- Timeslots ----------------------------------------------------------------------

	/** Places taken per `course|date|time` by live bookings and unexpired holds. */
	private takenPlaces(excludeBookingId?: number): Map<string, number> {
		const taken = new Map<string, number>();
		const add = (key: string) => taken.set(key, (taken.get(key) ?? 0) + 1);
		for (const b of this.bookings) {
			if (b.status !== 'cancelled' && b.id !== excludeBookingId)
				add(`${b.courseId}|${b.date}|${b.time}`);
		}
		for (const hold of this.activeHolds()) add(`${hold.courseId}|${hold.date}|${hold.time}`);
		return taken;
	}

	/** Offered slots: weekdays from tomorrow up to MAX_MONTHS_AHEAD months, at the fixed trainer times. */
	isOffered(date: string, time: string): boolean {
		const today = this.today();
		return (
			parseDate(date) !== undefined &&
			date > today &&
			date <= addMonths(today, MAX_MONTHS_AHEAD) &&
			isWeekday(date) &&
			(SLOT_TIMES as readonly string[]).includes(time)
		);
	}

	/** Slots with at least one place, from `from` to `to` inclusive, in date/time order. */
	slots(courseId: number, from: string, to: string, excludeBookingId?: number): Slot[] {
		const taken = this.takenPlaces(excludeBookingId);
		const capacity = this.config().slotCapacity;
		const slots: Slot[] = [];
		for (let date = from; date <= to; date = addDays(date, 1)) {
			for (const time of SLOT_TIMES) {
				if (!this.isOffered(date, time)) continue;
				const spaces = capacity - (taken.get(`${courseId}|${date}|${time}`) ?? 0);
				if (spaces > 0) slots.push({ date, time, spacesAvailable: spaces });
			}
		}
		return slots;
	}

	/** 422 on `time` unless the slot is offered and has a free place. */
	private assertBookable(
		courseId: number,
		date: string,
		time: string,
		excludeBookingId?: number,
	): void {
		if (!this.isOffered(date, time))
			throw fieldError('time', 'The selected timeslot is not offered.');
		if (this.slots(courseId, date, date, excludeBookingId).every((s) => s.time !== time)) {
			throw fieldError('time', 'The selected timeslot is fully booked.');
		}
	}

	// ---- Holds --------------------------------------------------------------------------

	private activeHolds(): Hold[] {
		const now = Date.now();
		for (const [accountId, hold] of this.holds)
			if (hold.expiresAt <= now) this.holds.delete(accountId);
		return [...this.holds.values()];
	}

	activeHold(accountId: number): Hold | undefined {
		return this.activeHolds().find((h) => h.accountId === accountId);
	}

	createHold(account: Account, courseId: number, date: string, time: string): Hold {
		const existing = this.activeHold(account.id);
		if (existing) {
			throw new HttpError(409, 'An active timeslot hold already exists for this account.', {
				fields: { hold_hash: existing.hash, expires_at: isoTime(existing.expiresAt) },
			});
		}
		this.assertBookable(courseId, date, time);
		const hold: Hold = {
			hash: holdHash(),
			accountId: account.id,
			courseId,
			date,
			time,
			expiresAt: Date.now() + this.config().holdTtlSeconds * 1000,
		};
		this.holds.set(account.id, hold);
		return hold;
	}

	releaseHold(accountId: number, hash: string): void {
		const hold = this.activeHold(accountId);
		if (!hold || hold.hash !== hash) throw notFound('Hold');
		this.holds.delete(accountId);
	}

	expireHolds(): number {
		const count = this.holds.size;
		this.holds.clear();
		return count;
	}

	// ---- Wallet -------------------------------------------------------------------------

	private record(
		account: Account,
		booking: Booking,
		type: 'booking' | 'refund',
		change: { amountPence?: number; credits?: number },
		description: string,
	): void {
		this.transactions.push({
			id: this.nextTransactionId++,
			accountId: account.id,
			type,
			description,
			amountPence: change.amountPence ?? 0,
			credits: change.credits ?? 0,
			courseId: booking.courseId,
			bookingId: booking.id,
			balanceAfterPence: account.balancePence,
			createdAt: Date.now(),
		});
	}

	/** 422 on `pay_option` when the account cannot pay that way. */
	private assertCanPay(account: Account, course: Course, payOption: PayOption): void {
		if (payOption === 'credits' && (account.credits.get(course.id) ?? 0) < 1) {
			throw fieldError('pay_option', `No booking credits left for ${course.name}.`);
		}
		if (payOption === 'balance' && account.balancePence < course.pricePence) {
			throw fieldError(
				'pay_option',
				`Insufficient booking money balance: ${money(course.pricePence)} needed, ${money(account.balancePence)} available.`,
			);
		}
		if (payOption === 'invoice') {
			if (!account.invoicePayments) {
				throw fieldError('pay_option', 'Invoice payments are not enabled for this account.');
			}
			const available = account.creditLimitPence - account.invoiceOutstandingPence;
			if (available < course.pricePence) {
				throw fieldError(
					'pay_option',
					`Insufficient invoice credit limit: ${money(course.pricePence)} needed, ${money(Math.max(0, available))} available.`,
				);
			}
		}
	}

	private charge(account: Account, course: Course, booking: Booking): void {
		const label = `${course.name} booking ${bookingReference(booking.id)}`;
		switch (booking.payOption) {
			case 'credits':
				account.credits.set(course.id, (account.credits.get(course.id) ?? 0) - 1);
				return this.record(account, booking, 'booking', { credits: -1 }, `${label} (1 credit)`);
			case 'balance':
				account.balancePence -= course.pricePence;
				return this.record(
					account,
					booking,
					'booking',
					{ amountPence: -course.pricePence },
					`${label} (balance)`,
				);
			case 'invoice':
				account.invoiceOutstandingPence += course.pricePence;
				return this.record(
					account,
					booking,
					'booking',
					{},
					`${label} (invoiced ${money(course.pricePence)})`,
				);
			case 'candidate_pays':
				return; // paid by the candidate through Stripe, not from the wallet
		}
	}

	private refund(account: Account, course: Course, booking: Booking): void {
		const label = `Refund: ${course.name} booking ${bookingReference(booking.id)} cancelled`;
		switch (booking.payOption) {
			case 'credits':
				account.credits.set(course.id, (account.credits.get(course.id) ?? 0) + 1);
				return this.record(account, booking, 'refund', { credits: 1 }, `${label} (1 credit)`);
			case 'balance':
				account.balancePence += course.pricePence;
				return this.record(account, booking, 'refund', { amountPence: course.pricePence }, label);
			case 'invoice':
				account.invoiceOutstandingPence = Math.max(
					0,
					account.invoiceOutstandingPence - course.pricePence,
				);
				return this.record(account, booking, 'refund', {}, `${label} (invoice credited)`);
			case 'candidate_pays':
				return;
		}
	}

	// ---- Bookings -----------------------------------------------------------------------

	createBooking(
		account: Account,
		hash: string,
		payOption: PayOption,
		details: CandidateDetails,
	): Booking {
		const hold = this.activeHold(account.id);
		if (!hold || hold.hash !== hash) {
			throw fieldError('hold_hash', 'The hold hash is invalid or the hold has expired.');
		}
		const course = this.course(hold.courseId);
		if (!course) throw new HttpError(500, 'Server Error');
		this.assertCanPay(account, course, payOption);
		const now = Date.now();
		const booking: Booking = {
			id: this.nextBookingId++,
			accountId: account.id,
			status: payOption === 'candidate_pays' ? 'pending' : 'booked',
			courseId: course.id,
			date: hold.date,
			time: hold.time,
			details,
			payOption,
			trainingStatus: 'scheduled',
			equipmentStatus: 'not_sent',
			createdAt: now,
			updatedAt: now,
		};
		this.holds.delete(account.id);
		this.bookings.push(booking);
		this.charge(account, course, booking);
		if (booking.status === 'booked') this.fire(booking, 'booking.created');
		return booking;
	}

	private fire(
		booking: Booking,
		type: DomainEvent['type'],
		extra: Record<string, unknown> = {},
	): void {
		this.emit({
			accountId: booking.accountId,
			type,
			data: { ...this.serializeBooking(booking), ...extra },
		});
	}

	private accountOf(booking: Booking): Account {
		const account = this.accounts.find((a) => a.id === booking.accountId);
		if (!account) throw new HttpError(500, 'Server Error');
		return account;
	}

	private courseOf(booking: Booking): Course {
		const course = this.course(booking.courseId);
		if (!course) throw new HttpError(500, 'Server Error');
		return course;
	}

	/** Staff-side changes need a live, paid booking. */
	private liveBooking(id: number): Booking {
		const booking = this.booking(id);
		if (booking.status !== 'booked')
			throw new HttpError(409, `Booking ${id} is ${booking.status}, not booked.`);
		return booking;
	}

	private touch(booking: Booking): void {
		booking.updatedAt = Date.now();
	}

	/** Stripe payment of a candidate_pays booking: pending → booked. */
	pay(id: number): Booking {
		const booking = this.booking(id);
		if (booking.status !== 'pending')
			throw new HttpError(409, `Booking ${id} is ${booking.status}, not pending.`);
		booking.status = 'booked';
		this.touch(booking);
		this.fire(booking, 'booking.created');
		this.fire(booking, 'booking.confirmed');
		return booking;
	}

	reschedule(id: number, date: string, time: string): Booking {
		const booking = this.booking(id);
		if (booking.status === 'cancelled') throw new HttpError(409, `Booking ${id} is cancelled.`);
		if (booking.trainingStatus !== 'scheduled') {
			throw new HttpError(
				409,
				`Booking ${id} training is ${booking.trainingStatus}; only scheduled training moves.`,
			);
		}
		if (booking.date === date && booking.time === time) {
			throw fieldError('time', 'The booking is already at this timeslot.');
		}
		this.assertBookable(booking.courseId, date, time, booking.id);
		const previous = { previous_date: booking.date, previous_time: booking.time };
		booking.date = date;
		booking.time = time;
		this.touch(booking);
		this.fire(booking, 'booking.rescheduled', previous);
		return booking;
	}

	cancel(id: number): Booking {
		const booking = this.booking(id);
		if (booking.status === 'cancelled')
			throw new HttpError(409, `Booking ${id} is already cancelled.`);
		const wasPaid = booking.status === 'booked';
		booking.status = 'cancelled';
		this.touch(booking);
		if (wasPaid) this.refund(this.accountOf(booking), this.courseOf(booking), booking);
		this.fire(booking, 'booking.cancelled');
		return booking;
	}

	markAttendance(id: number, attended: boolean): Booking {
		const booking = this.liveBooking(id);
		if (booking.trainingStatus === 'completed')
			throw new HttpError(409, `Booking ${id} training is completed.`);
		booking.trainingStatus = attended ? 'attended' : 'no_show';
		this.touch(booking);
		this.fire(booking, 'booking.attendance_marked');
		return booking;
	}

	complete(id: number): Booking {
		const booking = this.liveBooking(id);
		if (booking.trainingStatus === 'completed')
			throw new HttpError(409, `Booking ${id} training is already completed.`);
		booking.trainingStatus = 'completed';
		this.touch(booking);
		if (booking.equipmentStatus === 'in') this.fire(booking, 'booking.certificate_available');
		return booking;
	}

	setEquipment(id: number, status: EquipmentStatus): Booking {
		const booking = this.liveBooking(id);
		if (booking.equipmentStatus === status) return booking;
		booking.equipmentStatus = status;
		this.touch(booking);
		if (status === 'late') this.fire(booking, 'booking.equipment_late');
		if (status === 'in' && booking.trainingStatus === 'completed')
			this.fire(booking, 'booking.certificate_available');
		return booking;
	}

	// ---- Serialisation ------------------------------------------------------------------

	serializeBooking(b: Booking): Record<string, unknown> {
		return {
			id: b.id,
			reference: bookingReference(b.id),
			status: b.status,
			course_id: b.courseId,
			course_name: this.course(b.courseId)?.name ?? null,
			date: b.date,
			time: b.time,
			...b.details,
			pay_option: b.payOption,
			training_status: b.trainingStatus,
			equipment_status: b.equipmentStatus,
			certificate_available: b.trainingStatus === 'completed' && b.equipmentStatus === 'in',
			created_at: isoTime(b.createdAt),
			updated_at: isoTime(b.updatedAt),
		};
	}

	serializeCredits(account: Account): Record<string, unknown> {
		return {
			booking_credits: this.courses.map((c) => ({
				course_id: c.id,
				course_name: c.name,
				credits: account.credits.get(c.id) ?? 0,
			})),
			booking_money_balance: pounds(account.balancePence),
			currency: 'GBP',
		};
	}
}
