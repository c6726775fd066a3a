import type { FastifyInstance } from 'fastify';
import { limitQuery } from '../request-schemas.ts';
import { listOf } from '../view-schemas.ts';
import { readResponses, type RouteContext } from './route-context.ts';

/**
 * `GET /api/fills?limit=N`: fills, newest first, with slippage against the decision price.
 *
 * @example
 * fillRoutes(app, ctx); // curl 'localhost:7070/api/fills?limit=20'
 */
export function fillRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Querystring: { limit?: number } }>('/api/fills', {
    schema: { tags: ['fills'], summary: 'Fills, newest first', querystring: limitQuery, response: readResponses(listOf('FillView'), 'fills, newest first') },
  }, async (req) => ctx.engine.fills(req.query.limit));
}
