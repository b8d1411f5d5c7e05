/** Fixed-window rate limiter per client IP, like Laravel's throttle middleware. */
import type { RateLimitOptions } from './options';

export interface RateDecision {
	limited: boolean;
	limit: number;
	remaining: number;
	/** Whole seconds until the window closes (only meaningful when limited). */
	retryAfterSeconds: number;
}

export class RateLimiter {
	private readonly windows = new Map<string, { openedAt: number; count: number }>();

	/** Counts one request; a window opens with the first request after the previous one closed. */
	hit(key: string, options: RateLimitOptions, now = Date.now()): RateDecision {
		let window = this.windows.get(key);
		if (!window || now >= window.openedAt + options.windowMs) {
			window = { openedAt: now, count: 0 };
			this.windows.set(key, window);
		}
		const retryAfterSeconds = Math.max(
			1,
			Math.ceil((window.openedAt + options.windowMs - now) / 1000),
		);
		if (window.count >= options.max) {
			return { limited: true, limit: options.max, remaining: 0, retryAfterSeconds };
		}
		window.count++;
		return {
			limited: false,
			limit: options.max,
			remaining: options.max - window.count,
			retryAfterSeconds,
		};
	}

	clear(): void {
		this.windows.clear();
	}
}
