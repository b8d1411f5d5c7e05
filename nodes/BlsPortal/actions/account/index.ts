import type { INodeProperties } from 'n8n-workflow';

import type { BlsResource } from '../operation';
import * as getBookingUrl from './getBookingUrl.operation';
import * as getCredits from './getCredits.operation';
import * as getManyTransactions from './getManyTransactions.operation';

const operationPicker: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	displayOptions: { show: { resource: ['account'] } },
	options: [
		{
			name: 'Get Booking URL',
			value: 'getBookingUrl',
			description:
				"Get your account's public booking page, to send to candidates who book themselves",
			action: 'Get the booking URL',
		},
		{
			name: 'Get Credits',
			value: 'getCredits',
			description: 'Get booking credits per course and the GBP money balance',
			action: 'Get credits and balance',
		},
		{
			name: 'Get Many Transactions',
			value: 'getManyTransactions',
			description: 'List wallet transactions: credit purchases, top-ups, bookings and refunds',
			action: 'Get many transactions',
		},
	],
	default: 'getCredits',
};

export const account: BlsResource<'getBookingUrl' | 'getCredits' | 'getManyTransactions'> = {
	operations: { getBookingUrl, getCredits, getManyTransactions },
	description: [operationPicker, ...getManyTransactions.description],
};
