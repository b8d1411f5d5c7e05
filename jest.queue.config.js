/**
 * The queue-mode suite (`npm run test:queue`): real n8n (N8N_VERSION, default 2.41.1) as one main,
 * two `n8n webhook` processes and two workers, with private Redis and Postgres from Debian's
 * packages (installed with apt-get when missing), against the sandbox. One cluster for the suite.
 */
const { suite } = require('./jest.base');

module.exports = suite('test/queue', {
	maxWorkers: 1,
	// Starting the cluster takes about a minute on 2 cores; scenario 6 waits for n8n to notice a dead worker.
	testTimeout: 600_000,
	slowTestThreshold: 120,
});
