/**
 * Test-only preload (NODE_OPTIONS=--require) that lets the soak read n8n's live heap. Active only
 * when BLS_HEAP_PROBE_DIR is set: each Node process that loads it serves, on 127.0.0.1 and a free
 * port written to <dir>/<pid>.port, GET /heap → a full garbage collection (through the process's
 * own inspector session), then process.memoryUsage() of its main thread as JSON. The soak asks the process serving
 * n8n; the others (n8n's launcher, its task runner) are never asked. Nothing in the package changes.
 */
'use strict';
const dir = process.env.BLS_HEAP_PROBE_DIR;
// Main threads only: n8n starts worker threads, which load NODE_OPTIONS' preloads as well.
if (dir && require('node:worker_threads').isMainThread) {
	const fs = require('node:fs');
	const http = require('node:http');
	const inspector = require('node:inspector');
	const path = require('node:path');
	// n8n's bin installs source-map-support, which parses and keeps a file's source map the first
	// time a stack trace passes through that file: ~0.2 MiB per n8n file, bounded, but spread over
	// the first minutes of traffic (measured: 7 files of n8n's delivery path between 60 and 140 s
	// of the soak), which would read as growth per delivery. Its own option keeps stack traces
	// exactly as they are and drops that cache after each one, so what is left is what deliveries keep.
	try {
		const entry = process.argv[1] ? path.dirname(process.argv[1]) : process.cwd();
		const sourceMapSupport = require.resolve('source-map-support', { paths: [entry] });
		require(sourceMapSupport).install({ emptyCacheBetweenOperations: true });
	} catch {
		// not n8n (n8n's launcher): nothing to turn off
	}
	const session = new inspector.Session();
	session.connect();
	const server = http.createServer((request, response) => {
		const snapshot = /^\/snapshot\?file=(.+)$/.exec(request.url || '');
		if (snapshot) {
			// For investigating a growth by hand: a heap snapshot after a full collection.
			session.post('HeapProfiler.collectGarbage', () => {
				const file = require('node:v8').writeHeapSnapshot(decodeURIComponent(snapshot[1]));
				response.writeHead(200).end(file);
			});
			return;
		}
		if (request.url !== '/heap') {
			response.writeHead(404).end();
			return;
		}
		session.post('HeapProfiler.collectGarbage', (error) => {
			const body = error ? { error: String(error) } : process.memoryUsage();
			response.writeHead(error ? 500 : 200, { 'content-type': 'application/json' });
			response.end(JSON.stringify(body));
		});
	});
	server.unref();
	server.listen(0, '127.0.0.1', () => {
		fs.writeFileSync(path.join(dir, `${process.pid}.port`), String(server.address().port));
	});
}
