/**
 * The resilience suite (`npm run test:resilience`): webhook attack corpus and soak inside real n8n
 * (N8N_VERSION, default 2.41.1), signature properties, fault injection, bad input and secrets
 * against the local sandbox. Each suite prints its figures and asserts its goals (counts, never
 * timings). Run time: about 10 minutes on 2 cores (the soak alone streams for 3 in bursts and takes
 * 5-6 with n8n's start and its quiet points; BLS_SOAK_SECONDS changes the streaming time).
 */
const { suite } = require('./jest.base');

module.exports = suite('test/resilience', {
	// One suite at a time: the n8n ones use a core or more, and the machine has two.
	maxWorkers: 1,
	// n8n takes ~10 s to start; the soak runs for 5-6 minutes; fault injection waits out back-offs.
	testTimeout: 600_000,
	slowTestThreshold: 120,
	// n8n-core logs every node error through winston's console; the suites print their own figures to stdout.
	silent: true,
	// Cheap suites first, so a broken build fails fast.
	testSequencer: '<rootDir>/test/resilience/sequencer.js',
});
