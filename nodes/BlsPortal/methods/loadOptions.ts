import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { normalizeTime } from '../../shared/apiShapes';
import { blsApiList } from '../../shared/transport';

/** The date dropdown lists this far ahead; a later day can still be given as an expression. */
const DATE_PICKER_MONTHS_AHEAD = 3;

function price(course: IDataObject): string {
	const amount = Number(course.price);
	if (!Number.isFinite(amount)) return '';
	const currency = String(course.currency ?? 'GBP');
	return currency === 'GBP' ? ` (£${amount.toFixed(2)})` : ` (${amount.toFixed(2)} ${currency})`;
}

/** The course chosen in the editor, or undefined while none (or an unresolved expression) is set. */
function chosenCourseId(this: ILoadOptionsFunctions): number | undefined {
	const id = Number(this.getNodeParameter('courseId', '') as unknown);
	return Number.isInteger(id) && id > 0 ? id : undefined;
}

function formatDay(date: string): string {
	const day = new Date(`${date}T00:00:00Z`);
	if (Number.isNaN(day.getTime())) return date;
	const format = {
		weekday: 'short',
		day: 'numeric',
		month: 'short',
		year: 'numeric',
		timeZone: 'UTC',
	} as const;
	return day.toLocaleDateString('en-GB', format);
}

export async function getCourses(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const courses = await blsApiList.call(this, '/courses');
	return courses.map((course) => ({
		name: `${String(course.name)}${price(course)}`,
		value: Number(course.id),
		description: typeof course.description === 'string' ? course.description : undefined,
	}));
}

export async function getTimeslotDates(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const courseId = chosenCourseId.call(this);
	if (courseId === undefined) return [];
	const slots = await blsApiList.call(this, '/timeslots', {
		course_id: courseId,
		months_ahead: DATE_PICKER_MONTHS_AHEAD,
	});
	const timesPerDay = new Map<string, number>();
	for (const slot of slots) {
		const date = String(slot.date);
		timesPerDay.set(date, (timesPerDay.get(date) ?? 0) + 1);
	}
	return [...timesPerDay].map(([date, times]) => ({
		name: `${formatDay(date)} (${times} ${times === 1 ? 'time' : 'times'} free)`,
		value: date,
	}));
}

export async function getTimeslotTimes(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	const courseId = chosenCourseId.call(this);
	const date = String(this.getNodeParameter('date', '') ?? '');
	if (courseId === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return [];
	// The widest window, so any day the API offers is found; the date filter keeps it to one page.
	const slots = await blsApiList.call(this, '/timeslots', {
		course_id: courseId,
		months_ahead: 6,
		date,
	});
	return slots.map((slot) => {
		const spaces = Number(slot.spaces_available);
		// As the node sends times (HH:MM), whatever format the server lists them in.
		const time = String(normalizeTime(slot.time));
		const left = Number.isFinite(spaces)
			? ` (${spaces} ${spaces === 1 ? 'place' : 'places'} left)`
			: '';
		return { name: `${time}${left}`, value: time };
	});
}
