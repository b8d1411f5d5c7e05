import {
	QUOTA_WINDOW_MS,
	RETRY_LIMITS,
	rateLimitWait,
} from '../../../../nodes/shared/transport/request';

const limited = (retryAfterMs?: number) => ({
	status: 429,
	retryAfterMs,
	message: 'Too Many Attempts.',
});

describe('waiting after a 429', () => {
	it('waits as long as Retry-After says', () => {
		expect(rateLimitWait(limited(5000), 0, 0)).toBe(5000);
	});

	it('gives up after the last attempt when the API names its waits', () => {
		expect(rateLimitWait(limited(1000), RETRY_LIMITS.rateLimitAttempts, 8000)).toBeUndefined();
	});

	it('gives up at once when Retry-After is beyond the total wait', () => {
		expect(rateLimitWait(limited(600_000), 0, 0)).toBeUndefined();
	});

	it('without Retry-After, never gives up before a whole quota window has passed', () => {
		// Eight back-offs can add up to well under a minute; the documented window is 60 s.
		const wait = rateLimitWait(
			limited(),
			RETRY_LIMITS.rateLimitAttempts + 3,
			QUOTA_WINDOW_MS - 1000,
		);
		expect(wait).toBeGreaterThan(0);
		expect(wait).toBeLessThanOrEqual(RETRY_LIMITS.maxBackoffMs);
	});

	it('without Retry-After, gives up once the window was waited out and the attempts are used', () => {
		expect(
			rateLimitWait(limited(), RETRY_LIMITS.rateLimitAttempts, QUOTA_WINDOW_MS + 1),
		).toBeUndefined();
	});

	it('never waits more than the total bound', () => {
		expect(rateLimitWait(limited(), 2, RETRY_LIMITS.rateLimitTotalWaitMs)).toBeUndefined();
	});
});
