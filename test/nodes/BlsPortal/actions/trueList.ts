/** The true content of a list, read over HTTP in the default dialect: what every dialect must give back. */
import type { Sandbox } from '../../../../sandbox';

async function demoToken(sandbox: Sandbox): Promise<string> {
	const { hbClientId, apiKey } = sandbox.accounts[0];
	const response = await fetch(`${sandbox.apiUrl}/auth/token`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ hb_client_id: hbClientId, api_key: apiKey }),
	});
	return ((await response.json()) as { access_token: string }).access_token;
}

/** Every item of a list of the demo agency, page by page as the docs describe, whatever the sandbox's dialect. */
export async function trueList(
	sandbox: Sandbox,
	path: string,
	query: Record<string, string> = {},
): Promise<Record<string, unknown>[]> {
	const dialect = [...sandbox.dialect];
	sandbox.setDialect('default');
	try {
		return await readAllPages(sandbox, path, query);
	} finally {
		sandbox.setDialect(dialect);
	}
}

async function readAllPages(
	sandbox: Sandbox,
	path: string,
	query: Record<string, string>,
): Promise<Record<string, unknown>[]> {
	const token = await demoToken(sandbox);
	const items: Record<string, unknown>[] = [];
	for (let page = 1; ; page++) {
		const url = `${sandbox.apiUrl}${path}?${new URLSearchParams({ ...query, page: String(page), per_page: '100' })}`;
		const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
		const body = (await response.json()) as {
			data: Record<string, unknown>[];
			meta: { last_page: number };
		};
		items.push(...body.data);
		if (page >= body.meta.last_page) return items;
	}
}

/** Registers `count` webhook endpoints on the demo agency, so the endpoint list spans several pages. */
export async function createWebhookEndpoints(sandbox: Sandbox, count: number): Promise<void> {
	const dialect = [...sandbox.dialect];
	sandbox.setDialect('default');
	const token = await demoToken(sandbox);
	for (let i = 1; i <= count; i++) {
		const response = await fetch(`${sandbox.apiUrl}/webhooks`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: JSON.stringify({
				name: `list test ${i}`,
				url: `https://example.com/hooks/${i}`,
				events: ['webhook.test'],
			}),
		});
		if (response.status !== 201) throw new Error(`creating endpoint ${i}: HTTP ${response.status}`);
	}
	sandbox.setDialect(dialect);
}
