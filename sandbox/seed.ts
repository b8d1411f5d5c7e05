/** Deterministic seed data: the same seed and day always give the same accounts, bookings and ledger. */
import type { SeedOptions } from './options';
import { addDays, isoDate, isWeekday, parseDate } from './time';
import type {
	Account,
	Booking,
	BookingStatus,
	Course,
	EquipmentStatus,
	PayOption,
	TrainingStatus,
	Transaction,
} from './types';

export const SLOT_TIMES = ['09:00', '10:00', '11:00', '13:00', '14:00', '15:00'] as const;
const DAY_MS = 86_400_000;

export interface SeedData {
	courses: Course[];
	accounts: Account[];
	bookings: Booking[];
	transactions: Transaction[];
}

/** Credentials of the seeded accounts; sandbox-only values, printed at start. */
export const DEMO_ACCOUNTS = [
	{
		hbClientId: 'hb_demo_agency',
		apiKey: 'sandbox-key-demo-agency-1',
		name: 'Demo Care Agency Ltd',
	},
	{ hbClientId: 'hb_demo_other', apiKey: 'sandbox-key-demo-other-2', name: 'Other Staffing Co' },
] as const;

function courses(): Course[] {
	return [
		{
			id: 1,
			name: 'BLS Practical',
			description:
				'Remote practical Basic Life Support session with a training kit (mannequin, AED trainer).',
			pricePence: 4500,
			durationMinutes: 60,
		},
		{
			id: 2,
			name: 'BLS Theory + Practical',
			description: 'Basic Life Support theory followed by the remote practical assessment.',
			pricePence: 7500,
			durationMinutes: 180,
		},
		{
			id: 3,
			name: 'Paediatric BLS',
			description:
				'Basic Life Support for infants and children, remote practical with a paediatric kit.',
			pricePence: 6000,
			durationMinutes: 120,
		},
	];
}

/** mulberry32: small, fast and good enough for test data. */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

const FIRST_NAMES = [
	'Amelia',
	'Oliver',
	'Isla',
	'George',
	'Ava',
	'Noah',
	'Mia',
	'Arthur',
	'Grace',
	'Leo',
	'Freya',
	'Oscar',
	'Priya',
	'Mohammed',
	'Chloe',
	'Jack',
	'Sophie',
	'Kwame',
	'Ella',
	'Tomasz',
	'Aisha',
	'Harry',
	'Niamh',
	'Ravi',
];
const LAST_NAMES = [
	'Smith',
	'Jones',
	'Taylor',
	'Brown',
	'Williams',
	'Wilson',
	'Johnson',
	'Davies',
	'Patel',
	'Khan',
	'Evans',
	'Thomas',
	'Roberts',
	'Walker',
	'Wright',
	'Okafor',
	'Nowak',
	'Hughes',
	'Green',
	'Clarke',
	'Murphy',
	'Ahmed',
];
const JOB_ROLES = [
	'Registered Nurse',
	'Healthcare Assistant',
	'Support Worker',
	'Care Assistant',
	'Midwife',
	'Paramedic',
];
const PLACES = [
	['Manchester', 'M1 1AA'],
	['Leeds', 'LS1 4AP'],
	['Birmingham', 'B1 1BB'],
	['Bristol', 'BS1 5TR'],
	['Liverpool', 'L1 8JQ'],
	['Nottingham', 'NG1 5FS'],
] as const;
const STREETS = [
	'Acme Street',
	'High Street',
	'Station Road',
	'Church Lane',
	'Victoria Road',
	'Mill Lane',
];

interface Profile {
	past: boolean;
	status: BookingStatus;
	training: TrainingStatus;
	equipment: EquipmentStatus;
}

/** Cycled so every status combination appears once there are ten bookings; the first has a certificate. */
const PROFILES: Profile[] = [
	{ past: true, status: 'booked', training: 'completed', equipment: 'in' },
	{ past: true, status: 'booked', training: 'completed', equipment: 'out' },
	{ past: false, status: 'booked', training: 'scheduled', equipment: 'not_sent' },
	{ past: true, status: 'booked', training: 'attended', equipment: 'out' },
	{ past: false, status: 'pending', training: 'scheduled', equipment: 'not_sent' },
	{ past: true, status: 'booked', training: 'no_show', equipment: 'late' },
	{ past: true, status: 'cancelled', training: 'scheduled', equipment: 'not_sent' },
	{ past: false, status: 'booked', training: 'scheduled', equipment: 'out' },
	{ past: true, status: 'booked', training: 'completed', equipment: 'late' },
	{ past: true, status: 'booked', training: 'completed', equipment: 'in' },
];

