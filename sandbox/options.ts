/** Sandbox options: what startSandbox, the CLI, POST /_sandbox/config and /_sandbox/reset accept. */

export interface RateLimitOptions {
	/** Requests allowed per window and client IP. */
	max: number;
	windowMs: number;
}

/** Settings that can change while the sandbox runs (POST /_sandbox/config). */
export interface RuntimeConfig {
	accessTokenTtlSeconds: number;
	refreshTokenTtlSeconds: number;
	holdTtlSeconds: number;
	/** `false` disables rate limiting. */
	rateLimit: RateLimitOptions | false;
	/** Delay between webhook delivery attempts (documented: 15 minutes). */
	retryDelayMs: number;
	/** Places per course per timeslot. */
	slotCapacity: number;
}

/** What the seeded data depends on (POST /_sandbox/reset). */
export interface SeedOptions {
	/** PRNG seed; the same seed and `today` give the same data. */
	seed: number;
	/** Number of seeded bookings of account 1. */
	bookings: number;
	/** Pin the calendar day (`YYYY-MM-DD`, UTC) used for seeding and timeslots; default: the real day. */
	today?: string;
}

export type RuntimeConfigPatch = Partial<Omit<RuntimeConfig, 'rateLimit'>> & {
	/** `false` or `0` disables; a partial object changes only what it names. */
	rateLimit?: Partial<RateLimitOptions> | false | 0;
};

export interface SandboxOptions extends RuntimeConfigPatch, Partial<SeedOptions> {
	/** 0 picks a free port. Default 8787. */
	port?: number;
	/** Default 127.0.0.1. */
	host?: string;
	/**
	 * Dialect switches (see sandbox/dialects.ts), e.g. `'page-cap-50,page-ignored'` or a list of names.
	 * When left out, `BLS_SANDBOX_DIALECT` decides, so every suite can run under another dialect;
	 * `'default'` (or `[]`) pins the default dialect.
	 */
	dialect?: string | readonly string[];
}

const DEFAULT_RATE_LIMIT: RateLimitOptions = { max: 60, windowMs: 60_000 };

export const DEFAULT_CONFIG: RuntimeConfig = {
	accessTokenTtlSeconds: 3600,
	refreshTokenTtlSeconds: 604_800,
	holdTtlSeconds: 1800,
	rateLimit: DEFAULT_RATE_LIMIT,
	retryDelayMs: 15 * 60_000,
	slotCapacity: 4,
};

export const DEFAULT_SEED: SeedOptions = { seed: 1, bookings: 25 };
export const DEFAULT_PORT = 8787;

export class ConfigError extends Error {}

function positiveNumber(name: string, value: unknown, min: number): number {
	if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
		throw new ConfigError(`${name} must be a number >= ${min}`);
	}
	return value;
}

/** Returns a new config with the patch applied; throws ConfigError on a bad value. */
export function applyConfigPatch(config: RuntimeConfig, patch: RuntimeConfigPatch): RuntimeConfig {
	const next: RuntimeConfig = { ...config };
	const numericKeys = [
		['accessTokenTtlSeconds', 1],
		['refreshTokenTtlSeconds', 1],
		['holdTtlSeconds', 1],
		['retryDelayMs', 0],
		['slotCapacity', 1],
	] as const;
	for (const [key, min] of numericKeys) {
		if (patch[key] !== undefined) next[key] = positiveNumber(key, patch[key], min);
	}
	if (patch.rateLimit !== undefined) {
		const limit = patch.rateLimit;
		if (limit === false || limit === 0) {
			next.rateLimit = false;
		} else if (typeof limit === 'object' && limit !== null) {
			const base = config.rateLimit || DEFAULT_RATE_LIMIT;
			next.rateLimit = {
				max: limit.max === undefined ? base.max : positiveNumber('rateLimit.max', limit.max, 1),
				windowMs:
					limit.windowMs === undefined
						? base.windowMs
						: positiveNumber('rateLimit.windowMs', limit.windowMs, 1),
			};
		} else {
			throw new ConfigError('rateLimit must be { max, windowMs }, false or 0');
		}
	}
	return next;
}

export function seedOptionsFrom(base: SeedOptions, patch: Partial<SeedOptions>): SeedOptions {
	const next: SeedOptions = { ...base };
	if (patch.seed !== undefined) next.seed = Math.floor(positiveNumber('seed', patch.seed, 0));
	if (patch.bookings !== undefined)
		next.bookings = Math.floor(positiveNumber('bookings', patch.bookings, 0));
	if (patch.today !== undefined) {
		if (typeof patch.today !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(patch.today)) {
			throw new ConfigError('today must be YYYY-MM-DD');
		}
		next.today = patch.today;
	}
	return next;
}
