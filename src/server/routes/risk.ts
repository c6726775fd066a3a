import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { AUDIT_OK, auditDenied } from '../../security/index.ts';
import { killBody, limitsBody, rearmBody } from '../request-schemas.ts';
import { ref } from '../view-schemas.ts';
import { actionOptions, actorOf, operatorOf, answerAction, readResponses, type RouteContext } from './route-context.ts';

/**
 * Risk: `GET /api/risk`, `POST /api/risk/limits` (a live limit change), and the operator's `POST /api/kill` (HALTED, cancel everything, optionally flatten) and
 * `POST /api/rearm` (back to ACTIVE; four-eyes when configured), both for risk users with a TOTP code (or the
 * legacy token) and both requiring a reason, which is journaled with the actor.
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
    ctx.engine.killSwitch({ flatten: req.body.flatten, reason: req.body.reason, by: operatorOf(req) })));

  app.post<{ Body: { risk?: Record<string, unknown>; yaml?: string; reason: string } }>('/api/risk/limits', actionOptions(ctx, {
    tags: ['risk'], summary: 'New risk limits in force while trading (409 with the bad key and value when refused)', body: limitsBody,
    description: 'The body\'s risk section (an object, or its YAML text) replaces the order limits whole; breakers and the kill switch settings change only with a restart. For risk users with a TOTP code; journaled and audited with the limits before and after.',
  }), async (req, reply) => {
    const section = limitsSection(req.body);
    if (!section.ok) return answerAction(ctx, req, reply, { ok: false, message: section.message });
    return answerAction(ctx, req, reply, ctx.engine.changeLimits({ risk: section.risk, reason: req.body.reason, by: operatorOf(req) }));
  });

  app.post<{ Body: { reason: string } }>('/api/rearm', actionOptions(ctx, {
    tags: ['risk'], summary: 'Back to ACTIVE, breakers re-armed (409 when already ACTIVE)', body: rearmBody,
    description: 'With security.rearm.fourEyes, the first risk user\'s call is a request (202) and a different risk user\'s call within the window re-arms.',
  }, { 202: { ...ref('ActionResult'), description: 'four-eyes: requested, waiting for a different risk user to confirm (ok: false)' } }), async (req, reply) => rearm(ctx, req, reply));
}

/**
 * Re-arm, or under four-eyes: the first risk user's call asks (202, audited as rearm.request), the same user
 * again is refused (409), a different risk user within the window re-arms with both names and reasons.
 */
function rearm(ctx: RouteContext, req: FastifyRequest<{ Body: { reason: string } }>, reply: FastifyReply): FastifyReply {
  const fourEyes = ctx.access.fourEyes;
  const user = req.keelAuth?.principal.user;
  // Nothing to re-arm: the engine's own answer (409, already ACTIVE), and no request is left pending.
  if (fourEyes === undefined || user === undefined || ctx.engine.status().tradingState === 'ACTIVE') {
    fourEyes?.clear();
    return answerAction(ctx, req, reply, ctx.engine.rearm({ reason: req.body.reason, by: operatorOf(req) }));
  }
  const now = Date.now();
  const step = fourEyes.attempt(user, req.body.reason, now);
  const until = (t: number) => new Date(t).toISOString().slice(11, 19);
  switch (step.kind) {
    case 'requested':
      ctx.access.audit(req, 'rearm.request', AUDIT_OK, { target: 'trading', details: { reason: req.body.reason, expiresAt: new Date(step.expiresAt).toISOString() } });
      ctx.log(`POST /api/rearm by ${actorOf(req)}: four-eyes: requested, waiting for a second risk user until ${until(step.expiresAt)} UTC`);
      return reply.code(202).send({ ok: false, message: `re-arm requested by ${user}: a different risk user must confirm with POST /api/rearm by ${until(step.expiresAt)} UTC (four-eyes)` });
    case 'same-user':
      ctx.access.audit(req, 'rearm', auditDenied('four-eyes: the same user cannot confirm their own request'), { target: 'trading' });
      return reply.code(409).send({ ok: false, message: `four-eyes: ${user} asked to re-arm at ${until(step.request.at)} UTC; a different risk user must confirm (by ${until(step.expiresAt)} UTC)` });
    case 'confirmed': {
      const reason = `${req.body.reason} (four-eyes: requested by ${step.request.user}: ${step.request.reason}; confirmed by ${step.confirmedBy})`;
      return answerAction(ctx, req, reply, ctx.engine.rearm({ reason: reason.slice(0, 1000), by: operatorOf(req) }));
    }
  }
}

/** The new risk section from the body: `risk` as an object or `yaml` as text, exactly one of them. */
function limitsSection(body: { risk?: Record<string, unknown>; yaml?: string }): { ok: true; risk: unknown } | { ok: false; message: string } {
  if ((body.risk === undefined) === (body.yaml === undefined)) return { ok: false, message: 'send the new limits as risk (an object) or as yaml (its text), one of them' };
  if (body.risk !== undefined) return { ok: true, risk: body.risk };
  try {
    return { ok: true, risk: parseYaml(body.yaml!) ?? {} };
  } catch (err) {
    return { ok: false, message: `yaml: ${(err as Error).message.split('\n')[0]}` };
  }
}
