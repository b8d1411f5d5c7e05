/**
 * What every jest suite here shares: TypeScript through ts-jest with tsconfig.tools.json, which
 * has isolatedModules, so tests are transpiled only (`npx tsc -p tsconfig.tools.json` type-checks).
 */
exports.suite = (root, options) => ({
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: [`<rootDir>/${root}`],
	testMatch: ['**/*.test.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.tools.json' }] },
	...options,
});
