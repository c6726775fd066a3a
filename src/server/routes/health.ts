import type { FastifyInstance } from 'fastify';
import { readiness } from '../readiness.ts';
import { ref } from '../view-schemas.ts';
import type { RouteContext } from './route-context.ts';

/**
 * Probes for a supervisor or load balancer: `GET /healthz` (the process answers: 200) and `GET /readyz` (200
 * when the engine can trade safely, else 503 with the reasons; readiness.ts).
 *
 * @example
 * healthRoutes(app, ctx, 60_000); // curl -i localhost:7070/readyz
 */
export function healthRoutes(app: FastifyInstance, ctx: RouteContext, maxDataAgeMs: number | undefined): void {
  app.get('/healthz', {
    schema: {
      tags: ['health'], summary: 'Liveness: the process is up and serving',
      response: { 200: { description: 'the process is up', type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } } },
    },
  }, async () => ({ status: 'ok' as const }));

  app.get('/readyz', {
    schema: {
      tags: ['health'], summary: 'Readiness: journal healthy, venue connected, market data fresh',
      response: { 200: { ...ref('Readiness'), description: 'ready' }, 503: { ...ref('Readiness'), description: 'not ready, with the reasons' } },
    },
  }, async (_req, reply) => {
    const r = readiness(ctx.engine.status(), Date.now(), maxDataAgeMs);
    return reply.code(r.ready ? 200 : 503).send(r);
  });
}
