import type { FastifyInstance } from 'fastify';
import { actionOptions, operatorOf, answerAction, type RouteContext } from './route-context.ts';

const shadowBody = {
  type: 'object', additionalProperties: false, required: ['strategy'],
  properties: {
    strategy: { type: 'string', minLength: 1, description: 'a built-in strategy or the path of a strategy file on the engine\'s machine' },
    params: { type: 'object', additionalProperties: { anyOf: [{ type: 'number' }, { type: 'string' }, { type: 'boolean' }] }, description: 'its parameters; defaults fill the rest' },
  },
} as const;
const promoteBody = {
  type: 'object', additionalProperties: false,
  properties: { fraction: { type: 'number', exclusiveMinimum: 0, maximum: 1, description: 'canary size as a share of the live size (default: rollout.canary.fraction)' } },
} as const;
const rollbackBody = {
  type: 'object', additionalProperties: false,
  properties: { reason: { type: 'string', maxLength: 500 } },
} as const;

/** The rollout view is nested and grows with the lifecycle; it is described in docs/lifecycle.md. */
const rolloutView = { type: 'object', additionalProperties: true, description: 'stage, live and candidate versions, shadow comparison, canary budget, history' } as const;

/**
 * Staged rollout (docs/lifecycle.md): `GET /api/rollout`, and behind the bearer token `POST /api/rollout/shadow`,
 * `/promote` and `/rollback`. Each action is journaled and audited with the operator; 409 when the stage does
 * not allow it. Where the engine takes no rollout (keel serve) the view is `{available: false}`.
 *
 * @example
 * // curl -X POST -H "Authorization: Bearer $KEEL_API_TOKEN" -H 'content-type: application/json' \
 * //   -d '{"strategy":"/srv/strategies/v2.ts","params":{"fast":5}}' localhost:7070/api/rollout/shadow
 */
export function rolloutRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const none = { error: 'NO_ROLLOUT', message: 'this engine takes no rollout commands (a read-only server, or no strategy identity)' };
  app.get('/api/rollout', {
    schema: { tags: ['rollout'], summary: 'Rollout stage, versions, shadow comparison and canary budget', response: { 200: rolloutView } },
  }, async () => (ctx.engine.rollout ? { available: true, ...ctx.engine.rollout.view() } : { available: false, message: none.message }));

  app.post<{ Body: { strategy: string; params?: Record<string, number | string | boolean> } }>('/api/rollout/shadow', actionOptions(ctx, {
    tags: ['rollout'], summary: 'Deploy a new strategy version as a shadow beside the live one (orders simulated, never sent)', body: shadowBody,
  }), async (req, reply) => {
    const r = ctx.engine.rollout;
    if (r === undefined) return reply.code(409).send({ ok: false, message: none.message });
    return answerAction(ctx, req, reply, await r.deployShadow({ strategy: req.body.strategy, params: req.body.params ?? {}, by: operatorOf(req) }));
  });

  app.post<{ Body: { fraction?: number } }>('/api/rollout/promote', actionOptions(ctx, {
    tags: ['rollout'], summary: 'Promote: shadow to canary (a fraction of the size), canary to full', body: promoteBody,
  }), async (req, reply) => {
    const r = ctx.engine.rollout;
    if (r === undefined) return reply.code(409).send({ ok: false, message: none.message });
    return answerAction(ctx, req, reply, r.promote({ by: operatorOf(req), fraction: req.body?.fraction }));
  });

  app.post<{ Body: { reason?: string } }>('/api/rollout/rollback', actionOptions(ctx, {
    tags: ['rollout'], summary: 'Roll back to the live version (the canary\'s position flattened or handed over, per rollout.onRollback)', body: rollbackBody,
  }), async (req, reply) => {
    const r = ctx.engine.rollout;
    if (r === undefined) return reply.code(409).send({ ok: false, message: none.message });
    return answerAction(ctx, req, reply, r.rollback({ by: operatorOf(req), reason: req.body?.reason }));
  });
}
