import type { FastifyInstance } from 'fastify';
import { limitQuery } from '../request-schemas.ts';
import { listOf } from '../view-schemas.ts';
import { readResponses, type RouteContext } from './route-context.ts';

/**
 * `GET /api/alerts?limit=N`: the engine's alerts, newest first.
 *
 * @example
 * alertRoutes(app, ctx); // curl 'localhost:7070/api/alerts?limit=20'
 */
export function alertRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Querystring: { limit?: number } }>('/api/alerts', {
    schema: { tags: ['alerts'], summary: 'Alerts, newest first', querystring: limitQuery, response: readResponses(listOf('AlertView'), 'alerts, newest first') },
  }, async (req) => ctx.engine.alerts(req.query.limit));
}
