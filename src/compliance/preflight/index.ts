export * from './preflight-config.ts';
export * from './preflight-checks.ts';
export * from './run-preflight.ts';
