/** The fast suite: unit and over-HTTP tests against the in-process sandbox. */
const { suite } = require('./jest.base');

module.exports = suite('test', {
	// The real-n8n, resilience, queue-mode and editor suites have their own configs and commands.
	testPathIgnorePatterns: [
		'/node_modules/',
		'<rootDir>/test/e2e/',
		'<rootDir>/test/resilience/',
		'<rootDir>/test/queue/',
		'<rootDir>/test/ui/',
	],
	// Expected errors are asserted, not printed (set N8N_LOG_LEVEL=debug to see n8n's log).
	setupFiles: ['<rootDir>/test/setup/quietN8nLogs.ts'],
	testTimeout: 30_000,
});
