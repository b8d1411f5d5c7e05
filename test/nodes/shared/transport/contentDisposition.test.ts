import { fileNameFromDisposition } from '../../../../nodes/shared/transport/contentDisposition';

describe('fileNameFromDisposition', () => {
	it.each([
		['attachment; filename="BLS-Certificate-BLS-000001.pdf"', 'BLS-Certificate-BLS-000001.pdf'],
		['attachment; filename=plain.pdf', 'plain.pdf'],
		// A plain name is not percent-encoded: "100%" stays, and "%41" is not turned into "A".
		['attachment; filename="Cert (100%).pdf"', 'Cert (100%).pdf'],
		['attachment; filename="Cert %41.pdf"', 'Cert %41.pdf'],
		// The extended form is encoded, and wins over the plain one.
		[
			'attachment; filename="fallback.pdf"; filename*=UTF-8\'\'Zertifikat%20M%C3%BCller.pdf',
			'Zertifikat Müller.pdf',
		],
		// A malformed escape keeps the raw text rather than failing the download.
		["attachment; filename*=UTF-8''broken%E0%A4%A.pdf", 'broken%E0%A4%A.pdf'],
		['attachment', undefined],
		[undefined, undefined],
	])('%s → %s', (header, expected) => {
		expect(fileNameFromDisposition(header)).toBe(expected);
	});
});
