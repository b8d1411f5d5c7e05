/**
 * The only place that talks HTTP to the BLS Portal API, in small steps: request and retry
 * (request.ts), reading failures (failure.ts) and translating them (apiError.ts), reading a list
 * answer (listPage.ts), the Limit plan (limitPlan.ts) and the list walk (listWalk.ts).
 */
import type { IDataObject } from 'n8n-workflow';

export {
	blsApiRequest,
	blsApiDownload,
	blsApiKind,
	RETRY_LIMITS,
	QUOTA_WINDOW_MS,
} from './request';
export type { BlsFunctions, BlsRequestOptions } from './request';
export { blsApiList } from './listWalk';
export { pagesForLimit, MAX_PAGE_SIZE } from './limitPlan';
export { apiErrorOf, asNodeError } from './apiError';

/** Single resources come as `{ data: {...} }`; tolerate a bare object too. */
export function unwrapData(response: IDataObject): IDataObject {
	const data = response?.data;
	return data && typeof data === 'object' && !Array.isArray(data)
		? (data as IDataObject)
		: response;
}
