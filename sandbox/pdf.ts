/** A minimal, valid PDF 1.4 certificate written by hand (no dependencies). */

export interface CertificateText {
	candidateName: string;
	courseName: string;
	trainingDate: string;
	reference: string;
	issuedOn: string;
}

/** Helvetica with WinAnsiEncoding covers Latin-1; anything else becomes "?". */
function pdfString(text: string): string {
	const latin1 = Array.from(text, (ch) => (ch.charCodeAt(0) <= 0xff ? ch : '?')).join('');
	return `(${latin1.replace(/[\\()]/g, (c) => `\\${c}`).replace(/[\r\n]/g, ' ')})`;
}

/** A4 landscape, in points. */
const WIDTH = 842;
const HEIGHT = 595;

/** Rough centring: Helvetica averages about half an em per character. */
function centred(text: string, size: number, y: number, font: 'F1' | 'F2'): string {
	const x = Math.max(40, (WIDTH - text.length * size * 0.5) / 2);
	return `BT /${font} ${size} Tf ${x.toFixed(1)} ${y} Td ${pdfString(text)} Tj ET`;
}

export function certificatePdf(cert: CertificateText): Buffer {
	const content = [
		'0.1 0.3 0.6 RG 4 w 30 30 782 535 re S',
		'0.5 w 40 40 762 515 re S',
		'0 0 0 rg',
		centred('Certificate of Completion', 30, 470, 'F2'),
		centred('Basic Life Support', 18, 435, 'F1'),
		centred('This is to certify that', 14, 380, 'F1'),
		centred(cert.candidateName, 26, 340, 'F2'),
		centred('has successfully completed', 14, 300, 'F1'),
		centred(cert.courseName, 20, 265, 'F2'),
		centred(`Training date: ${cert.trainingDate}`, 13, 215, 'F1'),
		centred(`Reference: ${cert.reference}`, 13, 195, 'F1'),
		centred(`Issued: ${cert.issuedOn}`, 13, 175, 'F1'),
		centred('The Direct Training Academy (TDTA) - HB Compliance BLS Portal', 11, 90, 'F1'),
		centred('Issued by the BLS sandbox for testing; not a real certificate.', 9, 70, 'F1'),
	].join('\n');
	const objects = [
		'<< /Type /Catalog /Pages 2 0 R >>',
		'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
		`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${WIDTH} ${HEIGHT}] ` +
			'/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>',
		'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
		'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
		`<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
		`<< /Title ${pdfString(`BLS Certificate ${cert.reference}`)} /Producer (BLS Portal sandbox) >>`,
	];
	// The binary comment tells transfer tools the file is binary, as the spec recommends.
	let pdf = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
	const offsets: number[] = [];
	objects.forEach((body, index) => {
		offsets.push(Buffer.byteLength(pdf, 'latin1'));
		pdf += `${index + 1} 0 obj\n${body}\nendobj\n`;
	});
	const xrefOffset = Buffer.byteLength(pdf, 'latin1');
	// Each xref entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, CRLF-equivalent " \n".
	pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
	for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
	pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R >>\n`;
	pdf += `startxref\n${xrefOffset}\n%%EOF`;
	return Buffer.from(pdf, 'latin1');
}
