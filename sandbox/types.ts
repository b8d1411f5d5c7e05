/** Domain model of the simulated BLS Portal. Money is kept in pence so sums stay exact. */

export type BookingStatus = 'booked' | 'pending' | 'cancelled';
export type TrainingStatus = 'scheduled' | 'attended' | 'no_show' | 'completed';
export type EquipmentStatus = 'not_sent' | 'out' | 'in' | 'late';

export const PAY_OPTIONS = ['credits', 'balance', 'invoice', 'candidate_pays'] as const;
export type PayOption = (typeof PAY_OPTIONS)[number];

export const WEBHOOK_EVENTS = [
	'booking.created',
	'booking.confirmed',
	'booking.rescheduled',
	'booking.cancelled',
	'booking.attendance_marked',
	'booking.equipment_late',
	'booking.certificate_available',
	'webhook.test',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENTS)[number];

export interface Course {
	id: number;
	name: string;
	description: string;
	pricePence: number;
	durationMinutes: number;
}

export interface Account {
	id: number;
	hbClientId: string;
	apiKey: string;
	name: string;
	bookingSlug: string;
	/** course id → booking credits */
	credits: Map<number, number>;
	balancePence: number;
	invoicePayments: boolean;
	creditLimitPence: number;
	/** Unpaid invoiced bookings; invoice bookings need it to stay within the credit limit. */
	invoiceOutstandingPence: number;
}

/** Candidate and agency fields exactly as the API names them. */
export interface CandidateDetails {
	first_name: string;
	last_name: string;
	email: string;
	phone: string | null;
	address: string | null;
	city: string | null;
	postcode: string | null;
	job_role: string | null;
	agency_contact_name: string | null;
	agency_contact_email: string | null;
	agency_email: string | null;
}

export interface Booking {
	id: number;
	accountId: number;
	status: BookingStatus;
	courseId: number;
	date: string;
	time: string;
	details: CandidateDetails;
	payOption: PayOption;
	trainingStatus: TrainingStatus;
	equipmentStatus: EquipmentStatus;
	createdAt: number;
	updatedAt: number;
}

export type TransactionType = 'credit_purchase' | 'top_up' | 'booking' | 'refund';

export interface Transaction {
	id: number;
	accountId: number;
	type: TransactionType;
	description: string;
	amountPence: number;
	credits: number;
	courseId: number | null;
	bookingId: number | null;
	balanceAfterPence: number;
	createdAt: number;
}

export interface Hold {
	hash: string;
	accountId: number;
	courseId: number;
	date: string;
	time: string;
	expiresAt: number;
}

export interface WebhookEndpoint {
	id: number;
	accountId: number;
	name: string | null;
	url: string;
	events: WebhookEventType[];
	isActive: boolean;
	timeoutSeconds: number;
	maxRetries: number;
	secret: string;
	failureCount: number;
	lastCalledAt: number | null;
	lastFailedAt: number | null;
	createdAt: number;
	updatedAt: number;
}

/** A state change that fires a webhook event for one account. */
export interface DomainEvent {
	accountId: number;
	type: WebhookEventType;
	data: Record<string, unknown>;
	/** Only this endpoint (webhook.test); otherwise every active subscribed endpoint. */
	endpointId?: number;
}
