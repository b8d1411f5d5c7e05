import { account } from './account';
import type { BlsResource } from './operation';
import { token } from './token';

export const resources = {
	account,
	token,
} satisfies Record<string, BlsResource>;

export type ResourceName = keyof typeof resources;
