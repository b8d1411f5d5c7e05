/**
 * The end-to-end suite: real n8n (installed into a cache outside the clone on first use) with
 * this package loaded, against the local sandbox. `npm run test:e2e`; N8N_VERSION picks the n8n
 * version (default 2.41.1, also 1.123.81).
 */
const { suite } = require('./jest.base');

module.exports = suite('test/e2e', {
	// One n8n at a time: each uses a core or more, and the machine has two.
	maxWorkers: 1,
	// n8n takes ~10 s to start; a first run also installs it (several minutes, in beforeAll).
	testTimeout: 120_000,
	slowTestThreshold: 60,
});
