import type { FastifyInstance } from 'fastify';
import { idParams, ordersQuery } from '../request-schemas.ts';
import { listOf } from '../view-schemas.ts';
import { actionOptions, operatorOf, answerAction, readResponses, type RouteContext } from './route-context.ts';

/**
 * Orders: `GET /api/orders?open=true&limit=N`, and the operator's cancels `POST /api/orders/:id/cancel`,
 * `POST /api/orders/cancel-all` (bearer token).
 *
 * @example
 * orderRoutes(app, ctx); // curl -X POST -H "Authorization: Bearer $KEEL_API_TOKEN" localhost:7070/api/orders/cancel-all
 */
export function orderRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get<{ Querystring: { open?: boolean; limit?: number } }>('/api/orders', {
    schema: {
      tags: ['orders'], summary: 'Orders, newest first (only working ones with open=true)',
      querystring: ordersQuery, response: readResponses(listOf('OrderView'), 'orders, newest first'),
    },
  }, async (req) => ctx.engine.orders({ openOnly: req.query.open, limit: req.query.limit }));

  app.post<{ Params: { id: string } }>('/api/orders/:id/cancel', actionOptions(ctx, {
    tags: ['orders'], summary: 'Cancel one working order, by client order id', params: idParams,
  }), async (req, reply) => answerAction(ctx, req, reply, ctx.engine.cancelOrder(req.params.id, operatorOf(req))));

  app.post('/api/orders/cancel-all', actionOptions(ctx, {
    tags: ['orders'], summary: 'Cancel every working order (trading state unchanged)',
  }), async (req, reply) => answerAction(ctx, req, reply, ctx.engine.cancelAll(operatorOf(req))));
}
