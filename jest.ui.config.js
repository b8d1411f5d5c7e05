/**
 * The editor suite: a real Chromium against the n8n that `npm start` brings up (scripts/demo.ts).
 * `npm run test:ui`; N8N_VERSION picks the n8n version (default 2.41.1). Screenshots of every
 * step are kept in test-results/ui/.
 */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test/ui'],
	testMatch: ['**/*.test.ts'],
	transform: {
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
	maxWorkers: 1,
	testTimeout: 180_000,
	slowTestThreshold: 120,
};
