/** Laravel-like input validation that collects every field error before answering 422. */
import { validationError } from './errors';
import { parseDate } from './time';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const label = (field: string): string => field.replace(/_/g, ' ');

interface Rules {
	required?: boolean;
}

export class Validator {
	private readonly errors: Record<string, string[]> = {};

	constructor(private readonly input: Record<string, unknown>) {}

	fail(field: string, message: string): void {
		(this.errors[field] ??= []).push(message);
	}

	/** The raw value, or undefined (after recording "required") when absent, null or "". */
	private present(field: string, rules: Rules): unknown {
		const value = this.input[field];
		if (value === undefined || value === null || value === '') {
			if (rules.required) this.fail(field, `The ${label(field)} field is required.`);
			return undefined;
		}
		return value;
	}

	string(field: string, rules: Rules & { max?: number; email?: boolean } = {}): string | undefined {
		const value = this.present(field, rules);
		if (value === undefined) return undefined;
		if (typeof value !== 'string')
			return void this.fail(field, `The ${label(field)} field must be a string.`);
		const max = rules.max ?? 255;
		if (value.length > max)
			return void this.fail(
				field,
				`The ${label(field)} field must not be greater than ${max} characters.`,
			);
		if (rules.email && !EMAIL.test(value)) {
			return void this.fail(field, `The ${label(field)} field must be a valid email address.`);
		}
		return value;
	}

	/** Accepts numbers and numeric strings (query parameters are strings). */
	integer(field: string, rules: Rules & { min?: number; max?: number } = {}): number | undefined {
		const value = this.present(field, rules);
		if (value === undefined) return undefined;
		const number =
			typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
		if (typeof number !== 'number' || !Number.isInteger(number)) {
			return void this.fail(field, `The ${label(field)} field must be an integer.`);
		}
		if (
			(rules.min !== undefined && number < rules.min) ||
			(rules.max !== undefined && number > rules.max)
		) {
			return void this.fail(
				field,
				`The ${label(field)} field must be between ${rules.min} and ${rules.max}.`,
			);
		}
		return number;
	}

	boolean(field: string, rules: Rules = {}): boolean | undefined {
		const value = this.present(field, rules);
		if (value === undefined) return undefined;
		if (value === true || value === 'true' || value === 1 || value === '1') return true;
		if (value === false || value === 'false' || value === 0 || value === '0') return false;
		return void this.fail(field, `The ${label(field)} field must be true or false.`);
	}

	oneOf<T extends string>(field: string, allowed: readonly T[], rules: Rules = {}): T | undefined {
		const value = this.present(field, rules);
		if (value === undefined) return undefined;
		if (typeof value === 'string' && (allowed as readonly string[]).includes(value))
			return value as T;
		return void this.fail(field, `The selected ${label(field)} is invalid.`);
	}

	date(field: string, rules: Rules = {}): string | undefined {
		const value = this.string(field, rules);
		if (value === undefined) return undefined;
		if (parseDate(value) === undefined)
			return void this.fail(field, `The ${label(field)} field must match the format Y-m-d.`);
		return value;
	}

	time(field: string, rules: Rules = {}): string | undefined {
		const value = this.string(field, rules);
		if (value === undefined) return undefined;
		if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(value))
			return void this.fail(field, `The ${label(field)} field must match the format H:i.`);
		return value;
	}

	/** Throws the collected 422, if any. */
	check(): void {
		if (Object.keys(this.errors).length > 0) throw validationError(this.errors);
	}
}
