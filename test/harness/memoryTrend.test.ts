import {
	HEAP_GROWTH_BOUND_BYTES_PER_DELIVERY,
	heapStaysFlat,
	leastSquaresSlope,
	memoryTrend,
	type MemorySample,
} from './memoryTrend';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Quiet-point samples of two soaks in real n8n 2.41.1 (BLS_SOAK_SAMPLES_FILE), without and with the injected leak. */
const recorded = (name: string) =>
	JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as MemorySample[];
const recordedWithoutLeak = recorded('soak-heap-n8n-2.41.1.json');
const recordedWithLeak = recorded('soak-heap-n8n-2.41.1-leak-1024.json');

const MIB = 1024 * 1024;

/** A deterministic ±amplitude wobble (no Math.random: the same series every run). */
function wobble(index: number, amplitude: number): number {
	return amplitude * Math.sin(index * 2.3) * Math.cos(index * 0.7);
}

/**
 * Heap after GC of a soak like the real one: 16 quiet-point samples over 1,450 deliveries, a
 * warm-up that adds 2 MiB over the first 100 deliveries, ±100 KB of noise, plus `bytesPerDelivery`.
 */
function soakSeries(bytesPerDelivery: number): MemorySample[] {
	const samples: MemorySample[] = [];
	for (let index = 0; index < 16; index++) {
		const deliveries = Math.round((index * 1450) / 15);
		const warmUp = 2 * MIB * Math.min(1, deliveries / 100);
		const heapUsedBytes =
			176 * MIB + warmUp + wobble(index, 100 * 1024) + bytesPerDelivery * deliveries;
		samples.push({ deliveries, heapUsedBytes, rssBytes: 4 * heapUsedBytes });
	}
	return samples;
}

describe('memoryTrend', () => {
	it('fits a least-squares slope', () => {
		expect(
			leastSquaresSlope([
				[0, 1],
				[1, 3],
				[2, 5],
			]),
		).toBeCloseTo(2);
		expect(
			leastSquaresSlope([
				[0, 0],
				[1, 1],
				[2, 0],
				[3, 1],
			]),
		).toBeCloseTo(0.2);
		expect(() => leastSquaresSlope([[1, 1]])).toThrow(/two points/);
		expect(() =>
			leastSquaresSlope([
				[1, 1],
				[1, 2],
			]),
		).toThrow(/two different x/);
	});

	it('passes a heap that only warms up, and shows the warm-up in the first half only', () => {
		const trend = memoryTrend(soakSeries(0));
		expect(trend.firstHalf.bytesPerDelivery).toBeGreaterThan(HEAP_GROWTH_BOUND_BYTES_PER_DELIVERY);
		expect(Math.abs(trend.secondHalf.bytesPerDelivery)).toBeLessThan(100);
		expect(heapStaysFlat(trend)).toBe(true);
	});

	it("passes n8n's own growth as measured without a leak (about 600 bytes per delivery)", () => {
		expect(heapStaysFlat(memoryTrend(soakSeries(614)))).toBe(true);
	});

	it('fails that growth plus a leak of 1 KB per delivery, and measures the sum', () => {
		const trend = memoryTrend(soakSeries(614 + 1024));
		expect(heapStaysFlat(trend)).toBe(false);
		expect(trend.secondHalf.bytesPerDelivery).toBeGreaterThan(614 + 1024 - 50);
		expect(trend.secondHalf.bytesPerDelivery).toBeLessThan(614 + 1024 + 50);
		expect(trend.growthPer1000Deliveries).toBeCloseTo(trend.secondHalf.bytesPerDelivery * 1000);
	});

	it('passes the series recorded in real n8n 2.41.1, and fails the one recorded with a 1 KB leak injected', () => {
		const clean = memoryTrend(recordedWithoutLeak);
		const leaking = memoryTrend(recordedWithLeak);
		expect(heapStaysFlat(clean)).toBe(true);
		expect(heapStaysFlat(leaking)).toBe(false);
		// The difference between the two runs is the injected leak, give or take n8n's own noise.
		const difference = leaking.secondHalf.bytesPerDelivery - clean.secondHalf.bytesPerDelivery;
		expect(difference).toBeGreaterThan(700);
		expect(difference).toBeLessThan(1700);
	});

	it('refuses to judge a run too short for a slope', () => {
		expect(() => memoryTrend(soakSeries(0).slice(0, 8))).toThrow(/fewer than the 6 a slope needs/);
		expect(() => memoryTrend([])).toThrow(/no memory samples/);
	});
});
