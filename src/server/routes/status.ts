import type { FastifyInstance } from 'fastify';
import { ref } from '../view-schemas.ts';
import { readResponses, type RouteContext } from './route-context.ts';

/**
 * `GET /api/status`: the engine at a glance (account, venue connection, trading state, strategies, journal).
 *
 * @example
 * statusRoutes(app, ctx); // curl localhost:7070/api/status
 */
export function statusRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/api/status', {
    schema: { tags: ['status'], summary: 'The engine at a glance', response: readResponses(ref('EngineStatus'), 'the status') },
  }, async () => ctx.engine.status());
}
