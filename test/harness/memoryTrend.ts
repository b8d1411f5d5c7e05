/**
 * Memory trend of a long run, from samples of a process's memory taken against the number of
 * deliveries it had received so far. Growth is the least-squares slope of memory over deliveries,
 * fitted separately over the first and the second half of the deliveries: the first half holds the
 * warm-up (code compiled, caches filled), the second half is the steady state, where a process
 * that does not leak stays flat and a leak shows as its per-delivery size.
 */

export interface MemorySample {
	/** Deliveries the process had received when the sample was taken. */
	deliveries: number;
	/** V8 heap in use right after a full garbage collection (live objects only). */
	heapUsedBytes: number;
	/** Resident set size, for the report only (see soak.test.ts for why it is not the measure). */
	rssBytes: number;
}

export interface HalfTrend {
	samples: number;
	fromDeliveries: number;
	toDeliveries: number;
	/** Least-squares slope, in bytes per delivery received. */
	bytesPerDelivery: number;
}

export interface MemoryTrend {
	firstHalf: HalfTrend;
	secondHalf: HalfTrend;
	/** Growth of the steady state (second half) per 1000 deliveries, in bytes. */
	growthPer1000Deliveries: number;
	/** RSS over the same second half, per 1000 deliveries, in bytes (reported, not judged). */
	rssGrowthPer1000Deliveries: number;
}

/**
 * The most the steady-state heap may grow per delivery: 1200 bytes (1.14 MiB per 1000 deliveries).
 * Measured on n8n 2.41.1 with the soak's quiet-point samples (recorded in test/harness/fixtures/):
 * 614 bytes per delivery without a leak (n8n's own slow growth between its clean-ups, plus the
 * trigger's duplicate-retry memory: an event id and a time, bounded to 10,000 per endpoint), 1807
 * with a leak of 1 KB per delivery injected into n8n (preload/leakPerDelivery.js): the bound sits
 * between the two, so that leak fails it.
 */
export const HEAP_GROWTH_BOUND_BYTES_PER_DELIVERY = 1200;

/** Fewest samples per half for a slope worth judging. */
export const MIN_SAMPLES_PER_HALF = 6;

/** Least-squares slope of y over x. */
export function leastSquaresSlope(points: ReadonlyArray<readonly [number, number]>): number {
	if (points.length < 2) throw new Error(`a slope needs two points or more, got ${points.length}`);
	const n = points.length;
	const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
	const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
	let covariance = 0;
	let varianceX = 0;
	for (const [x, y] of points) {
		covariance += (x - meanX) * (y - meanY);
		varianceX += (x - meanX) ** 2;
	}
	if (varianceX === 0) throw new Error('a slope needs points at two different x or more');
	return covariance / varianceX;
}

function half(samples: MemorySample[], pick: (sample: MemorySample) => number): HalfTrend {
	return {
		samples: samples.length,
		fromDeliveries: samples[0].deliveries,
		toDeliveries: samples[samples.length - 1].deliveries,
		bytesPerDelivery: leastSquaresSlope(
			samples.map((sample) => [sample.deliveries, pick(sample)] as const),
		),
	};
}

/** Splits the samples at the middle of the deliveries and fits each half. */
export function memoryTrend(samples: MemorySample[]): MemoryTrend {
	const sorted = [...samples].sort((a, b) => a.deliveries - b.deliveries);
	if (sorted.length === 0) throw new Error('no memory samples');
	const middle = (sorted[0].deliveries + sorted[sorted.length - 1].deliveries) / 2;
	const first = sorted.filter((sample) => sample.deliveries <= middle);
	const second = sorted.filter((sample) => sample.deliveries >= middle);
	for (const [name, part] of [
		['first', first],
		['second', second],
	] as const) {
		if (part.length < MIN_SAMPLES_PER_HALF) {
			throw new Error(
				`the ${name} half of the run has ${part.length} memory samples, fewer than the ${MIN_SAMPLES_PER_HALF} a slope needs: run longer or sample more often`,
			);
		}
	}
	const secondHalf = half(second, (sample) => sample.heapUsedBytes);
	return {
		firstHalf: half(first, (sample) => sample.heapUsedBytes),
		secondHalf,
		growthPer1000Deliveries: secondHalf.bytesPerDelivery * 1000,
		rssGrowthPer1000Deliveries: half(second, (sample) => sample.rssBytes).bytesPerDelivery * 1000,
	};
}

/** True when the steady state grows less than the bound per delivery. */
export function heapStaysFlat(
	trend: MemoryTrend,
	boundBytesPerDelivery = HEAP_GROWTH_BOUND_BYTES_PER_DELIVERY,
): boolean {
	return trend.secondHalf.bytesPerDelivery < boundBytesPerDelivery;
}

/** "0.12 MiB" for a byte count. */
export function mib(bytes: number): string {
	return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
