/** An error answered as JSON `{ message, errors? }` with its HTTP status. */
export class HttpError extends Error {
	constructor(
		readonly status: number,
		message: string,
		readonly extra: {
			errors?: Record<string, string[]>;
			headers?: Record<string, string>;
			/** More top-level body fields, e.g. the active hold on a 409. */
			fields?: Record<string, unknown>;
		} = {},
	) {
		super(message);
	}

	body(): Record<string, unknown> {
		const { errors, fields } = this.extra;
		return { message: this.message, ...fields, ...(errors ? { errors } : {}) };
	}
}

/** Laravel-style 422: the message is the first error, with a count of the others. */
export function validationError(errors: Record<string, string[]>): HttpError {
	const messages = Object.values(errors).flat();
	const others = messages.length - 1;
	const suffix = others > 0 ? ` (and ${others} more error${others > 1 ? 's' : ''})` : '';
	return new HttpError(422, `${messages[0] ?? 'The given data was invalid.'}${suffix}`, { errors });
}

export function fieldError(field: string, message: string): HttpError {
	return validationError({ [field]: [message] });
}

export const notFound = (what = 'Resource'): HttpError => new HttpError(404, `${what} not found.`);
