import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { holdTimeslot, readSlot, slotFields } from '../timeslot/hold.operation';
import { releaseHold } from '../timeslot/releaseHold.operation';
import { candidateFields, createBooking, readCandidate } from './create.operation';

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

export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<INodeExecutionData[]> {
	// Everything is checked before the hold, so a typo never leaves a hold behind.
	const slot = readSlot.call(this, itemIndex);
	const candidate = readCandidate.call(this, itemIndex);

	const hold = await holdTimeslot.call(this, slot);
	const holdHash = String(hold.hold_hash);
	let createError: unknown;
	try {
		return [{ json: await createBooking.call(this, holdHash, candidate) }];
	} catch (error) {
		createError = error;
	}
	// Whatever went wrong, an unreleased hold would block every other booking of the account for 30 minutes.
	try {
		await releaseHold.call(this, holdHash);
		appendDescription(createError, `The timeslot hold (${holdHash}) was released; no booking was made.`);
	} catch (releaseError) {
		appendDescription(
			createError,
			`The timeslot hold (${holdHash}) could not be released (${(releaseError as Error).message}). ` +
				'If the API created the booking before failing, the hold was used by it: check Booking → Get Many. ' +
				'Otherwise release it with Timeslot → Release Hold, or wait until it expires' +
				(hold.expires_at ? ` at ${String(hold.expires_at)}.` : '.'),
		);
	}
	// The API's own error (a NodeApiError from the transport), now saying what happened to the hold.
	throw createError;
}
