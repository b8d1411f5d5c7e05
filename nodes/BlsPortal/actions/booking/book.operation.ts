import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { withNormalizedTimes } from '../../../shared/apiShapes';
import { blsApiList } from '../../../shared/transport';
import { candidateFields, createBooking, readCandidate } from '../common/candidate';
import { holdTimeslot, readSlot, releaseHold, slotFields, type Slot } from '../common/holds';
import { isCandidatesBooking } from './bookingMatch';

const show = { resource: ['booking'], operation: ['book'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'Holds the chosen slot, then creates the booking from the hold. If the booking is rejected (for example no credits left) the hold is released at once, so the account is not blocked for 30 minutes, and the error is reported. Fails if another hold is active on the account.',
		name: 'bookNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	...slotFields(show),
	...candidateFields(show),
];

/** Adds a line to an error's description without losing the API's own explanation. */
function appendDescription(error: unknown, note: string): void {
	const target = error as { description?: string | null };
	target.description = target.description ? `${target.description}\n\n${note}` : note;
}

/**
 * Whether a failed request may still have been carried out: no answer at all (connection broken,
 * timeout) or a server/gateway error. A 4xx (refused, rate limited, unauthorised) was not.
 */
function outcomeUnknown(error: unknown): boolean {
	const code = (error as { httpCode?: string | null })?.httpCode;
	return !code || Number(code) >= 500;
}

/**
 * The booking this candidate got on this slot, when the API made it but its answer was lost. The
 * list is asked for with filters, but a server may ignore them, so every booking is matched here
 * on email, names, course, day and time. `ambiguous` when several match: the node cannot tell
 * which one this run made (an earlier run may have booked the same slot), so it names none.
 */
async function bookingMadeFromHold(
	this: IExecuteFunctions,
	slot: Slot,
	candidate: IDataObject,
): Promise<{ booking?: IDataObject; ambiguous?: IDataObject[] }> {
	const bookings = await blsApiList.call(this, '/bookings', {
		email: candidate.email,
		course_id: slot.courseId,
		date_from: slot.date,
		date_to: slot.date,
	});
	const matches = bookings.filter((booking) => isCandidatesBooking(booking, slot, candidate));
	if (matches.length > 1) return { ambiguous: matches };
	return { booking: matches[0] };
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	// Everything is checked before the hold, so a typo never leaves a hold behind.
	const slot = readSlot.call(this, itemIndex);
	const candidate = await readCandidate.call(this, itemIndex);

	let hold: IDataObject | undefined;
	let holdError: unknown;
	try {
		hold = await holdTimeslot.call(this, slot);
	} catch (error) {
		holdError = error;
	}
	if (!hold) {
		if (outcomeUnknown(holdError)) {
			appendDescription(
				holdError,
				'If BLS Portal made the hold before its answer was lost, the hold blocks new holds on this account until it expires (30 minutes). ' +
					'Timeslot → Hold then reports its hold hash; free it with Timeslot → Release Hold.',
			);
		}
		throw holdError;
	}
	const holdHash = String(hold.hold_hash);
	let createError: unknown;
	try {
		return [{ json: await createBooking.call(this, holdHash, candidate) }];
	} catch (error) {
		createError = error;
	}
	// Whatever went wrong, an unreleased hold would block every other booking of the account for 30 minutes.
	let released = false;
	let releaseError: unknown;
	try {
		await releaseHold.call(this, holdHash);
		released = true;
	} catch (error) {
		releaseError = error;
	}
	if (released) {
		appendDescription(
			createError,
			`The timeslot hold (${holdHash}) was released; no booking was made.`,
		);
		throw createError;
	}
	// The hold is gone although the booking failed: when the booking's answer was lost on the way
	// back, the API made it from the hold. Report that booking, or a retry (n8n's Retry On Fail, a
	// re-run) would book the candidate a second time.
	if (
		outcomeUnknown(createError) &&
		(releaseError as { httpCode?: string | null })?.httpCode === '404'
	) {
		const found = await bookingMadeFromHold.call(this, slot, candidate).catch(() => undefined);
		if (found?.booking) return [{ json: withNormalizedTimes(found.booking) }];
		if (found?.ambiguous) {
			throw new NodeOperationError(
				this.getNode(),
				'The booking may have been made, but the node cannot tell which booking is this one',
				{
					itemIndex,
					description:
						`BLS Portal's answer to the booking was lost and the hold (${holdHash}) is used up. Bookings ` +
						`${found.ambiguous.map((booking) => String(booking.id)).join(', ')} all match this candidate, course, day and time. ` +
						'Check them with Booking → Get Many before running again, or the candidate may be booked twice.',
				},
			);
		}
	}
	appendDescription(
		createError,
		`The timeslot hold (${holdHash}) could not be released (${(releaseError as Error).message}). ` +
			'If the API created the booking before failing, the hold was used by it: check Booking → Get Many. ' +
			'Otherwise release it with Timeslot → Release Hold, or wait until it expires' +
			(hold.expires_at ? ` at ${String(hold.expires_at)}.` : '.'),
	);
	// The API's own error (a NodeApiError from the transport), now saying what happened to the hold.
	throw createError;
}
