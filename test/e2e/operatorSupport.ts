/**
 * What an operator does to a running n8n, done the way the editor and the portal do it: edit a
 * credential through the editor's own REST call, test a credential, edit a webhook endpoint in
 * the portal (the API itself, with the account's own token).
 */
import type { Sandbox } from '../../sandbox';
import type { N8nInstance } from '../../scripts/n8n/instance';

/** What the editor shows in place of a stored secret, and sends back when it was not touched (n8n-workflow's CREDENTIAL_BLANKING_VALUE). */
export const REDACTED = '__n8n_BLANK_VALUE_e5362baf-c777-4d57-a609-6eaf1f9e87f6';

interface StoredCredential {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

/**
 * Edits a credential as the editor saves it: reads it with its secrets redacted
 * (GET /rest/credentials/:id?includeData=true), changes the fields the user typed, and sends the
 * rest back as read — untouched secrets as the redacted placeholder (PATCH /rest/credentials/:id).
 * Returns the data as sent, so a test can show which fields were placeholders.
 */
export async function editCredentialAsEditor(
	n8n: N8nInstance,
	id: string,
	changes: Record<string, unknown>,
): Promise<Record<string, unknown>> {
	const stored = await n8n.rest<StoredCredential>('GET', `/credentials/${id}?includeData=true`);
	const data = { ...stored.data, ...changes };
	await n8n.rest('PATCH', `/credentials/${id}`, { name: stored.name, type: stored.type, data });
	return data;
}

/** Test connection as the editor runs it (POST /rest/credentials/test) with the form's values. */
export async function testCredentialAsEditor(
	n8n: N8nInstance,
	credential: { id: string; name: string; type: string },
	data: Record<string, unknown>,
): Promise<{ status: string; message: string }> {
	return await n8n.rest<{ status: string; message: string }>('POST', '/credentials/test', {
		credentials: { id: credential.id, name: credential.name, type: credential.type, data },
	});
}

/** A bearer token for a sandbox account, obtained the way any API client does. */
export async function portalToken(sandbox: Sandbox, accountIndex = 0): Promise<string> {
	const account = sandbox.accounts[accountIndex];
	const response = await fetch(`${sandbox.apiUrl}/auth/token`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ hb_client_id: account.hbClientId, api_key: account.apiKey }),
	});
	const body = (await response.json()) as {
		access_token?: string;
		data?: { access_token?: string };
	};
	const token = body.access_token ?? body.data?.access_token;
	if (!token) throw new Error(`The sandbox issued no token (HTTP ${response.status})`);
	return token;
}

/** Changes a webhook endpoint the way a person does in the portal (PUT /webhooks/{id}). */
export async function editEndpointInPortal(
	sandbox: Sandbox,
	endpointId: number,
	changes: Record<string, unknown>,
	accountIndex = 0,
): Promise<void> {
	const authorization = `Bearer ${await portalToken(sandbox, accountIndex)}`;
	// The whole endpoint with the changes, so a server whose PUT needs every field takes it too.
	const current = (await (
		await fetch(`${sandbox.apiUrl}/webhooks/${endpointId}`, { headers: { authorization } })
	).json()) as Record<string, unknown>;
	const endpoint = (
		current.data && typeof current.data === 'object' ? current.data : current
	) as Record<string, unknown>;
	const response = await fetch(`${sandbox.apiUrl}/webhooks/${endpointId}`, {
		method: 'PUT',
		headers: { 'content-type': 'application/json', authorization },
		body: JSON.stringify({
			name: endpoint.name,
			url: endpoint.url,
			events: endpoint.events,
			timeout_seconds: endpoint.timeout_seconds,
			is_active: endpoint.is_active === true || endpoint.is_active === 1,
			...changes,
		}),
	});
	if (!response.ok)
		throw new Error(
			`PUT /webhooks/${endpointId} answered ${response.status}: ${await response.text()}`,
		);
}

/** Course 1's credits of a sandbox account (the course the tests book). */
export function practicalCredits(sandbox: Sandbox, accountIndex: number): number {
	const account = sandbox.state().accounts[accountIndex];
	return account.credits.find((entry) => entry.course_id === 1)?.credits ?? Number.NaN;
}
