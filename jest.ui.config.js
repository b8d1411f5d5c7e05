/**
 * The editor suite: a real Chromium against the n8n that `npm start` brings up (scripts/demo.ts).
 * `npm run test:ui`; N8N_VERSION picks the n8n version (default 2.41.1). Screenshots of every
 * step are kept in test-results/ui/.
 */
const { suite } = require('./jest.base');

module.exports = suite('test/ui', { maxWorkers: 1, testTimeout: 180_000, slowTestThreshold: 120 });
