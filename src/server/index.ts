/** The HTTP API and WebSocket stream over a running engine's EngineHandle (docs/api.md). */
export { startApiServer } from './api-server.ts';
export type { ApiServer, ApiServerOptions } from './options.ts';
export { readiness, DEFAULT_MAX_DATA_AGE_MS, type Readiness } from './readiness.ts';
