import type { FastifyInstance } from 'fastify';
import { idParams } from '../request-schemas.ts';
import { actionOptions, operatorOf, answerAction, type RouteContext } from './route-context.ts';

/**
 * `POST /api/strategies/:id/pause` and `/resume` (bearer token). A paused strategy hears no market data and
 * so opens nothing new; its working orders stay (cancel them separately if needed).
 *
 * @example
 * strategyRoutes(app, ctx); // curl -X POST -H "Authorization: Bearer $KEEL_API_TOKEN" localhost:7070/api/strategies/sma-cross/pause
 */
export function strategyRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.post<{ Params: { id: string } }>('/api/strategies/:id/pause', actionOptions(ctx, {
    tags: ['strategies'], summary: 'Pause a strategy (it hears no market data; its working orders stay)', params: idParams,
  }), async (req, reply) => answerAction(ctx, req, reply, ctx.engine.pauseStrategy(req.params.id, operatorOf(req))));

  app.post<{ Params: { id: string } }>('/api/strategies/:id/resume', actionOptions(ctx, {
    tags: ['strategies'], summary: 'Resume a paused strategy', params: idParams,
  }), async (req, reply) => answerAction(ctx, req, reply, ctx.engine.resumeStrategy(req.params.id, operatorOf(req))));
}
