import type { FastifyInstance } from 'fastify';
import { killBody, rearmBody } from '../request-schemas.ts';
import { ref } from '../view-schemas.ts';
import { actionOptions, actorOf, answerAction, readResponses, type RouteContext } from './route-context.ts';

/**
 * Risk: `GET /api/risk`, and the operator's `POST /api/kill` (HALTED, cancel everything, optionally flatten) and
 * `POST /api/rearm` (back to ACTIVE), both behind the bearer token and both requiring a reason, which is
 * journaled with the actor.
 *
 * @example
 * riskRoutes(app, ctx);
 * // curl -X POST -H "Authorization: Bearer $KEEL_API_TOKEN" -H 'content-type: application/json' \
 * //   -d '{"flatten":true,"reason":"fat finger"}' localhost:7070/api/kill
 */
export function riskRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/api/risk', {
    schema: { tags: ['risk'], summary: 'Trading state, limits, circuit breakers, denials per check', response: readResponses(ref('RiskView'), 'the risk view') },
  }, async () => ctx.engine.risk());

  app.post<{ Body: { flatten: boolean; reason: string } }>('/api/kill', actionOptions(ctx, {
    tags: ['risk'], summary: 'Kill switch: HALTED, cancel every working order, optionally flatten',
    description: 'Nothing opens risk until a rearm. With flatten, every position is closed through the risk gate.',
    body: killBody,
  }), async (req, reply) => answerAction(ctx, req, reply,
    ctx.engine.killSwitch({ flatten: req.body.flatten, reason: req.body.reason, actor: actorOf(req) })));

  app.post<{ Body: { reason: string } }>('/api/rearm', actionOptions(ctx, {
    tags: ['risk'], summary: 'Back to ACTIVE, breakers re-armed (409 when already ACTIVE)', body: rearmBody,
  }), async (req, reply) => answerAction(ctx, req, reply, ctx.engine.rearm({ reason: req.body.reason, actor: actorOf(req) })));
}
