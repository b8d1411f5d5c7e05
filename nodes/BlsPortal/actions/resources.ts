import { account } from './account';
import { booking } from './booking';
import { course } from './course';
import type { BlsResource } from './operation';
import { timeslot } from './timeslot';
import { token } from './token';
import { webhookEndpoint } from './webhookEndpoint';

export const resources = {
	account,
	booking,
	course,
	timeslot,
	token,
	webhookEndpoint,
} satisfies Record<string, BlsResource>;

export type ResourceName = keyof typeof resources;
