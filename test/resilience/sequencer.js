/** Runs the resilience suites in a fixed order: fast in-process ones first, the 3-minute soak last. */
const Sequencer = require('@jest/test-sequencer').default;

const ORDER = [
	'signatureProperties',
	'badInput',
	'faultInjection',
	'rateLimitWindow',
	'secrets',
	'webhookAttackCorpus',
	'soak',
];

const rank = (path) => {
	const index = ORDER.findIndex((name) => path.includes(`${name}.test.ts`));
	return index === -1 ? ORDER.length : index;
};

class ResilienceSequencer extends Sequencer {
	sort(tests) {
		return [...tests].sort((a, b) => rank(a.path) - rank(b.path));
	}
}

module.exports = ResilienceSequencer;
