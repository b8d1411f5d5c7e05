import {
	DUPLICATE_HORIZON_MS,
	SeenEventIds,
	forgetEndpoint,
	seenEventIdsFor,
} from '../../../nodes/BlsPortalTrigger/deliveryGuard';

const RETRY_SCHEDULE_MS = 5 * 15 * 60_000;

describe('SeenEventIds', () => {
	it('lets an event through once and stops it for the whole documented retry schedule', () => {
		const seen = new SeenEventIds();
		expect(seen.firstSighting('e1', 0)).toBe(true);
		for (let retry = 1; retry <= 5; retry++)
			expect(seen.firstSighting('e1', retry * 15 * 60_000)).toBe(false);
		expect(DUPLICATE_HORIZON_MS).toBeGreaterThan(RETRY_SCHEDULE_MS);
	});

	it('forgets an id after the horizon, so memory does not grow forever', () => {
		const seen = new SeenEventIds(1000, 100);
		seen.firstSighting('e1', 0);
		seen.firstSighting('e2', 500);
		expect(seen.firstSighting('e3', 1200)).toBe(true);
		expect(seen.size).toBe(2);
		expect(seen.firstSighting('e1', 1200)).toBe(true);
	});

	it('keeps at most the bound, dropping the oldest first', () => {
		const seen = new SeenEventIds(DUPLICATE_HORIZON_MS, 3);
		for (const id of ['a', 'b', 'c', 'd']) seen.firstSighting(id, 0);
		expect(seen.size).toBe(3);
		expect(seen.firstSighting('d', 1)).toBe(false);
		expect(seen.firstSighting('a', 1)).toBe(true);
	});

	it('lets a forgotten id through again (its handling failed before the 2xx)', () => {
		const seen = new SeenEventIds();
		seen.firstSighting('e1');
		seen.forget('e1');
		expect(seen.firstSighting('e1')).toBe(true);
	});

	it('keeps one memory per endpoint, dropped with the endpoint', () => {
		seenEventIdsFor('wf/a/1').firstSighting('e1');
		expect(seenEventIdsFor('wf/b/2').firstSighting('e1')).toBe(true);
		expect(seenEventIdsFor('wf/a/1').firstSighting('e1')).toBe(false);
		forgetEndpoint('wf/a/1');
		expect(seenEventIdsFor('wf/a/1').firstSighting('e1')).toBe(true);
	});
});
