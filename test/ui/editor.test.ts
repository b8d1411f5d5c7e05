/**
 * A new user's first hour, in a real browser (Debian's Chromium via playwright-core) against the
 * n8n that `npm start` brings up (scripts/demo.ts: sandbox, credential, examples), on
 * N8N_VERSION (default 2.41.1):
 * - sign in; the node creator finds both BLS Portal nodes for "BLS", with icons and the action
 *   node's description;
 * - BLS Portal added from the node creator: the sandbox credential is picked, Booking → Get Many
 *   runs from the panel and shows the bookings;
 * - every resource and operation, with valid values: no issue markers, notices as written,
 *   dropdowns and resource locators list the sandbox's courses, timeslots, bookings, endpoints;
 * - the credential dialog's test: success, and with a wrong key the rejection message;
 * - BLS Portal Trigger: "Listen for test event" registers an endpoint, a test event sent by the
 *   sandbox shows in the panel, stopping deletes the endpoint;
 * - each example workflow executed from the canvas succeeds (the certificate example's event sent
 *   by the sandbox, its email caught by `npm start`'s mail catcher).
 * Every step leaves a screenshot in test-results/ui/ (kept; `.ci/run` prints the folder on failure).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import type { INodeProperties } from 'n8n-workflow';
import type { Locator, Page } from 'playwright-core';

import { BlsPortal } from '../../nodes/BlsPortal/BlsPortal.node';
import { BlsPortalTrigger } from '../../nodes/BlsPortalTrigger/BlsPortalTrigger.node';
import { startDemo, type Demo } from '../../scripts/demo';
import { repoRoot } from '../../scripts/n8n/install';
import { versionFromEnv } from '../../scripts/n8n/instance';
import { launchBrowser, SCREENSHOT_DIR, type Browser } from './browser';

const version = versionFromEnv();
const ACTION = new BlsPortal().description;
const TRIGGER = new BlsPortalTrigger().description;
/** Enough for a first run that must install n8n (several minutes) and then start it. */
const START_TIMEOUT_MS = 20 * 60_000;

let demo: Demo;
let browser: Browser;
let page: Page;
let filesFolder: string;

beforeAll(async () => {
	fs.rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
	filesFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'bls-ui-files-'));
	// Free ports for n8n and the sandbox; files into a folder of our own, not ~/.n8n-files.
	// The editor loads every dropdown of a panel at once and the suite reads the sandbox too:
	// more calls a minute than the documented limit, which the API suites cover.
	demo = await startDemo({ version, sandbox: { port: 0, rateLimit: false }, filesFolder });
	browser = await launchBrowser();
	page = browser.page;
}, START_TIMEOUT_MS);

afterAll(async () => {
	await browser?.close();
	await demo?.stop();
	fs.rmSync(filesFolder, { recursive: true, force: true });
	process.stdout.write(`Screenshots: ${SCREENSHOT_DIR}\n`);
});

/** Runs a step; on failure saves a FAILED screenshot before rethrowing. */
async function step<T>(name: string, run: () => Promise<T>): Promise<T> {
	try {
		const result = await run();
		await browser.screenshot(name);
		return result;
	} catch (error) {
		const file = await browser.screenshot(`FAILED-${name}`);
		if (error instanceof Error) error.message += `\n(screenshot: ${file})`;
		throw error;
	}
}

// ---- the sandbox, over its API (as the user's account) -------------------------------------------

let sandboxToken: string | undefined;

async function sandboxApi<T>(method: string, apiPath: string, body?: unknown): Promise<T> {
	const base = demo.sandbox.apiUrl;
	sandboxToken ??= (
		await fetch(`${base}/auth/token`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ hb_client_id: demo.account.hbClientId, api_key: demo.account.apiKey }),
		}).then((response) => response.json() as Promise<{ access_token: string }>)
	).access_token;
	const response = await fetch(`${base}${apiPath}`, {
		method,
		headers: {
			authorization: `Bearer ${sandboxToken}`,
			...(body ? { 'content-type': 'application/json' } : {}),
		},
		body: body ? JSON.stringify(body) : undefined,
	});
	const text = await response.text();
	if (!response.ok) throw new Error(`sandbox ${method} ${apiPath}: ${response.status} ${text}`);
	return (text ? JSON.parse(text) : undefined) as T;
}

