import type { INodePropertyOptions } from 'n8n-workflow';

/**
 * Every event a BLS Portal webhook endpoint can subscribe to, with when it fires (from the API
 * documentation). The action node's Create/Update and the trigger both offer this list, so a
 * new event is added in one place.
 */
export const WEBHOOK_EVENT_OPTIONS = [
	{
		name: 'Booking Attendance Marked',
		value: 'booking.attendance_marked',
		description: 'TDTA staff recorded whether the candidate attended the training',
	},
	{
		name: 'Booking Cancelled',
		value: 'booking.cancelled',
		description: 'A booking was cancelled',
	},
	{
		name: 'Booking Certificate Available',
		value: 'booking.certificate_available',
		description:
			'Training is completed and the equipment is back with TDTA: the certificate can be downloaded',
	},
	{
		name: 'Booking Confirmed',
		value: 'booking.confirmed',
		description:
			'A candidate-pays booking was paid through Stripe and moved from pending to booked',
	},
	{
		name: 'Booking Created',
		value: 'booking.created',
		description:
			'A new booking is confirmed: at once for credits, balance and invoice, after the Stripe payment for candidate pays',
	},
	{
		name: 'Booking Equipment Late',
		value: 'booking.equipment_late',
		description: 'The training kit was not returned by the expected date',
	},
	{
		name: 'Booking Rescheduled',
		value: 'booking.rescheduled',
		description:
			'A booking was moved to another timeslot (the data includes previous_date and previous_time)',
	},
	{
		name: 'Webhook Test',
		value: 'webhook.test',
		description: 'A test delivery was requested, for example with Webhook Endpoint → Send Test',
	},
] as const satisfies readonly INodePropertyOptions[];

export type WebhookEventType = (typeof WEBHOOK_EVENT_OPTIONS)[number]['value'];

export const WEBHOOK_EVENT_TYPES: readonly string[] = WEBHOOK_EVENT_OPTIONS.map(
	(option) => option.value,
);
