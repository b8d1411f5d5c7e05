/** `npm run sandbox`: starts the sandbox on 127.0.0.1 and prints the demo credentials. */
import { parseArgs } from 'node:util';

import { DIALECT_SWITCHES, dialectName } from './dialects';
import { DEFAULT_PORT } from './options';
import type { SandboxOptions } from './options';
import { startSandbox } from './server';

const HELP = `Usage: npm run sandbox -- [options]

  --port N               listen port (default $BLS_SANDBOX_PORT or ${DEFAULT_PORT}; 0 = any free port)
  --host H               listen address (default 127.0.0.1)
  --bookings N           seeded bookings of the demo agency (default 25)
  --seed N               data seed (default 1)
  --today YYYY-MM-DD     pin the calendar day used for seeding and timeslots
  --rate-limit N         requests per window and IP (default 60; 0 disables)
  --rate-window-ms N     rate-limit window (default 60000)
  --access-ttl S         access token lifetime in seconds (default 3600)
  --refresh-ttl S        refresh token lifetime in seconds (default 604800)
  --hold-ttl S           timeslot hold lifetime in seconds (default 1800)
  --retry-delay-ms N     webhook retry delay (default 900000 = 15 min)
  --slot-capacity N      places per course per timeslot (default 4)
  --dialect a,b          answer open questions of the docs another way (default $BLS_SANDBOX_DIALECT
                         or the default dialect); switches:
${Object.entries(DIALECT_SWITCHES)
	.map(([name, description]) => `                           ${name.padEnd(22)} ${description}`)
	.join('\n')}
`;

function number(name: string, value: string | undefined): number | undefined {
	if (value === undefined) return undefined;
	const parsed = Number(value);
	if (!Number.isFinite(parsed)) throw new Error(`--${name} needs a number, got "${value}"`);
	return parsed;
}

function options(argv: string[]): SandboxOptions | undefined {
	const { values } = parseArgs({
		args: argv,
		options: {
			help: { type: 'boolean', short: 'h' },
			port: { type: 'string' },
			host: { type: 'string' },
			bookings: { type: 'string' },
			seed: { type: 'string' },
			today: { type: 'string' },
			'rate-limit': { type: 'string' },
			'rate-window-ms': { type: 'string' },
			'access-ttl': { type: 'string' },
			'refresh-ttl': { type: 'string' },
			'hold-ttl': { type: 'string' },
			'retry-delay-ms': { type: 'string' },
			'slot-capacity': { type: 'string' },
			dialect: { type: 'string' },
		},
	});
	if (values.help) return undefined;
	const max = number('rate-limit', values['rate-limit']);
	const windowMs = number('rate-window-ms', values['rate-window-ms']);
	return {
		port: number('port', values.port ?? process.env.BLS_SANDBOX_PORT) ?? DEFAULT_PORT,
		host: values.host,
		bookings: number('bookings', values.bookings),
		seed: number('seed', values.seed),
		today: values.today,
		rateLimit:
			max === 0
				? false
				: max !== undefined || windowMs !== undefined
					? { max, windowMs }
					: undefined,
		accessTokenTtlSeconds: number('access-ttl', values['access-ttl']),
		refreshTokenTtlSeconds: number('refresh-ttl', values['refresh-ttl']),
		holdTtlSeconds: number('hold-ttl', values['hold-ttl']),
		retryDelayMs: number('retry-delay-ms', values['retry-delay-ms']),
		slotCapacity: number('slot-capacity', values['slot-capacity']),
		dialect: values.dialect,
	};
}

async function main(): Promise<void> {
	const parsed = options(process.argv.slice(2));
	if (!parsed) {
		process.stdout.write(HELP);
		return;
	}
	// Drop unset values so the defaults apply.
	const chosen = Object.fromEntries(
		Object.entries(parsed).filter(([, v]) => v !== undefined),
	) as SandboxOptions;
	const sandbox = await startSandbox(chosen);
	const state = sandbox.state();
	const limit = state.config.rateLimit;
	const lines = [
		`BLS Portal sandbox listening on ${sandbox.origin}`,
		`  API base URL:  ${sandbox.apiUrl}`,
		`  Control:       ${sandbox.controlUrl}  (see docs/api-assumptions.md, "Sandbox")`,
		`  Seed ${state.seed}, day ${state.today}; rate limit ${limit ? `${limit.max} per ${limit.windowMs} ms` : 'off'}`,
		`  Dialect:       ${dialectName(sandbox.dialect)}`,
		'  Demo accounts (sandbox-only credentials):',
		...sandbox.accounts.map(
			(a) => `    ${a.hbClientId.padEnd(16)} API key ${a.apiKey}  (${a.name})`,
		),
	];
	process.stdout.write(`${lines.join('\n')}\n`);
	const shutdown = () => {
		void sandbox.stop().then(() => process.exit(0));
	};
	process.once('SIGINT', shutdown);
	process.once('SIGTERM', shutdown);
}

main().catch((error: Error) => {
	process.stderr.write(`BLS sandbox failed to start: ${error.message}\n`);
	process.exit(1);
});
