import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import type { ActionResult, EngineHandle } from '../../runtime/index.ts';
import { pathOf } from '../error-replies.ts';
import { ref } from '../view-schemas.ts';

/** What every route file gets: the engine's handle, the token check for actions, and the log. */
export interface RouteContext {
  readonly engine: EngineHandle;
  /** `onRequest` hook of every operator action (bearer-token.ts). */
  readonly requireToken: onRequestAsyncHookHandler;
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
  401: { ...ref('ErrorReply'), description: 'missing or wrong bearer token' },
  403: { ...ref('ErrorReply'), description: 'no token configured: actions are disabled' },
  409: { ...ref('ActionResult'), description: 'refused by the engine (ok: false, with the reason)' },
} as const;

/** An operator action's route options: token first, then the schemas. */
export function actionOptions(ctx: RouteContext, schema: { tags: string[]; summary: string; description?: string; params?: object; body?: object }) {
  return { onRequest: ctx.requireToken, schema: { ...schema, security: [{ bearer: [] }], response: ACTION_RESPONSES } };
}

/**
 * Who did it, as journaled with the action: the API and the caller's address. There are no user accounts yet
 * (the security issue adds them); the address is what an operator can trace.
 */
export function actorOf(req: FastifyRequest): string {
  return `api:${req.ip}`;
}

/**
 * Answer an action with what the engine did: 200 when done, 409 when it refused (nothing to cancel, already
 * ACTIVE), and log it, since an operator action on a trading engine must leave a trace outside the journal too.
 *
 * @example
 * return answerAction(ctx, req, reply, ctx.engine.cancelAll(actorOf(req)));
 */
export function answerAction(ctx: RouteContext, req: FastifyRequest, reply: FastifyReply, result: ActionResult): FastifyReply {
  ctx.log(`${req.method} ${pathOf(req)} by ${actorOf(req)}: ${result.ok ? 'done' : 'refused'}: ${result.message}`);
  return reply.code(result.ok ? 200 : 409).send(result);
}
