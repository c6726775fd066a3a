import type { Role } from './roles.ts';

/**
 * Who is making a request, once authenticated: the user, the roles they held when they authenticated, and
 * how (a password login or an API token, with its id). The server keeps it for a session; the directory
 * checks it against the current vault on every `hasPermission`, so a removed user, a changed role or a
 * revoked token takes effect on a session already open.
 */
export interface Principal {
  readonly user: string;
  readonly roles: readonly Role[];
  readonly via: 'password' | 'token';
  /** The API token's id (public), when `via` is 'token'. */
  readonly tokenId?: string;
}
