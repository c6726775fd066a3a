import type { FastifyInstance } from 'fastify';
import type { EngineHandle } from '../runtime/index.ts';

export interface ApiServerOptions {
  /** The running engine; the server reads only this. */
  readonly engine: EngineHandle;
  /** Bearer token every operator action requires. Without one (undefined or ''), actions are refused with 403; reads stay open. */
  readonly token: string | undefined;
  /** Default 127.0.0.1: the API controls real money; anything else is logged as a warning when there is no token. */
  readonly host?: string;
  /** 0 (the default) picks a free port; `ApiServer.port` says which. */
  readonly port?: number;
  /** The Prometheus text for `GET /metrics` (404 without it). */
  readonly metrics?: () => Promise<{ contentType: string; body: string }>;
  /** `GET /readyz`: market data older than `maxDataAgeMs` is not ready (default 60 000). */
  readonly readiness?: { readonly maxDataAgeMs: number };
  /** Registers the dashboard's routes (web/) on the same server. */
  readonly dashboard?: (app: FastifyInstance) => Promise<void> | void;
  /** One line per operator action, refused token, dropped stream client, server error, and the bind warning. Never the token. */
  readonly log?: (line: string) => void;
}

export interface ApiServer {
  /** `http://host:port`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Close the stream sockets (1001), then stop listening and finish in-flight requests. Safe to call twice. */
  close(): Promise<void>;
}
