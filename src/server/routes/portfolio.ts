import type { FastifyInstance } from 'fastify';
import { equityQuery } from '../request-schemas.ts';
import { listOf, ref } from '../view-schemas.ts';
import { readResponses, type RouteContext } from './route-context.ts';

/**
 * The account's books: `GET /api/positions`, `GET /api/pnl`, `GET /api/equity?points=N`.
 *
 * @example
 * portfolioRoutes(app, ctx); // curl 'localhost:7070/api/equity?points=500'
 */
export function portfolioRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.get('/api/positions', {
    schema: { tags: ['portfolio'], summary: 'Open positions (and closed ones with realised PnL)', response: readResponses(listOf('PositionView'), 'one row per instrument') },
  }, async () => ctx.engine.positions());

  app.get('/api/pnl', {
    schema: { tags: ['portfolio'], summary: 'Cash, equity, realised/unrealised/daily PnL, commissions, drawdown', response: readResponses(ref('PnlView'), 'the account PnL') },
  }, async () => ctx.engine.pnl());

  app.get<{ Querystring: { points?: number } }>('/api/equity', {
    schema: {
      tags: ['portfolio'], summary: 'The equity curve, oldest first, thinned to at most `points` samples',
      querystring: equityQuery, response: readResponses(listOf('EquityPoint'), 'equity samples, oldest first'),
    },
  }, async (req) => ctx.engine.equityHistory(req.query.points));
}