interface AccountPlan {
	account: Account;
	contact: [string, string, string];
	bookings: number;
	/** Credits and balance the ledger must end with. */
	finalCredits: Record<number, number>;
	finalBalancePence: number;
	payOptions: PayOption[];
}

class Seeder {
	private readonly random: () => number;
	private readonly todayMs: number;
	private readonly taken = new Map<string, number>();
	private nextBookingId = 1;
	readonly bookings: Booking[] = [];
	readonly transactions: Omit<Transaction, 'id'>[] = [];

	constructor(
		options: SeedOptions,
		private readonly courseList: Course[],
		private readonly slotCapacity: number,
	) {
		this.random = prng(options.seed);
		this.todayMs = parseDate(options.today ?? isoDate(Date.now())) ?? 0;
	}

	private pick<T>(list: readonly T[]): T {
		return list[Math.floor(this.random() * list.length)];
	}

	private int(min: number, max: number): number {
		return min + Math.floor(this.random() * (max - min + 1));
	}

	/** A weekday between `fromDays` and `toDays` from today. */
	private weekday(fromDays: number, toDays: number): string {
		const today = isoDate(this.todayMs);
		for (;;) {
			const date = addDays(today, this.int(fromDays, toDays));
			if (isWeekday(date)) return date;
		}
	}

	/** A future slot with a free place, so seeded bookings respect trainer capacity. */
	private freeSlot(courseId: number): [string, string] {
		for (;;) {
			const date = this.weekday(1, 30);
			const time = this.pick(SLOT_TIMES);
			const key = `${courseId}|${date}|${time}`;
			const count = this.taken.get(key) ?? 0;
			if (count < this.slotCapacity) {
				this.taken.set(key, count + 1);
				return [date, time];
			}
		}
	}

	plan(plan: AccountPlan): void {
		const { account } = plan;
		const start = this.todayMs - 120 * DAY_MS;
		for (let i = 0; i < plan.bookings; i++) {
			const profile = PROFILES[i % PROFILES.length];
			const course = this.pick(this.courseList);
			// Creation times increase with the id, the way a real table fills up.
			const createdAt =
				start + Math.round(((i + 1) * 110 * DAY_MS) / (plan.bookings + 1)) + this.int(0, 3_600_000);
			let date: string;
			let time: string;
			if (profile.past) {
				const createdDay = Math.floor((createdAt - this.todayMs) / DAY_MS);
				date = this.weekday(Math.min(createdDay + 2, -1), -1);
				time = this.pick(SLOT_TIMES);
			} else {
				[date, time] = this.freeSlot(course.id);
			}
			const payOption: PayOption =
				profile.status === 'pending' ? 'candidate_pays' : this.pick(plan.payOptions);
			const first = this.pick(FIRST_NAMES);
			const last = this.pick(LAST_NAMES);
			const [city, postcode] = this.pick(PLACES);
			const booking: Booking = {
				id: this.nextBookingId++,
				accountId: account.id,
				status: profile.status,
				courseId: course.id,
				date,
				time,
				details: {
					first_name: first,
					last_name: last,
					email: `${first}.${last}${this.int(1, 99)}@example.com`.toLowerCase(),
					phone: `+447700900${String(this.int(0, 999)).padStart(3, '0')}`,
					address: `${this.int(1, 180)} ${this.pick(STREETS)}`,
					city,
					postcode,
					job_role: this.pick(JOB_ROLES),
					agency_contact_name: plan.contact[0],
					agency_contact_email: plan.contact[1],
					agency_email: plan.contact[2],
				},
				payOption,
				trainingStatus: profile.training,
				equipmentStatus: profile.equipment,
				createdAt,
				// Past training was last changed by staff a few days after the training date.
				updatedAt: profile.past
					? (parseDate(date) ?? createdAt) + this.int(1, 4) * DAY_MS
					: createdAt + this.int(0, 5) * DAY_MS,
			};
			if (booking.updatedAt > this.todayMs)
				booking.updatedAt = Math.max(createdAt, this.todayMs - DAY_MS);
			this.bookings.push(booking);
		}
		this.ledger(plan, start);
	}

