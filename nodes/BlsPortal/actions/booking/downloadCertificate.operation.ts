import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { blsApiDownload } from '../../../shared/transport';
import { requireText } from '../common/validate';
import { bookingLocator, readBookingId } from './bookingLocator';

const show = { resource: ['booking'], operation: ['downloadCertificate'] };

export const description: INodeProperties[] = [
	{
		displayName:
			'A certificate exists only once training is completed and the training kit is back with TDTA (equipment status "in"). The BLS Portal Trigger\'s "Certificate Available" event tells you when.',
		name: 'certificateNotice',
		type: 'notice',
		default: '',
		displayOptions: { show },
	},
	bookingLocator('downloadCertificate'),
	{
		displayName: 'Put Output File in Field',
		name: 'binaryPropertyName',
		type: 'string',
		required: true,
		default: 'data',
		hint: 'The name of the output binary field to put the PDF in',
		displayOptions: { show },
	},
];

/** What the API's 422 says is still missing, in the user's words. */
function unmetConditions(apiMessage: string): string[] {
	const missing: string[] = [];
	if (/training/i.test(apiMessage)) missing.push('training is not completed yet');
	if (/equipment|kit/i.test(apiMessage)) missing.push('the training kit has not been returned yet');
	return missing;
}

/** The API's 422 turned into "not ready yet, and why"; every other failure is already clear and passes through. */
function explainNotReady(
	ctx: IExecuteFunctions,
	error: unknown,
	id: number,
	itemIndex: number,
): unknown {
	if (!(error instanceof NodeApiError) || error.httpCode !== '422') return error;
	const missing = unmetConditions(error.message);
	return new NodeOperationError(
		ctx.getNode(),
		`The certificate for booking ${id} is not available yet${missing.length ? `: ${missing.join(' and ')}` : ''}`,
		{
			itemIndex,
			description: `BLS Portal said: "${error.message}". A certificate needs training completed (training status "completed") and the training kit returned (equipment status "in"). Use the BLS Portal Trigger's "Certificate Available" event, or check the booking with Booking → Get, before downloading.`,
		},
	);
}

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const id = readBookingId.call(this, itemIndex);
	const binaryPropertyName = requireText.call(
		this,
		itemIndex,
		'Put Output File in Field',
		this.getNodeParameter('binaryPropertyName', itemIndex, 'data'),
	);

	const file = await blsApiDownload
		.call(this, `/bookings/${id}/certificate`, { resourceLabel: `booking ${id}` })
		.catch((error: unknown) => {
			throw explainNotReady(this, error, id, itemIndex);
		});

	const fileName = file.fileName ?? `BLS-Certificate-${id}.pdf`;
	const binary = await this.helpers.prepareBinaryData(file.data, fileName, file.mimeType);
	return [
		{
			json: {
				booking_id: id,
				file_name: fileName,
				mime_type: file.mimeType,
				file_size: file.data.length,
			},
			binary: { [binaryPropertyName]: binary },
		},
	];
}
