import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/**
 * Input checks run before any request, so a typo costs no API call (and no rate-limit quota)
 * and the error names the field to fix.
 */
function fail(ctx: IExecuteFunctions, itemIndex: number, field: string, problem: string): never {
	throw new NodeOperationError(ctx.getNode(), `${field}: ${problem}`, {
		itemIndex,
		description: `Fix the "${field}" field of item ${itemIndex + 1} and run again. No request was sent to BLS Portal.`,
	});
}

export function requireText(this: IExecuteFunctions, itemIndex: number, field: string, value: unknown, max = 255): string {
	if (typeof value === 'number') value = String(value);
	if (value !== undefined && value !== null && typeof value !== 'string') {
		const kind = Array.isArray(value) ? 'a list' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
		fail(this, itemIndex, field, `must be text (got ${kind})`);
	}
	if (typeof value !== 'string' || value.trim() === '') fail(this, itemIndex, field, 'is required');
	const text = (value as string).trim();
	if (text.length > max) fail(this, itemIndex, field, `must be at most ${max} characters (got ${text.length})`);
	return text;
}

export function optionalText(this: IExecuteFunctions, itemIndex: number, field: string, value: unknown, max = 255): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	return requireText.call(this, itemIndex, field, value, max);
}

export function requireDate(this: IExecuteFunctions, itemIndex: number, field: string, value: unknown): string {
	const text = requireText.call(this, itemIndex, field, value, 10);
	const date = new Date(`${text}T00:00:00Z`);
	if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text) {
		fail(this, itemIndex, field, `must be a date as YYYY-MM-DD, for example 2026-07-15 (got "${text}")`);
	}
	return text;
}

export function requireTime(this: IExecuteFunctions, itemIndex: number, field: string, value: unknown): string {
	const text = requireText.call(this, itemIndex, field, value, 5);
	if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(text)) {
		fail(this, itemIndex, field, `must be a 24-hour time as HH:MM, for example 10:00 (got "${text}")`);
	}
	return text;
}

export function requireEmail(this: IExecuteFunctions, itemIndex: number, field: string, value: unknown): string {
	const text = requireText.call(this, itemIndex, field, value);
	if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text)) fail(this, itemIndex, field, `must be an email address (got "${text}")`);
	return text;
}

export function requirePositiveInteger(this: IExecuteFunctions, itemIndex: number, field: string, value: unknown): number {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
		fail(this, itemIndex, field, `must be a whole number of at least 1 (got "${String(value)}")`);
	}
	return number as number;
}

export function requireHttpUrl(this: IExecuteFunctions, itemIndex: number, field: string, value: unknown): string {
	const text = requireText.call(this, itemIndex, field, value, 2048);
	let url: URL | undefined;
	try {
		url = new URL(text);
	} catch {
		url = undefined;
	}
	if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
		fail(this, itemIndex, field, `must be an http(s):// URL (got "${text}")`);
	}
	return text;
}

export function requireIntegerBetween(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
	min: number,
	max: number,
): number {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isInteger(number) || number < min || number > max) {
		fail(this, itemIndex, field, `must be a whole number from ${min} to ${max} (got "${String(value)}")`);
	}
	return number as number;
}

export function optionalDate(this: IExecuteFunctions, itemIndex: number, field: string, value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	return requireDate.call(this, itemIndex, field, value);
}

export function optionalEmail(this: IExecuteFunctions, itemIndex: number, field: string, value: unknown): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	return requireEmail.call(this, itemIndex, field, value);
}

/** An optional value that must be one of a fixed list (an options field set by an expression). */
export function optionalOneOf(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
	allowed: readonly string[],
): string | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const text = requireText.call(this, itemIndex, field, value);
	if (!allowed.includes(text)) fail(this, itemIndex, field, `must be one of ${allowed.join(', ')} (got "${text}")`);
	return text;
}
