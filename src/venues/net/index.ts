/**
 * What every network venue adapter shares (Alpaca, ccxt, …): rate budgets, backoff and the retry policy, a
 * JSON HTTP client, exact large ids, clock skew, credentials that never print, and a reconnecting WebSocket.
 */
export * from './rate-limit.ts';
export * from './backoff.ts';
export * from './http-client.ts';
export * from './json-ids.ts';
export * from './clock-skew.ts';
export * from './credentials.ts';
export * from './reconnecting-socket.ts';
export * from './tls-trust.ts';
export * from './reconnect-settings.ts';
