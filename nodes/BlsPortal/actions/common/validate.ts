import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { normalizeTime, readFlag } from '../../../shared/apiShapes';

/**
 * Input checks run before any request, so a typo costs no API call (and no rate-limit quota)
 * and the error names the field to fix. They check only what the API docs state or what makes a
 * request meaningless (a missing value, text where a number belongs): lengths, ranges and value
 * lists the docs never give are left to the API, whose 422 names the field (docs/api-assumptions.md).
 */
type Check<T> = (this: IExecuteFunctions, itemIndex: number, field: string, value: unknown) => T;

function fail(ctx: IExecuteFunctions, itemIndex: number, field: string, problem: string): never {
	throw new NodeOperationError(ctx.getNode(), `${field}: ${problem}`, {
		itemIndex,
		description: `Fix the "${field}" field of item ${itemIndex + 1} and run again. No request was sent to BLS Portal.`,
	});
}

export function requireText(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
): string {
	if (typeof value === 'number') value = String(value);
	if (value !== undefined && value !== null && typeof value !== 'string') {
		const kind = Array.isArray(value)
			? 'a list'
			: typeof value === 'object'
				? 'an object'
				: `a ${typeof value}`;
		fail(this, itemIndex, field, `must be text (got ${kind})`);
	}
	if (typeof value !== 'string' || value.trim() === '') fail(this, itemIndex, field, 'is required');
	return (value as string).trim();
}

export function requireDate(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
): string {
	const text = requireText.call(this, itemIndex, field, value);
	const date = new Date(`${text}T00:00:00Z`);
	if (
		!/^\d{4}-\d{2}-\d{2}$/.test(text) ||
		Number.isNaN(date.getTime()) ||
		date.toISOString().slice(0, 10) !== text
	) {
		fail(
			this,
			itemIndex,
			field,
			`must be a date as YYYY-MM-DD, for example 2026-07-15 (got "${text}")`,
		);
	}
	return text;
}

/**
 * A 24-hour time, sent as the docs write it (`HH:MM`). `HH:MM:SS` is accepted too: a server that
 * answers times with seconds fills the Time dropdown with such values.
 */
export function requireTime(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
): string {
	const text = requireText.call(this, itemIndex, field, value);
	if (!/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/.test(text)) {
		fail(
			this,
			itemIndex,
			field,
			`must be a 24-hour time as HH:MM (or HH:MM:SS), for example 10:00 (got "${text}")`,
		);
	}
	return normalizeTime(text) as string;
}

export function requireEmail(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
): string {
	const text = requireText.call(this, itemIndex, field, value);
	if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(text))
		fail(this, itemIndex, field, `must be an email address (got "${text}")`);
	return text;
}

export function requirePositiveInteger(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
): number {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
		fail(this, itemIndex, field, `must be a whole number of at least 1 (got "${String(value)}")`);
	}
	return number as number;
}

export function requireHttpUrl(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
): string {
	const text = requireText.call(this, itemIndex, field, value);
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

export function requireWholeNumber(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
): number {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	if (typeof number !== 'number' || !Number.isInteger(number)) {
		fail(this, itemIndex, field, `must be a whole number (got "${String(value)}")`);
	}
	return number as number;
}

/** `true`/`false`, or `1`/`0` and their strings as an expression may give them. */
export function requireBoolean(
	this: IExecuteFunctions,
	itemIndex: number,
	field: string,
	value: unknown,
): boolean {
	const flag = readFlag(value);
	if (flag === undefined)
		fail(this, itemIndex, field, `must be true or false (got "${String(value)}")`);
	return flag as boolean;
}

/** The check for a field that may be left empty: empty gives `undefined`, anything else is checked. */
function optional<T>(check: Check<T>): Check<T | undefined> {
	return function (this: IExecuteFunctions, itemIndex, field, value) {
		if (value === undefined || value === null || value === '') return undefined;
		return check.call(this, itemIndex, field, value);
	};
}

export const optionalText = optional(requireText);
export const optionalDate = optional(requireDate);
export const optionalEmail = optional(requireEmail);
