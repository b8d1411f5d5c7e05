/** BLS Portal sandbox: a local simulator of the BLS Portal Client API. See docs/api-assumptions.md#sandbox. */
export { startSandbox, Sandbox, API_PREFIX, CONTROL_PREFIX } from './server';
export type {
	SandboxOptions,
	RuntimeConfig,
	RuntimeConfigPatch,
	RateLimitOptions,
	SeedOptions,
} from './options';
export { DEFAULT_CONFIG, DEFAULT_SEED, DEFAULT_PORT } from './options';
export type { ResetOptions, FiredEvent } from './core';
export type {
	SandboxAccountInfo,
	AccountPatch,
	AccountSnapshot,
	StateSnapshot,
	DeliveryLog,
} from './control';
export type { FaultSpec, ActiveFault } from './faults';
export type { RequestLogEntry, RequestLogSummary } from './requestlog';
export type { DeliveryAttempt, PendingRetry } from './webhooks';
export { signature as webhookSignature } from './webhooks';
export { DEMO_ACCOUNTS } from './seed';
export { WEBHOOK_EVENTS, PAY_OPTIONS } from './types';
export type { WebhookEventType, PayOption } from './types';
export {
	DIALECT_SWITCHES,
	DIALECT_ENV,
	DEFAULT_DIALECT,
	parseDialect,
	dialectFromEnv,
	dialectName,
	pageCap,
} from './dialects';
export type { Dialect, DialectSwitch } from './dialects';
