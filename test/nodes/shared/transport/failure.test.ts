import { retryAfterMs } from '../../../../nodes/shared/transport/failure';

describe('Retry-After', () => {
	const now = Date.parse('2026-06-05T10:00:00Z');

	it.each([
		['120', 120_000],
		['0', 0],
		['1.5', 1500],
		[' 7 ', 7000],
	])('"%s" seconds waits %i ms', (value, ms) => {
		expect(retryAfterMs(value, now)).toBe(ms);
	});

	it('an HTTP-date waits until that moment', () => {
		expect(retryAfterMs('Fri, 05 Jun 2026 10:00:42 GMT', now)).toBe(42_000);
	});

	it.each([
		['absent', undefined],
		['empty', ''],
		['blank', '   '],
		['unreadable', 'soon'],
		['a date already past', 'Fri, 05 Jun 2026 09:59:00 GMT'],
	])('%s counts as no Retry-After, never as "retry at once"', (_, value) => {
		expect(retryAfterMs(value, now)).toBeUndefined();
	});
});