	/** Wallet history consistent with the seeded bookings and the final credits and balance. */
	private ledger(plan: AccountPlan, start: number): void {
		const { account } = plan;
		const entries: Omit<Transaction, 'id' | 'balanceAfterPence'>[] = [];
		const usedCredits = new Map<number, number>();
		for (const booking of this.bookings.filter((b) => b.accountId === account.id)) {
			const course = this.courseList[booking.courseId - 1];
			const label = `${course.name} booking BLS-${String(booking.id).padStart(6, '0')}`;
			const base = {
				accountId: account.id,
				courseId: course.id,
				bookingId: booking.id,
				credits: 0,
				amountPence: 0,
			};
			const charge = { ...base, type: 'booking' as const, createdAt: booking.createdAt };
			const refund = { ...base, type: 'refund' as const, createdAt: booking.updatedAt + 60_000 };
			const cancelled = booking.status === 'cancelled';
			if (booking.payOption === 'credits') {
				entries.push({ ...charge, credits: -1, description: `${label} (1 credit)` });
				if (cancelled)
					entries.push({
						...refund,
						credits: 1,
						description: `Refund: ${label} cancelled (1 credit)`,
					});
				else usedCredits.set(course.id, (usedCredits.get(course.id) ?? 0) + 1);
			} else if (booking.payOption === 'balance') {
				entries.push({
					...charge,
					amountPence: -course.pricePence,
					description: `${label} (balance)`,
				});
				if (cancelled) {
					entries.push({
						...refund,
						amountPence: course.pricePence,
						description: `Refund: ${label} cancelled`,
					});
				}
			} else if (booking.payOption === 'invoice') {
				entries.push({
					...charge,
					description: `${label} (invoiced £${(course.pricePence / 100).toFixed(2)})`,
				});
			}
		}
		for (const course of this.courseList) {
			const credits = (plan.finalCredits[course.id] ?? 0) + (usedCredits.get(course.id) ?? 0);
			if (credits === 0) continue;
			entries.push({
				accountId: account.id,
				type: 'credit_purchase',
				description: `${credits} × ${course.name} credits`,
				amountPence: -Math.round(credits * course.pricePence * 0.9),
				credits,
				courseId: course.id,
				bookingId: null,
				createdAt: start + DAY_MS + course.id * 60_000,
			});
		}
		const spent = entries.reduce((sum, e) => sum + e.amountPence, 0);
		entries.push({
			accountId: account.id,
			type: 'top_up',
			description: 'Balance top-up (bank transfer)',
			amountPence: plan.finalBalancePence - spent,
			credits: 0,
			courseId: null,
			bookingId: null,
			createdAt: start,
		});
		entries.sort((a, b) => a.createdAt - b.createdAt);
		let balance = 0;
		for (const entry of entries) {
			balance += entry.amountPence;
			this.transactions.push({ ...entry, balanceAfterPence: balance });
		}
	}
}

export function seed(options: SeedOptions, slotCapacity: number): SeedData {
	const courseList = courses();
	const [demo, other] = DEMO_ACCOUNTS;
	const agency: Account = {
		id: 1,
		...demo,
		bookingSlug: 'demo-care-agency',
		credits: new Map([
			[1, 12],
			[2, 5],
			[3, 0],
		]),
		balancePence: 48_000,
		invoicePayments: true,
		creditLimitPence: 50_000,
		invoiceOutstandingPence: 0,
	};
	const otherAccount: Account = {
		id: 2,
		...other,
		bookingSlug: 'other-staffing-co',
		credits: new Map([
			[1, 2],
			[2, 0],
			[3, 1],
		]),
		balancePence: 2_000,
		invoicePayments: false,
		creditLimitPence: 0,
		invoiceOutstandingPence: 0,
	};
	const seeder = new Seeder(options, courseList, slotCapacity);
	seeder.plan({
		account: agency,
		contact: ['Priya Shah', 'priya.shah@demo-care.example', 'invoices@demo-care.example'],
		bookings: options.bookings,
		finalCredits: { 1: 12, 2: 5, 3: 0 },
		finalBalancePence: agency.balancePence,
		payOptions: ['credits', 'credits', 'balance', 'invoice', 'candidate_pays'],
	});
	seeder.plan({
		account: otherAccount,
		contact: ['Sam Carter', 'sam.carter@other-staffing.example', 'accounts@other-staffing.example'],
		bookings: 3,
		finalCredits: { 1: 2, 2: 0, 3: 1 },
		finalBalancePence: otherAccount.balancePence,
		payOptions: ['credits'],
	});
	const transactions = [...seeder.transactions]
		.sort((a, b) => a.createdAt - b.createdAt)
		.map((t, index) => ({ ...t, id: index + 1 }));
	return {
		courses: courseList,
		accounts: [agency, otherAccount],
		bookings: seeder.bookings,
		transactions,
	};
}
