import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { blsApiList } from '../../../shared/transport';
import { paginationFields, requestedLimit } from '../common/pagination';

export const description = paginationFields('course', 'getMany', 'courses');

export async function execute(
	this: IExecuteFunctions,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const courses = await blsApiList.call(this, '/courses', {}, requestedLimit.call(this, itemIndex));
	return courses.map((json) => ({ json }));
}