interface Endpoint {
	id: number;
	url: string;
	name?: string;
}

const endpoints = async (): Promise<Endpoint[]> =>
	(await sandboxApi<{ data: Endpoint[] }>('GET', '/webhooks?per_page=100')).data;

// ---- n8n, as the signed-in browser ----------------------------------------------------------------

async function signIn(): Promise<void> {
	await page.goto(`${demo.n8n.url}/signin`);
	await page.getByTestId('emailOrLdapLoginId').locator('input').fill(demo.n8n.owner.email);
	await page.getByTestId('password').locator('input').fill(demo.n8n.owner.password);
	await page.getByTestId('form-submit-button').click();
	await page.waitForURL(/\/home\//);
}

async function openWorkflow(id: string, nodeId?: string): Promise<void> {
	await page.goto(`${demo.n8n.url}/workflow/${id}${nodeId ? `/${nodeId}` : ''}`);
	await page.getByTestId('canvas-node').first().waitFor();
	if (nodeId) await page.getByTestId('ndv').waitFor();
}

async function workflowIdByName(name: string): Promise<string> {
	const list = await demo.n8n.publicApi<{ data: Array<{ id: string; name: string }> }>(
		'GET',
		'/workflows?limit=250',
	);
	const found = list.data.find((workflow) => workflow.name === name);
	if (!found) throw new Error(`No workflow named ${name}`);
	return found.id;
}

/** The texts of a dropdown's options, read from the list it opens (aria-controls names it). */
async function optionsOf(parameter: string): Promise<string[]> {
	const input = page.getByTestId(`parameter-input-${parameter}`).locator('input').first();
	await input.click();
	const listId = await input.getAttribute('aria-controls');
	const options = listId
		? page.locator(`[id="${listId}"] [role="option"]`)
		: page.locator('.el-select-dropdown:visible [role="option"]');
	await options.first().waitFor();
	const texts = (await options.allInnerTexts()).map((text) => text.trim()).filter(Boolean);
	// Close it where it opened, so the next dropdown is read on its own.
	await input.click();
	if (listId) await page.locator(`[id="${listId}"]`).waitFor({ state: 'hidden' });
	return texts;
}

/** The items a resource locator's list mode shows. */
async function resourceLocatorItems(parameter: string): Promise<string[]> {
	const input = page.getByTestId(`parameter-input-${parameter}`);
	await input.getByTestId('rlc-input').click();
	const items = page.getByTestId('rlc-item');
	await items.first().waitFor();
	const texts = (await items.allInnerTexts()).map((text) => text.trim());
	await page.keyboard.press('Escape');
	return texts;
}

function noticesOf(properties: INodeProperties[], resource?: string, operation?: string): string[] {
	return properties
		.filter((property) => property.type === 'notice')
		.filter((property) => {
			const show = property.displayOptions?.show;
			if (!show) return true;
			return (
				(!show.resource || show.resource.includes(resource)) &&
				(!show.operation || show.operation.includes(operation))
			);
		})
		.map((property) => property.displayName);
}

async function expectPanelClean(notices: string[]): Promise<void> {
	const parameters = page.getByTestId('node-parameters');
	await parameters.waitFor();
	// Dropdowns fill in from the sandbox before n8n decides whether a value is supported.
	await page.waitForLoadState('networkidle');
	await expect(parameters.getByTestId('parameter-issues').count()).resolves.toBe(0);
	const shown = (await parameters.locator('.notice').allInnerTexts()).map((text) =>
		text.replace(/\s+/g, ' ').trim(),
	);
	for (const notice of notices) expect(shown).toContain(notice.replace(/\s+/g, ' ').trim());
}

// ---- the suite -----------------------------------------------------------------------------------

it('signs in', async () => {
	await step('signed in', signIn);
});

it('finds both BLS Portal nodes in the node creator, with icons and the action node description', async () => {
	await step('node creator search BLS', async () => {
		await page.goto(`${demo.n8n.url}/workflow/new`);
		await page.getByTestId('canvas-add-button').click();
		await page.getByTestId('node-creator-search-bar').fill('BLS');
		const card = page
			.getByTestId('node-creator')
			.getByTestId('item-iterator-item')
			.filter({ hasText: ACTION.displayName })
			.first();
		await card.waitFor();
		// n8n 1.x lists search results by name only, for every node (no description to check).
		if (!version.startsWith('1.'))
			await expect(card.innerText()).resolves.toContain(ACTION.description);
		expect(await iconLoaded(card)).toBe(true);
	});
	await step('node creator BLS Portal actions and triggers', async () => {
		await page
			.getByTestId('node-creator')
			.getByTestId('item-iterator-item')
			.filter({ hasText: ACTION.displayName })
			.first()
			.click();
		const panel = page.getByTestId('node-creator');
		const actionCount = ACTION.properties
			.filter((property) => property.name === 'operation')
			.reduce((sum, property) => sum + (property.options?.length ?? 0), 0);
		const triggerEvents =
			TRIGGER.properties.find((property) => property.name === 'events')?.options ?? [];
		await panel.getByText(`Actions (${actionCount})`).waitFor();
		await panel.getByText(`Triggers (${triggerEvents.length})`).waitFor();
		await expect(panel.innerText()).resolves.toContain(ACTION.description);
		// From an empty canvas the actions start folded.
		await panel.getByTestId('node-creator-category-item').filter({ hasText: 'Actions' }).click();
		// Every trigger event and action carries the package's icon (subcategory headings have none).
		const items = panel.getByTestId('item-iterator-item').filter({ has: page.locator('img') });
		await panel.getByText('Get many bookings').waitFor();
		// The list renders only what fits on screen: the triggers and the first actions.
		const count = await items.count();
		expect(count).toBeGreaterThan(triggerEvents.length);
		for (let index = 0; index < count; index++)
			expect(await iconLoaded(items.nth(index))).toBe(true);
	});
});

async function iconLoaded(item: Locator): Promise<boolean> {
	// A light and a dark icon; the one for the current theme is loaded.
	return item.locator('img').evaluateAll((images) =>
		images.some((image) => {
			const img = image as unknown as { complete: boolean; naturalWidth: number; src: string };
			return img.complete && img.naturalWidth > 0 && img.src.includes('n8n-nodes-bls-portal');
		}),
	);
}

it('adds BLS Portal with the sandbox credential and runs Booking → Get Many from the panel', async () => {
	await step('BLS Portal added: Booking Get Many', async () => {
		await page
			.getByTestId('node-creator')
			.getByTestId('item-iterator-item')
			.filter({ hasText: /^Get many bookings$/ })
			.click();
		await page.getByTestId('ndv').waitFor();
		await expect(
			page.getByTestId('node-credentials-select').locator('input').inputValue(),
		).resolves.toBe(demo.credential.name);
		await expectPanelClean(noticesOf(ACTION.properties, 'booking', 'getMany'));
	});
	await step('Booking Get Many executed', async () => {
		await page.getByTestId('node-execute-button').click();
		const output = page.getByTestId('output-panel');
		const bookings = await sandboxApi<{ data: Array<{ reference: string }> }>(
			'GET',
			'/bookings?per_page=50',
		);
		// The default Limit (50) shows the first page of the account's bookings.
		await output
			.getByText(new RegExp(`${bookings.data.length} items?`))
			.first()
			.waitFor({ timeout: 60_000 });
		await output.getByTestId('radio-button-json').click();
		await output.getByText(String(bookings.data[0].reference)).first().waitFor();
	});
});

// ---- every resource and operation ----------------------------------------------------------------

interface Slot {
	date: string;
	time: string;
}

async function firstFreeSlot(courseId: number, times?: string[]): Promise<Slot> {
	const slots = await sandboxApi<{ data: Array<Slot & { spaces_available: number }> }>(
		'GET',
		`/timeslots?course_id=${courseId}&months_ahead=1&per_page=100`,
	);
	const slot = slots.data.find(
		(candidate) => candidate.spaces_available > 0 && (!times || times.includes(candidate.time)),
	);
	if (!slot) throw new Error(`The sandbox has no free slot for course ${courseId}`);
	return { date: slot.date, time: slot.time };
}

/** As the node's date dropdown labels a day. */
function dayLabel(date: string): string {
	const format = {
		weekday: 'short',
		day: 'numeric',
		month: 'short',
		year: 'numeric',
		timeZone: 'UTC',
	} as const;
	return new Date(`${date}T00:00:00Z`).toLocaleDateString('en-GB', format);
}

it(
	'renders every resource and operation without issues; dropdowns list the sandbox; notices read as written',
	async () => {
		const courses = (
			await sandboxApi<{ data: Array<{ id: number; name: string }> }>('GET', '/courses')
		).data;
		const bookings = (
			await sandboxApi<{ data: Array<{ id: number; reference: string }> }>(
				'GET',
				'/bookings?per_page=10',
			)
		).data;
		const endpoint = (
			await sandboxApi<{ data: Endpoint }>('POST', '/webhooks', {
				url: 'https://hooks.example.com/bls',
				events: ['booking.created'],
				name: 'UI walk endpoint',
			})
		).data;
		const slot = await firstFreeSlot(courses[0].id);
		const candidate = {
			firstName: 'Ada',
			lastName: 'Lovelace',
			email: 'ada@example.com',
			payOption: 'credits',
		};
		const bookingRef = {
			__rl: true,
			mode: 'list',
			value: String(bookings[0].id),
			cachedResultName: bookings[0].reference,
		};
		const endpointRef = { __rl: true, mode: 'id', value: String(endpoint.id) };
		const values: Record<string, Record<string, Record<string, unknown>>> = {
			booking: {
				book: { courseId: courses[0].id, date: slot.date, time: slot.time, ...candidate },
				create: { holdHash: 'hold-from-an-earlier-step', ...candidate },
				downloadCertificate: { bookingId: bookingRef },
				get: { bookingId: bookingRef },
			},
			timeslot: {
				getMany: { courseId: courses[0].id },
				hold: { courseId: courses[0].id, date: slot.date, time: slot.time },
				releaseHold: { holdHash: 'hold-from-an-earlier-step' },
			},
			webhookEndpoint: {
				create: { url: 'https://hooks.example.com/new', events: ['booking.created'] },
				delete: { webhookId: endpointRef },
				get: {
					webhookId: {
						__rl: true,
						mode: 'list',
						value: String(endpoint.id),
						cachedResultName: endpoint.url,
					},
				},
				rotateSecret: { webhookId: endpointRef },
				sendTest: { webhookId: endpointRef },
				update: { webhookId: endpointRef },
			},
		};
		const operations: Array<{ resource: string; operation: string }> = [];
		for (const resource of ACTION.properties.find((property) => property.name === 'resource')
			?.options ?? []) {
			const operationProperty = ACTION.properties.find(
				(property) =>
					property.name === 'operation' &&
					property.displayOptions?.show?.resource?.includes(resourceValue(resource)),
			);
			for (const operation of operationProperty?.options ?? []) {
				operations.push({ resource: resourceValue(resource), operation: resourceValue(operation) });
			}
		}
		expect(operations).toHaveLength(21);
		const workflow = await demo.n8n.importWorkflow({
			name: 'UI walk: every operation',
			nodes: operations.map(({ resource, operation }, index) => ({
				id: `${resource}-${operation}`,
				name: `${resource} ${operation}`,
				type: 'n8n-nodes-bls-portal.blsPortal',
				typeVersion: 1,
				position: [(index % 7) * 240, Math.floor(index / 7) * 200] as [number, number],
				parameters: { resource, operation, ...(values[resource]?.[operation] ?? {}) },
				credentials: { blsPortalApi: { id: demo.credential.id, name: demo.credential.name } },
			})),
			connections: {},
			settings: { executionOrder: 'v1' },
		});

		for (const { resource, operation } of operations) {
			await step(`panel ${resource} ${operation}`, async () => {
				await openWorkflow(workflow.id, `${resource}-${operation}`);
				await expectPanelClean(noticesOf(ACTION.properties, resource, operation));
				if (resource === 'booking' && operation === 'book') {
					const courseOptions = await optionsOf('courseId');
					for (const course of courses)
						expect(courseOptions.some((option) => option.startsWith(course.name))).toBe(true);
					expect(
						(await optionsOf('date')).some((option) => option.startsWith(dayLabel(slot.date))),
					).toBe(true);
					expect((await optionsOf('time')).some((option) => option.startsWith(slot.time))).toBe(
						true,
					);
				}
				if (resource === 'booking' && operation === 'get') {
					const items = await resourceLocatorItems('bookingId');
					expect(items.some((item) => item.includes(bookings[0].reference))).toBe(true);
				}
				if (resource === 'webhookEndpoint' && operation === 'get') {
					expect(
						(await resourceLocatorItems('webhookId')).some((item) => item.includes(endpoint.url)),
					).toBe(true);
				}
			});
		}
	},
	15 * 60_000,
);

function resourceValue(option: unknown): string {
	return String((option as { value: unknown }).value);
}

// ---- the trigger ---------------------------------------------------------------------------------

it('BLS Portal Trigger: listening registers an endpoint, a test event shows in the panel, stopping deletes it', async () => {
	const workflow = await demo.n8n.importWorkflow({
		name: 'UI trigger',
		nodes: [
			{
				id: 'trigger',
				name: 'BLS Portal Trigger',
				type: 'n8n-nodes-bls-portal.blsPortalTrigger',
				typeVersion: 1,
				position: [0, 0],
				webhookId: '6f0c1a52-9d3e-4b7a-8c21-5e4f3a2b1c0d',
				parameters: { events: ['webhook.test'] },
				credentials: { blsPortalApi: { id: demo.credential.id, name: demo.credential.name } },
			},
		],
		connections: {},
		settings: { executionOrder: 'v1' },
	});
	const before = new Set((await endpoints()).map((endpoint) => endpoint.id));
	let registered: Endpoint | undefined;
	await step('trigger panel', async () => {
		await openWorkflow(workflow.id, 'trigger');
		await expectPanelClean(noticesOf(TRIGGER.properties));
	});
	await step('trigger listening', async () => {
		await page.getByTestId('node-execute-button').click();
		registered = await waitFor(
			async () => (await endpoints()).find((endpoint) => !before.has(endpoint.id)),
			'an endpoint registered by the trigger',
		);
		expect(registered.url).toContain('/webhook-test/');
	});
	await step('trigger test event received', async () => {
		await sandboxApi('POST', `/webhooks/${registered!.id}/test`);
		const output = page.getByTestId('output-panel');
		await output.getByText('webhook.test').first().waitFor({ timeout: 60_000 });
	});
	await step('trigger listening again, then stopped', async () => {
		await page.getByTestId('node-execute-button').click();
		const listening = await waitFor(
			async () => (await endpoints()).find((endpoint) => !before.has(endpoint.id)),
			'the endpoint while listening',
		);
		await page
			.getByRole('button', { name: /stop listening/i })
			.first()
			.click();
		await waitFor(
			async () =>
				!(await endpoints()).some((endpoint) => endpoint.id === listening.id) || undefined,
			'the endpoint deleted',
		);
	});
});

async function waitFor<T>(
	probe: () => Promise<T | undefined>,
	what: string,
	timeoutMs = 60_000,
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

// ---- the examples, from the canvas ---------------------------------------------------------------

/** Names of the examples seen to succeed from the canvas (each test adds its own at the end). */
const examplesSucceeded = new Set<string>();

async function executeFromCanvas(): Promise<void> {
	await page.getByTestId('execute-workflow-button').first().click();
}

async function lastExecution(
	workflowId: string,
	after: Set<string>,
): Promise<{ id: string; status: string }> {
	return waitFor(
		async () => {
			const executions = await demo.n8n.executions({ workflowId });
			const fresh = executions.find(
				(execution) =>
					!after.has(String(execution.id)) &&
					['success', 'error', 'crashed', 'canceled'].includes(execution.status),
			);
			return fresh ? { id: String(fresh.id), status: fresh.status } : undefined;
		},
		`an execution of workflow ${workflowId}`,
		120_000,
	);
}

async function executionIds(workflowId: string): Promise<Set<string>> {
	return new Set(
		(await demo.n8n.executions({ workflowId })).map((execution) => String(execution.id)),
	);
}

it('sync example: Execute workflow writes every booking into the CSV file', async () => {
	const id = await workflowIdByName('BLS: sync all bookings to a spreadsheet file');
	const before = await executionIds(id);
	await step('sync example opened', () => openWorkflow(id));
	await step('sync example executed', async () => {
		await executeFromCanvas();
		expect((await lastExecution(id, before)).status).toBe('success');
		await page
			.getByTestId('canvas-node')
			.filter({ hasText: 'Save the spreadsheet' })
			.getByTestId('canvas-node-status-success')
			.waitFor();
	});
	const csv = fs
		.readFileSync(path.join(filesFolder, 'bls-bookings.csv'), 'utf8')
		.trim()
		.split('\n');
	const all = (await sandboxApi<{ data: unknown[] }>('GET', '/bookings?per_page=100')).data.length;
	expect(csv.length - 1).toBeGreaterThanOrEqual(all);
	examplesSucceeded.add('BLS: sync all bookings to a spreadsheet file');
});

it('form example: Execute workflow, fill in the form, the booking is made', async () => {
	const id = await workflowIdByName('BLS: book a candidate from a form');
	const before = await executionIds(id);
	const slot = await firstFreeSlot(1, ['09:00', '10:00', '11:00', '13:00', '14:00', '15:00']);
	await step('form example opened', async () => {
		await openWorkflow(id, 'b4e9c2a7-1f3d-4c6b-8e2a-7d5f9b1c3e02');
		await expectPanelClean(noticesOf(ACTION.properties, 'booking', 'book'));
	});
	await openWorkflow(id);
	const formPage = await step('form example executed: the form opens', async () => {
		const opened = browser.context.waitForEvent('page');
		await executeFromCanvas();
		const form = await opened;
		await form.getByLabel('First name').waitFor();
		return form;
	});
	await form(formPage, slot);
	expect((await lastExecution(id, before)).status).toBe('success');
	const booked = await sandboxApi<{ data: Array<{ email: string; date: string; time: string }> }>(
		'GET',
		'/bookings?per_page=100&sort=desc',
	);
	expect(booked.data.some((booking) => booking.email === 'grace.hopper@example.com')).toBe(true);
	examplesSucceeded.add('BLS: book a candidate from a form');
});

async function form(formPage: Page, slot: Slot): Promise<void> {
	await formPage.getByLabel('First name').fill('Grace');
	await formPage.getByLabel('Last name').fill('Hopper');
	await formPage.getByLabel('Email').fill('grace.hopper@example.com');
	await formPage.getByLabel('Training date').fill(slot.date);
	await formPage.getByLabel('Start time').selectOption(slot.time);
	await formPage.screenshot({ path: path.join(SCREENSHOT_DIR, 'form-filled.png') });
	await formPage.getByRole('button', { name: 'Book' }).click();
	await formPage.getByText('The candidate is booked').waitFor({ timeout: 60_000 });
	await formPage.screenshot({ path: path.join(SCREENSHOT_DIR, 'form-submitted.png') });
	await formPage.close();
}

it('certificate example: Execute workflow, the sandbox makes a certificate available, the email with the PDF is caught', async () => {
	const id = await workflowIdByName('BLS: email the certificate when it is available');
	const before = await executionIds(id);
	const endpointsBefore = new Set((await endpoints()).map((endpoint) => endpoint.id));
	// A booking whose training is completed and whose kit is still out: its return makes the
	// certificate available, and the sandbox sends the signed booking.certificate_available event.
	const booking = (
		await sandboxApi<{
			data: Array<{
				id: number;
				email: string;
				reference: string;
				training_status: string;
				equipment_status: string;
			}>;
		}>('GET', '/bookings?per_page=100')
	).data.find(
		(candidate) =>
			candidate.training_status === 'completed' && candidate.equipment_status === 'out',
	);
	if (!booking) throw new Error('The sandbox has no completed booking with its kit out');
	await step('certificate example opened: the email node uses the mail catcher', async () => {
		await openWorkflow(id, '8d2b51e4-61c3-4b0f-8f4e-3a9e5c7d2b04');
		await expectPanelClean([]);
		await expect(
			page.getByTestId('node-credentials-select').locator('input').inputValue(),
		).resolves.toBe(demo.mail.credential.name);
	});
	await openWorkflow(id);
	await step('certificate example executed: waiting for the event', async () => {
		await executeFromCanvas();
		const registered = await waitFor(
			async () => (await endpoints()).find((endpoint) => !endpointsBefore.has(endpoint.id)),
			'the endpoint the example registers while it waits',
		);
		expect(registered.url).toContain('/webhook-test/');
	});
	await step('certificate example: certificate available, email sent', async () => {
		const response = await fetch(`${demo.sandbox.controlUrl}/bookings/${booking.id}/equipment`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ status: 'in' }),
		});
		expect(response.status).toBe(200);
		expect((await lastExecution(id, before)).status).toBe('success');
		await page
			.getByTestId('canvas-node')
			.filter({ hasText: 'Email the certificate' })
			.getByTestId('canvas-node-status-success')
			.waitFor();
	});
	const mail = await waitFor(
		async () => demo.mail.caught.find((caught) => caught.message.to.includes(booking.email)),
		'the certificate email in the mail catcher',
	);
	expect(mail.message.headers.subject).toBe(
		`Your Basic Life Support certificate (${booking.reference})`,
	);
	expect(mail.message.attachments.map((attachment) => attachment.fileName)).toEqual([
		`BLS-Certificate-${booking.reference}.pdf`,
	]);
	expect(mail.message.attachments[0].content.subarray(0, 5).toString('latin1')).toBe('%PDF-');
	expect(fs.readFileSync(mail.file, 'latin1')).toBe(mail.message.raw);
	examplesSucceeded.add('BLS: email the certificate when it is available');
});

