/**
 * The file name a Content-Disposition header gives. `filename*=UTF-8''…` (RFC 6266 / 5987) is
 * percent-encoded and preferred; a plain `filename="…"` is taken as it is, so a name such as
 * "50% off.pdf" is not mistaken for an escape. A malformed escape keeps the raw text instead of
 * failing an otherwise good download.
 */
export function fileNameFromDisposition(disposition: string | undefined): string | undefined {
	if (!disposition) return undefined;
	const extended = /filename\*\s*=\s*(?:[\w-]+)?'[^']*'([^;\s]+)/i.exec(disposition)?.[1];
	if (extended) return decodeOrKeep(extended.replace(/^"|"$/g, ''));
	const plain = /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(disposition);
	const name = plain?.[1] ?? plain?.[2];
	return name ? name : undefined;
}

function decodeOrKeep(text: string): string {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}
