/** The fast suite: unit and over-HTTP tests against the in-process sandbox. */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// The real-n8n, resilience, queue-mode, editor and benchmark suites have their own configs and commands.
	testPathIgnorePatterns: [
		'/node_modules/',
		'<rootDir>/test/e2e/',
		'<rootDir>/test/resilience/',
		'<rootDir>/test/queue/',
		'<rootDir>/test/ui/',
	],
	transform: {
		'^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.tools.json' }],
	},
	// Expected errors are asserted, not printed (set N8N_LOG_LEVEL=debug to see n8n's log).
	setupFiles: ['<rootDir>/test/setup/quietN8nLogs.ts'],
	testTimeout: 30_000,
};
