/** The web dashboard (docs/dashboard.md), served by the API server. */
export { dashboardPlugin } from './plugin.ts';
