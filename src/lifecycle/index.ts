/** Strategy lifecycle (issue 16): strategy identity and versions, staged rollout (shadow, canary, full). */
export * from './identity.ts';
export * from './versions.ts';
export * from './rollout-state.ts';
export * from './rollout-settings.ts';
export * from './shadow-book.ts';
export * from './canary.ts';
export * from './rollout.ts';
