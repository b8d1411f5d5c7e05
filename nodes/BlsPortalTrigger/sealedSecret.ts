import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'crypto';

/**
 * The endpoint's signing secret has to outlive restarts, so it lives in workflow static data,
 * which n8n stores unencrypted (and n8n 1.x copies into every execution). It is kept sealed
 * (AES-256-GCM) under a key derived from the credential's API key, which n8n stores encrypted:
 * static data on its own reveals nothing that could forge a delivery.
 */
const FORMAT = 'v1';

function keyFor(apiKey: string, endpointId: string): Buffer {
	return createHmac('sha256', apiKey).update(`bls-portal-webhook-secret:${endpointId}`).digest();
}

export function sealSecret(secret: string, apiKey: string, endpointId: string): string {
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', keyFor(apiKey, endpointId), iv);
	const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
	return [FORMAT, iv, cipher.getAuthTag(), sealed]
		.map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
		.join('.');
}

/** The secret, or undefined when it cannot be opened (another API key, or tampered data). */
export function openSecret(sealed: string, apiKey: string, endpointId: string): string | undefined {
	const [format, iv, tag, data] = sealed.split('.');
	if (format !== FORMAT || !iv || !tag || !data) return undefined;
	try {
		const decipher = createDecipheriv(
			'aes-256-gcm',
			keyFor(apiKey, endpointId),
			Buffer.from(iv, 'base64url'),
		);
		decipher.setAuthTag(Buffer.from(tag, 'base64url'));
		return Buffer.concat([
			decipher.update(Buffer.from(data, 'base64url')),
			decipher.final(),
		]).toString('utf8');
	} catch {
		return undefined;
	}
}
