import type { INodeParameters } from 'n8n-workflow';

import { useSandboxedNode } from '../../sandboxedNode';

const node = useSandboxedNode();

/** The certificate's file name as the sandbox names it (with "(100%)" under certificate-name-percent). */
const certificateName = (reference: string) =>
	node.sandbox.dialect.has('certificate-name-percent')
		? `BLS-Certificate-${reference} (100%).pdf`
		: `BLS-Certificate-${reference}.pdf`;

const download = (id: number, changes: INodeParameters = {}): INodeParameters => ({
	resource: 'booking',
	operation: 'downloadCertificate',
	bookingId: { __rl: true, mode: 'id', value: String(id) },
	...changes,
});

// Seeded profiles: 1 completed + kit in, 2 completed + kit out, 3 scheduled + not sent, 4 attended + kit out.
describe('Booking → Download Certificate', () => {
	it('puts the PDF with its file name into the binary field the user names', async () => {
		const [item] = await node.output(download(1, { binaryPropertyName: 'certificate' }));
		const binary = item.binary?.certificate;
		expect(binary).toMatchObject({
			fileName: certificateName('BLS-000001'),
			mimeType: 'application/pdf',
		});
		// Without a binary data manager n8n keeps the bytes in the item, base64-encoded.
		const pdf = Buffer.from(String(binary?.data), 'base64');
		expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
		expect(pdf.subarray(-6).toString('latin1')).toMatch(/%%EOF\s*$/);
		expect(item.json).toMatchObject({
			booking_id: 1,
			file_name: certificateName('BLS-000001'),
			file_size: pdf.length,
		});
	});

	it.each([
		[2, /not available yet: the training kit has not been returned yet$/],
		[
			4,
			/not available yet: training is not completed yet and the training kit has not been returned yet$/,
		],
	])('explains what is missing when booking %i is not ready', async (id, message) => {
		const { error } = await node.run(download(id));
		expect(error?.message).toMatch(message);
		expect(error?.description).toMatch(/training completed .* and the training kit returned/);
	});

	it('downloads once the sandbox marks training completed and the kit returned', async () => {
		node.sandbox.bookings.complete(4);
		node.sandbox.bookings.equipment(4, 'in');
		const [item] = await node.output(download(4));
		expect(item.binary?.data?.fileName).toBe(certificateName('BLS-000004'));
	});

	it('says another account’s booking was not found', async () => {
		const { error } = await node.run(download(26));
		expect(error?.message).toBe('The booking 26 was not found in this BLS account');
	});
});

describe('Booking → Download Certificate with a % in the file name', () => {
	it('keeps the name as sent instead of failing on it as an escape', async () => {
		await node.withDialect('certificate-name-percent', async () => {
			const [item] = await node.output(download(1));
			expect(item.json.file_name).toBe('BLS-Certificate-BLS-000001 (100%).pdf');
			expect(item.binary?.data).toMatchObject({ mimeType: 'application/pdf' });
		});
	});
});
