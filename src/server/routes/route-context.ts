import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AccessControl } from '../auth/access-control.ts';
import { describeOperator, type ActionResult, type EngineHandle, type Operator } from '../../runtime/index.ts';
import { pathOf } from '../error-replies.ts';
import { ref } from '../view-schemas.ts';

/** What every route file gets: the engine's handle, the access control (who is asking, four-eyes), and the log. */
export interface RouteContext {
  readonly engine: EngineHandle;
  /** Authentication and authorisation run as global hooks (server/auth); routes read who asked from it. */
  readonly access: AccessControl;
  readonly log: (line: string) => void;
}

/** The responses of a read route: its view (described for the OpenAPI document), or a 400 for a bad query. */
export function readResponses(view: object, description: string): Record<number, object> {
  return { 200: { ...view, description }, 400: { ...ref('ErrorReply'), description: 'bad query parameter' } };
}

/** The responses of an operator action, for the schema and the OpenAPI document. */
export const ACTION_RESPONSES = {
  200: { ...ref('ActionResult'), description: 'done' },
  400: { ...ref('ErrorReply'), description: 'bad path parameter or body' },
  401: { ...ref('ErrorReply'), description: 'not authenticated, or (kill, re-arm, limits) no valid TOTP code; `missing` says which' },
  403: { ...ref('ErrorReply'), description: 'authenticated but lacking the permission (`missing` names it), a failed CSRF check, or (no users) no token configured' },
  429: { ...ref('ErrorReply'), description: 'the user name or address is locked out after repeated failed codes' },
  409: { ...ref('ActionResult'), description: 'refused by the engine (ok: false, with the reason)' },
} as const;

const SECURITY: Array<Record<string, string[]>> = [{ bearer: [] }, { session: [] }];

/** An operator action's route options (authentication and authorisation are global hooks: server/auth). */
export function actionOptions(_ctx: RouteContext, schema: { tags: string[]; summary: string; description?: string; params?: object; body?: object }, responses: Record<number, object> = {}) {
  return { schema: { ...schema, security: SECURITY, response: { ...ACTION_RESPONSES, ...responses } } };
}

/**
 * Who asks, for the journal and the audit trail: the signed-in user (`user:alice`), or in the legacy mode the
 * holder of the API token, from the caller's address (`req.ip`: the socket's peer, since no proxy is trusted).
 */
export function operatorOf(req: FastifyRequest): Operator {
  const user = req.keelAuth?.principal.user;
  return { actor: user === undefined ? 'token' : `user:${user}`, origin: `ip:${req.ip}` };
}

/** The operator as logs and the journal name them ("api:127.0.0.1"). */
export function actorOf(req: FastifyRequest): string {
  return describeOperator(operatorOf(req));
}

/**
 * Answer an action with what the engine did: 200 when done, 409 when it refused (nothing to cancel, already
 * ACTIVE), and log it, since an operator action on a trading engine must leave a trace outside the journal too.
 *
 * @example
 * return answerAction(ctx, req, reply, ctx.engine.cancelAll(operatorOf(req)));
 */
export function answerAction(ctx: RouteContext, req: FastifyRequest, reply: FastifyReply, result: ActionResult): FastifyReply {
  ctx.log(`${req.method} ${pathOf(req)} by ${actorOf(req)}: ${result.ok ? 'done' : 'refused'}: ${result.message}`);
  return reply.code(result.ok ? 200 : 409).send(result);
}
