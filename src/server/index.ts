/** The HTTP API and WebSocket stream over a running engine's EngineHandle (docs/api.md). */
export * from './api-server.ts';
