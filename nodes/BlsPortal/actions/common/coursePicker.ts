import type { IDisplayOptions, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { requirePositiveInteger } from './validate';

/** The course dropdown (loaded from GET /courses) shared by every operation that needs a course. */
export function coursePicker(show: IDisplayOptions['show']): INodeProperties {
	return {
		displayName: 'Course Name or ID',
		name: 'courseId',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getCourses' },
		required: true,
		default: '',
		description:
			'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		displayOptions: { show },
	};
}

export function readCourseId(this: IExecuteFunctions, itemIndex: number): number {
	return requirePositiveInteger.call(
		this,
		itemIndex,
		'Course',
		this.getNodeParameter('courseId', itemIndex, ''),
	);
}
