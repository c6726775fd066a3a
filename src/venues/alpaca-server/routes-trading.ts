import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accountJson, listFillActivities, listOrders, positionJson } from './account-views.ts';
import { notFound, unprocessable } from './api-error.ts';
import { requestAccount, type VenueContext } from './context.ts';
import { rfc3339 } from './ids.ts';
import { parseNewOrder, parseOrderPatch, sameSymbol } from './order-request.ts';

type Params = Record<string, string>;
type Query = Record<string, unknown>;

/**
 * The lost-acknowledgement fault: the request was carried out (the order works at the venue) but the client
 * never hears so; the connection is cut instead of answered. The client must find out by asking (GET by
 * client order id), as after a real timeout.
 */
function loseAck(ctx: VenueContext, req: FastifyRequest, reply: FastifyReply): boolean {
  if (!ctx.faults.shouldLoseAck()) return false;
  reply.hijack();
  req.raw.socket.destroy();
  return true;
}

/**
 * Alpaca's trading API (trading-openapi.yaml) over one account per key: account, orders, positions, FILL
 * activities, clock and the asset.
 */
export function tradingRoutes(app: FastifyInstance, ctx: VenueContext): void {
  app.get('/v2/account', async (req) => accountJson(requestAccount(req)));

  app.post('/v2/orders', async (req, reply) => {
    const account = requestAccount(req);
    const asset = ctx.state.market.asset;
    const order = parseNewOrder(req.body, asset.instrument, asset.symbol);
    const rec = account.submit(order);
    ctx.counters.ordersSubmitted++;
    if (loseAck(ctx, req, reply)) return reply;
    return account.json(rec);
  });

  app.get('/v2/orders', async (req) => listOrders(requestAccount(req), req.query as Query));

  // `::` is find-my-way's escape for a literal colon: the path is /v2/orders:by_client_order_id.
  app.get('/v2/orders::by_client_order_id', async (req) => {
    const id = (req.query as Query).client_order_id;
    if (typeof id !== 'string' || id === '') throw unprocessable('client_order_id is required');
    const account = requestAccount(req);
    return account.json(account.orderByClientId(id));
  });

  app.get('/v2/orders/:order_id', async (req) => {
    const account = requestAccount(req);
    return account.json(account.order((req.params as Params).order_id));
  });

  app.patch('/v2/orders/:order_id', async (req, reply) => {
    const account = requestAccount(req);
    const patch = parseOrderPatch(req.body, ctx.state.market.asset.instrument);
    const rec = account.replace((req.params as Params).order_id, patch);
    if (loseAck(ctx, req, reply)) return reply;
    return account.json(rec);
  });

  app.delete('/v2/orders/:order_id', async (req, reply) => {
    requestAccount(req).cancel((req.params as Params).order_id);
    if (loseAck(ctx, req, reply)) return reply;
    return reply.code(204).send();
  });

  app.delete('/v2/orders', async (req, reply) => {
    const results = requestAccount(req).cancelAll();
    if (loseAck(ctx, req, reply)) return reply;
    return reply.code(207).send(results);
  });

  app.get('/v2/positions', async (req) => {
    const p = positionJson(requestAccount(req));
    return p === undefined ? [] : [p];
  });

  app.get('/v2/positions/:symbol', async (req) => {
    const account = requestAccount(req);
    const symbol = (req.params as Params).symbol;
    const asset = ctx.state.market.asset;
    const p = sameSymbol(symbol, asset.symbol) || symbol === asset.id ? positionJson(account) : undefined;
    if (p === undefined) throw notFound('position does not exist');
    return p;
  });

  app.get('/v2/account/activities/:activity_type', async (req) => {
    const type = (req.params as Params).activity_type.toUpperCase();
    const account = requestAccount(req);
    // The venue books fills only: every other activity type is a valid, empty list.
    return type === 'FILL' ? listFillActivities(account, req.query as Query) : [];
  });

  app.get('/v2/account/activities', async (req) => {
    const q = req.query as Query;
    const types = typeof q.activity_types === 'string' ? q.activity_types.toUpperCase().split(',') : ['FILL'];
    return types.includes('FILL') ? listFillActivities(requestAccount(req), q) : [];
  });

  app.get('/v2/clock', async () => {
    const m = ctx.state.market;
    const next = m.nextBarTime();
    // A manual market is open whenever the test says so: between its steps.
    const open = (m.replay.started || m.pace === 'manual') && !m.replay.ended;
    return {
      timestamp: rfc3339(m.now()), is_open: open,
      // A replayed market opens at each bar: the next bar is the next open, and it closes one bar later.
      next_open: rfc3339(next ?? m.now()), next_close: rfc3339(m.bars[m.replayed + 1]?.ts ?? next ?? m.now()),
    };
  });

  app.get('/v2/assets/:symbol', async (req) => {
    const symbol = decodeURIComponent((req.params as Params).symbol);
    const a = ctx.state.market.asset;
    if (!sameSymbol(symbol, a.symbol) && symbol !== a.id) throw notFound('asset not found');
    const inst = a.instrument;
    return {
      id: a.id, class: a.assetClass, exchange: a.exchange, symbol: a.symbol, name: a.symbol, status: 'active', tradable: true,
      marginable: false, shortable: a.shortable, easy_to_borrow: a.shortable, fractionable: inst.lotSizeNumber < 1,
      min_order_size: inst.lotSize, min_trade_increment: inst.lotSize, price_increment: inst.priceTick,
    };
  });
}
