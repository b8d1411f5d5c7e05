/**
 * The layout a newcomer relies on: one file per operation that imports no other operation, and a
 * trigger that reads the API only through `nodes/shared/`, never the action node's internals.
 */
import { readdirSync, readFileSync } from 'fs';
import { dirname, join, relative, resolve } from 'path';

const NODES = resolve(__dirname, '../../nodes');

function sourceFiles(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) return sourceFiles(path);
		return entry.name.endsWith('.ts') ? [path] : [];
	});
}

/** Every relative import of a file, as a path under nodes/ (without extension). */
function localImports(file: string): string[] {
	const specifiers = [...readFileSync(file, 'utf8').matchAll(/from '(\.{1,2}\/[^']+)'/g)];
	return specifiers.map(([, specifier]) => relative(NODES, resolve(dirname(file), specifier)));
}

const files = sourceFiles(NODES);

test.each(files.filter((file) => file.endsWith('.operation.ts')).map((f) => relative(NODES, f)))(
	'%s imports no other operation',
	(file) => {
		const operationImports = localImports(join(NODES, file)).filter((path) =>
			path.endsWith('.operation'),
		);
		expect(operationImports).toEqual([]);
	},
);

test.each(
	files.filter((file) => file.includes('/BlsPortalTrigger/')).map((f) => relative(NODES, f)),
)('%s reaches the action node only through nodes/shared', (file) => {
	const intoActionNode = localImports(join(NODES, file)).filter((path) =>
		path.startsWith('BlsPortal/'),
	);
	expect(intoActionNode).toEqual([]);
});

test('the layout test sees the operations and the trigger', () => {
	expect(files.filter((file) => file.endsWith('.operation.ts')).length).toBeGreaterThan(20);
	expect(files.some((file) => file.endsWith('BlsPortalTrigger.node.ts'))).toBe(true);
});
