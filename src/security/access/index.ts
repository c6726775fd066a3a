/** Who may reach the API: the IP allow-list and the bind rule (non-loopback needs TLS and authentication). */
export { parseAllowList, type AllowList } from './allow-list.ts';
export { checkBindRule, isLoopback, type BindFacts } from './bind-rule.ts';
