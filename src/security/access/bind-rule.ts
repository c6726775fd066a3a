import { KeelError } from '../../model/index.ts';

/**
 * Who may expose the API beyond this machine. On loopback only local processes reach it. Anywhere else the
 * network can: then the traffic must be encrypted (TLS: a bearer token in clear text is a token for anyone on
 * the path) and callers must authenticate as users ("TLS and users"): the API server and `keel paper/live
 * --config` pass `usersConfigured`, so the shared KEEL_API_TOKEN (one secret for everyone, no roles, no TOTP)
 * is for loopback only. A caller that leaves `usersConfigured` out gets the older rule (TLS and the token).
 */
export interface BindFacts {
  /** The address the API listens on (`api.host`). */
  readonly host: string;
  readonly tls: boolean;
  /** KEEL_API_TOKEN is set. */
  readonly token: boolean;
  /** Users are configured (the vault holds at least one and the API authenticates them). Undefined: the token stands in (older callers). */
  readonly usersConfigured?: boolean;
  /** Names the setting in the refusal (`keel.yaml: api.host`). */
  readonly field?: string;
}

/**
 * Refuse (KeelError API_BIND_REFUSED, one line naming what is missing) a non-loopback bind without TLS and
 * authentication; do nothing for loopback. Checked before the server listens.
 *
 * @example checkBindRule({ host: '0.0.0.0', tls: false, token: true }); // throws: … needs TLS (api.tls)
 */
export function checkBindRule(f: BindFacts): void {
  if (isLoopback(f.host)) return;
  const missing: string[] = [];
  if (!f.tls) missing.push('TLS (api.tls: cert and key; keel tls self-signed makes them)');
  if (f.usersConfigured === undefined ? !f.token : !f.usersConfigured) {
    missing.push(f.usersConfigured === undefined ? 'an API token (KEEL_API_TOKEN)' : 'users (keel users add)');
  }
  if (missing.length === 0) return;
  throw new KeelError('API_BIND_REFUSED', `is reachable from other machines, so it needs ${missing.join(' and ')}; nothing is listening`, {
    field: f.field ?? 'api.host', value: f.host, hint: 'or bind 127.0.0.1 and reach it through an SSH tunnel',
  });
}

/** Whether only this machine can reach `host` (all of 127.0.0.0/8 is loopback, and ::1). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
