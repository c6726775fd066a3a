import type { FastifyInstance } from 'fastify';
import { ref } from '../view-schemas.ts';

/**
 * `GET /metrics`: the Prometheus text (ops/ metrics, docs/metrics.md), or 404 when the run has no metrics.
 *
 * @example
 * metricsRoutes(app, async () => ({ contentType: registry.contentType, body: await registry.metrics() }));
 */
export function metricsRoutes(app: FastifyInstance, metrics: (() => Promise<{ contentType: string; body: string }>) | undefined): void {
  app.get('/metrics', {
    schema: {
      tags: ['health'], summary: 'Prometheus metrics (text exposition format)',
      response: {
        200: { description: 'Prometheus text', content: { 'text/plain': { schema: { type: 'string' } } } },
        404: { ...ref('ErrorReply'), description: 'metrics are not configured' },
      },
    },
  }, async (_req, reply) => {
    if (metrics === undefined) return reply.code(404).send({ error: 'metrics are not configured for this engine' });
    const m = await metrics();
    return reply.type(m.contentType).send(m.body);
  });
}