it('has run every workflow in examples/ from the canvas, each seen to succeed', () => {
	const folder = path.join(repoRoot(), 'examples');
	const examples = fs
		.readdirSync(folder)
		.filter((file) => file.endsWith('.json'))
		.map(
			(file) =>
				(JSON.parse(fs.readFileSync(path.join(folder, file), 'utf8')) as { name: string }).name,
		);
	expect([...examplesSucceeded].sort()).toEqual(examples.sort());
});

// ---- the credential dialog -----------------------------------------------------------------------

it('tests the credential from its dialog: success, and the rejection message with a wrong key', async () => {
	const modal = page.getByTestId('editCredential-modal');
	const apiKey = modal.getByTestId('parameter-input-apiKey').locator('input');
	await step('credential test succeeds', async () => {
		await page.goto(`${demo.n8n.url}/home/credentials/${demo.credential.id}`);
		await modal
			.getByTestId('credentials-config-container-test-success')
			.waitFor({ timeout: 60_000 });
		await expect(modal.innerText()).resolves.toContain('Connection tested successfully');
	});
	try {
		await step('credential test with a wrong key', async () => {
			await apiKey.fill('sandbox-key-that-is-wrong');
			await modal.getByTestId('credential-save-button').click();
			await modal
				.getByText(/Couldn.t connect with these settings/)
				.first()
				.waitFor({ timeout: 60_000 });
			await modal.getByText('More details').first().click();
			await modal.getByText('BLS Portal rejected the Client ID or API Key').first().waitFor();
		});
		await step('credential restored', async () => {
			await apiKey.fill(demo.account.apiKey);
			await modal.getByTestId('credential-save-button').click();
			await modal
				.getByTestId('credentials-config-container-test-success')
				.waitFor({ timeout: 60_000 });
		});
	} finally {
		// Whatever happened in the dialog, the credential works again for anything after this.
		await demo.n8n.updateCredential(demo.credential.id, {
			name: demo.credential.name,
			type: demo.credential.type,
			data: {
				clientId: demo.account.hbClientId,
				apiKey: demo.account.apiKey,
				baseUrl: demo.sandbox.apiUrl,
			},
		});
	}
});
