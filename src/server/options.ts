import type { FastifyInstance } from 'fastify';
import type { EngineHandle } from '../runtime/index.ts';
import type { AllowList, AuditRecorder } from '../security/index.ts';
import type { AuthOptions } from './auth/access-control.ts';

export interface ApiServerOptions {
  /** The running engine; the server reads only this. */
  readonly engine: EngineHandle;
  /**
   * Legacy single-operator mode (no `auth.users`): the bearer token every operator action requires. Without
   * one (undefined or ''), actions are refused with 403; reads stay open. Ignored once users are configured.
   */
  readonly token: string | undefined;
  /**
   * Default 127.0.0.1: the API controls real money. Any other address is refused (API_BIND_REFUSED, before
   * listening) unless `tls` is given and users are configured (`auth.users`; security/access/bind-rule.ts).
   */
  readonly host?: string;
  /** Serve HTTPS with this certificate and key (PEM; `loadServerTls` reads and checks the files). */
  readonly tls?: { readonly cert: string; readonly key: string; readonly ca?: string };
  /** Only these addresses may connect (`parseAllowList`); any other gets 403 before a route runs, WebSocket upgrades too. */
  readonly allow?: AllowList;
  /**
   * Users, sessions, lockout and four-eyes re-arm (server/auth). With `auth.users` every route but the probes
   * and static files needs a signed-in user or a user's API token, authorised by role; without, the legacy
   * single-operator mode: reads open, actions behind `token`, loopback only (the bind rule wants users beyond it).
   */
  readonly auth?: AuthOptions;
  /** 0 (the default) picks a free port; `ApiServer.port` says which. */
  readonly port?: number;
  /** The Prometheus text for `GET /metrics` (404 without it). */
  readonly metrics?: () => Promise<{ contentType: string; body: string }>;
  /** `GET /readyz`: market data older than `maxDataAgeMs` is not ready (default 60 000). */
  readonly readiness?: { readonly maxDataAgeMs: number };
  /** Registers the dashboard's routes (web/) on the same server. */
  readonly dashboard?: (app: FastifyInstance) => Promise<void> | void;
  /** One line per operator action, refused token or address, dropped stream client and server error. Never the token. */
  readonly log?: (line: string) => void;
  /**
   * Where refused attempts at operator actions are recorded (`login.failed`; security/audit). The actions
   * themselves are recorded by the engine's handle, the one place every caller passes through.
   */
  readonly audit?: AuditRecorder;
}

export interface ApiServer {
  /** `http://host:port` (`https://` with TLS), no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Close the stream sockets (1001), then stop listening and finish in-flight requests. Safe to call twice. */
  close(): Promise<void>;
}
