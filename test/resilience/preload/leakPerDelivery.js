/**
 * Test-only preload (NODE_OPTIONS=--require) that injects a real memory leak into n8n, to prove
 * the soak's memory bound catches one. Active only when BLS_TEST_LEAK_BYTES_PER_DELIVERY is set
 * (the soak sets it when run with BLS_SOAK_INJECT_LEAK_BYTES): every request an http.Server in the
 * process receives on a production webhook path (/webhook/…) keeps a fresh string of that many
 * bytes alive for the life of the process. Nothing in the package changes.
 */
'use strict';
const bytes = Number(process.env.BLS_TEST_LEAK_BYTES_PER_DELIVERY || 0);
if (bytes > 0 && require('node:worker_threads').isMainThread) {
	const crypto = require('node:crypto');
	const http = require('node:http');
	const retained = [];
	globalThis.__blsTestLeak = retained;
	const emit = http.Server.prototype.emit;
	http.Server.prototype.emit = function (event, request, ...rest) {
		if (event === 'request' && /^\/webhook\//.test(request.url || '')) {
			// A flat one-byte string on the V8 heap: `bytes` hex characters, unique, never freed.
			retained.push(
				crypto
					.randomBytes(Math.ceil(bytes / 2))
					.toString('hex')
					.slice(0, bytes),
			);
		}
		return emit.call(this, event, request, ...rest);
	};
}
