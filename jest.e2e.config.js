/**
 * The end-to-end suite: real n8n (installed into a cache outside the clone on first use) with
 * this package loaded, against the local sandbox. `npm run test:e2e`; N8N_VERSION picks the n8n
 * version (default 2.41.1, also 1.123.81).
 */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.test.ts'],
	transform: {
		// Transpile only (`npx tsc -p tsconfig.tools.json` type-checks), with source maps for readable failures.
		'^.+\\.ts$': [
			'ts-jest',
			{
				tsconfig: {
					isolatedModules: true,
					sourceMap: true,
					module: 'commonjs',
					target: 'es2022',
					esModuleInterop: true,
					resolveJsonModule: true,
				},
			},
		],
	},
	// One n8n at a time: each uses a core or more, and the machine has two.
	maxWorkers: 1,
	// n8n takes ~10 s to start; a first run also installs it (several minutes, in beforeAll).
	testTimeout: 120_000,
	slowTestThreshold: 60,
};
