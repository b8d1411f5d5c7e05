/** Calendar helpers. Training dates are plain `YYYY-MM-DD` days in UTC. */

const DAY_MS = 86_400_000;

export function isoDate(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}

/** Timestamps in resources: ISO-8601 UTC with milliseconds, e.g. 2026-06-05T10:00:00.000Z. */
export function isoTime(ms: number): string {
	return new Date(ms).toISOString();
}

/** `occurred_at` in webhook envelopes, as documented: 2026-06-05T10:00:00+00:00. */
export function isoOffsetTime(ms: number): string {
	return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export function isoTimeOrNull(ms: number | null): string | null {
	return ms === null ? null : isoTime(ms);
}

/** Parses a strict, real calendar date; undefined when it is not one. */
export function parseDate(value: string): number | undefined {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
	const ms = Date.parse(`${value}T00:00:00Z`);
	return Number.isNaN(ms) || isoDate(ms) !== value ? undefined : ms;
}

export function addDays(date: string, days: number): string {
	return isoDate((parseDate(date) ?? 0) + days * DAY_MS);
}

/** Same day `months` later, clamped to the month's last day. */
export function addMonths(date: string, months: number): string {
	const d = new Date(parseDate(date) ?? 0);
	const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
	const lastDay = new Date(
		Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0),
	).getUTCDate();
	target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
	return isoDate(target.getTime());
}

export function isWeekday(date: string): boolean {
	const day = new Date(parseDate(date) ?? 0).getUTCDay();
	return day !== 0 && day !== 6;
}

/** The milliseconds of a training date and `HH:MM` time. */
export function slotMs(date: string, time: string): number {
	return Date.parse(`${date}T${time}:00Z`);
}
