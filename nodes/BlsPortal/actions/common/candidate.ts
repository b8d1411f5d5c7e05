/** The candidate, payment and agency fields of a booking, and POST /bookings (Booking → Create and Book). */
import type {
	IDataObject,
	IDisplayOptions,
	IExecuteFunctions,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { withNormalizedTimes } from '../../../shared/apiShapes';
import { blsApiKind, blsApiRequest, unwrapData } from '../../../shared/transport';
import { optionalEmail, optionalText, requireEmail, requireText } from './validate';

const PAY_OPTIONS = ['credits', 'balance', 'invoice', 'candidate_pays'];

/** Candidate, payment and agency fields of a booking. */
export function candidateFields(show: IDisplayOptions['show']): INodeProperties[] {
	return [
		{
			displayName: 'First Name',
			name: 'firstName',
			type: 'string',
			required: true,
			default: '',
			description: "The candidate's first name, as it should appear on the certificate",
			displayOptions: { show },
		},
		{
			displayName: 'Last Name',
			name: 'lastName',
			type: 'string',
			required: true,
			default: '',
			description: "The candidate's last name, as it should appear on the certificate",
			displayOptions: { show },
		},
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'name@email.com',
			required: true,
			default: '',
			description:
				"The candidate's email: joining details (and the payment link for Candidate Pays) go here",
			displayOptions: { show },
		},
		{
			displayName: 'Pay Option',
			name: 'payOption',
			type: 'options',
			required: true,
			default: 'credits',
			description: 'How the booking is paid for',
			options: [
				{
					name: 'Booking Credits',
					value: 'credits',
					description:
						'Uses 1 booking credit for the course. Confirmed at once; fails if no credit is left for the course.',
				},
				{
					name: 'Candidate Pays',
					value: 'candidate_pays',
					description:
						'The candidate is emailed a Stripe payment link. The booking stays pending until they pay, then becomes booked.',
				},
				{
					name: 'Invoice',
					value: 'invoice',
					description:
						'Invoiced to your account. Confirmed at once; needs invoice payments enabled on the account and enough credit limit.',
				},
				{
					name: 'Money Balance',
					value: 'balance',
					description:
						'Takes the course price from the GBP money balance. Confirmed at once; fails if the balance is short.',
				},
			],
			displayOptions: { show },
		},
		{
			displayName: 'Additional Fields',
			name: 'additionalFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			displayOptions: { show },
			options: [
				{
					displayName: 'Address',
					name: 'address',
					type: 'string',
					default: '',
					description: "The candidate's street address, where the training kit is sent",
				},
				{
					displayName: 'Agency Contact Email',
					name: 'agencyContactEmail',
					type: 'string',
					placeholder: 'name@email.com',
					default: '',
					description: 'Email of the person at your agency responsible for this booking',
				},
				{
					displayName: 'Agency Contact Name',
					name: 'agencyContactName',
					type: 'string',
					default: '',
					description: 'Name of the person at your agency responsible for this booking',
				},
				{
					displayName: 'Agency Email',
					name: 'agencyEmail',
					type: 'string',
					placeholder: 'name@email.com',
					default: '',
					description: "Your agency's general or invoices email address",
				},
				{
					displayName: 'City',
					name: 'city',
					type: 'string',
					default: '',
					description: "The candidate's town or city",
				},
				{
					displayName: 'Job Role',
					name: 'jobRole',
					type: 'string',
					default: '',
					placeholder: 'Registered Nurse',
					description: "The candidate's job role",
				},
				{
					displayName: 'Phone',
					name: 'phone',
					type: 'string',
					default: '',
					placeholder: '+441234567890',
					description: "The candidate's phone number",
				},
				{
					displayName: 'Postcode',
					name: 'postcode',
					type: 'string',
					default: '',
					placeholder: 'M1 1AA',
					description: "The candidate's postcode",
				},
			],
		},
	];
}

/**
 * Editor field → API field, with the label errors use. No length limits: the docs state none, and
 * the API's 422 names the field if it has one.
 */
const OPTIONAL_TEXT = [
	['address', 'address', 'Address'],
	['agencyContactName', 'agency_contact_name', 'Agency Contact Name'],
	['city', 'city', 'City'],
	['jobRole', 'job_role', 'Job Role'],
	['phone', 'phone', 'Phone'],
	['postcode', 'postcode', 'Postcode'],
] as const;
const OPTIONAL_EMAIL = [
	['agencyContactEmail', 'agency_contact_email', 'Agency Contact Email'],
	['agencyEmail', 'agency_email', 'Agency Email'],
] as const;

/**
 * The pay option. BLS documents four and warns that it uses `invoice`, not `inv`: against BLS
 * anything else is refused before a request. TDTA documents none, so there the API judges.
 */
async function readPayOption(this: IExecuteFunctions, itemIndex: number): Promise<string> {
	const payOption = requireText.call(
		this,
		itemIndex,
		'Pay Option',
		this.getNodeParameter('payOption', itemIndex, ''),
	);
	if ((await blsApiKind.call(this)) === 'tdta' || PAY_OPTIONS.includes(payOption)) return payOption;
	throw new NodeOperationError(
		this.getNode(),
		`Pay Option: must be one of ${PAY_OPTIONS.join(', ')} (got "${payOption}")`,
		{
			itemIndex,
			description: `${payOption === 'inv' ? 'BLS uses invoice (not inv) for invoice payments. ' : ''}No request was sent to BLS Portal.`,
		},
	);
}

/** The POST /bookings body without the hold hash, checked field by field before any request. */
export async function readCandidate(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<IDataObject> {
	const param = (name: string) => this.getNodeParameter(name, itemIndex, '');
	const body: IDataObject = {
		first_name: requireText.call(this, itemIndex, 'First Name', param('firstName')),
		last_name: requireText.call(this, itemIndex, 'Last Name', param('lastName')),
		email: requireEmail.call(this, itemIndex, 'Email', param('email')),
		pay_option: await readPayOption.call(this, itemIndex),
	};
	const extra = this.getNodeParameter('additionalFields', itemIndex, {}) as IDataObject;
	for (const [field, apiField, label] of OPTIONAL_TEXT) {
		const value = optionalText.call(this, itemIndex, label, extra[field]);
		if (value !== undefined) body[apiField] = value;
	}
	for (const [field, apiField, label] of OPTIONAL_EMAIL) {
		const value = optionalEmail.call(this, itemIndex, label, extra[field]);
		if (value !== undefined) body[apiField] = value;
	}
	return body;
}

/** POST /bookings: turns the hold into a booking. Sent once only: the transport never retries a POST on 5xx. */
export async function createBooking(
	this: IExecuteFunctions,
	holdHash: string,
	candidate: IDataObject,
): Promise<IDataObject> {
	const response = await blsApiRequest.call(this, 'POST', '/bookings', {
		body: { hold_hash: holdHash, ...candidate },
	});
	return withNormalizedTimes(unwrapData(response));
}
