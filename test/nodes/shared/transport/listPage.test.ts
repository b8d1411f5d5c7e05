import { readListPage } from '../../../../nodes/shared/transport/listPage';

const items = (n: number, from = 1) => Array.from({ length: n }, (_, i) => ({ id: from + i }));

describe('reading a list answer', () => {
	it('trusts meta: the page and page size the server used, and whether more follow', () => {
		const page = readListPage(
			{
				data: items(50, 51),
				meta: { current_page: 2, per_page: 50, last_page: 3, total: 130 },
				links: { next: 'x?page=3' },
			},
			{ page: 2, perPage: 100 },
		);
		expect(page).toMatchObject({ page: 2, perPage: 50, more: true, moreFrom: 'meta', total: 130 });
	});

	it('reads meta numbers sent as strings', () => {
		const page = readListPage(
			{ data: items(20), meta: { current_page: '1', per_page: '20', last_page: '1' } },
			{ page: 1, perPage: 100 },
		);
		expect(page).toMatchObject({ page: 1, perPage: 20, more: false });
	});

	it('with links only, a short first page followed by a next link shows the server cap', () => {
		const page = readListPage(
			{ data: items(50), links: { next: 'x?page=2', prev: null } },
			{ page: 1, perPage: 100 },
		);
		expect(page).toMatchObject({ perPage: 50, more: true, moreFrom: 'links', next: 'x?page=2' });
	});

	it('with links only, a short page without a next link is the end', () => {
		const page = readListPage({ data: items(7), links: { next: null } }, { page: 1, perPage: 100 });
		expect(page).toMatchObject({ perPage: 100, more: false });
	});

	it('more items than asked for show a server that ignores per_page', () => {
		expect(
			readListPage({ data: items(20), links: { next: null } }, { page: 1, perPage: 1 }).perPage,
		).toBe(20);
	});

	it('with neither meta nor links, a short first page may be a cap: the next page tells', () => {
		expect(readListPage({ data: items(30) }, { page: 1, perPage: 100 })).toMatchObject({
			perPage: 30,
			more: true,
			moreFrom: 'size',
		});
		expect(readListPage({ data: items(30, 101) }, { page: 2, perPage: 100 })).toMatchObject({
			more: false,
		});
	});

	it('an empty page is the end, and a bare array is a list too', () => {
		expect(
			readListPage({ data: [], meta: { current_page: 9, last_page: 12 } }, { page: 9, perPage: 20 })
				.more,
		).toBe(false);
		expect(readListPage(items(3), { page: 1, perPage: 100 }).items).toHaveLength(3);
	});
});
