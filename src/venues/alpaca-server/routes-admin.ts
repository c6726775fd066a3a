import type { FastifyInstance } from 'fastify';
import { AlpacaApiError, badRequest, unprocessable } from './api-error.ts';
import type { VenueContext } from './context.ts';
import { FAULT_KINDS, type FaultKind, type FaultSettings } from './faults.ts';

/** What the admin routes can do to the server that the context cannot (restart it, report its stats). */
export interface AdminActions {
  stats(): unknown;
  restart(o: { downMs?: number; reload?: boolean; reset?: boolean }): Promise<void>;
}

/**
 * Test and operator controls, outside Alpaca's API: faults (read, change, arm for the next N requests,
 * reset), the market (replay N bars now) and the server (stats, restart). No fault ever applies to these
 * routes. With an admin token configured they need `Authorization: Bearer <token>`.
 */
export function adminRoutes(app: FastifyInstance, ctx: VenueContext, actions: AdminActions): void {
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/admin')) return;
    if (ctx.adminToken !== undefined && req.headers.authorization !== `Bearer ${ctx.adminToken}`) {
      throw new AlpacaApiError(401, 40110000, 'admin request is not authorized');
    }
  });

  app.get('/admin/stats', async () => actions.stats());

  app.get('/admin/faults', async () => ({ settings: ctx.faults.settings, armed: Object.fromEntries(FAULT_KINDS.map((k) => [k, ctx.faults.armedCount(k)])) }));

  app.put('/admin/faults', async (req) => {
    try {
      ctx.faults.set((req.body ?? {}) as Partial<FaultSettings>);
    } catch (e) {
      throw unprocessable((e as Error).message);
    }
    return { settings: ctx.faults.settings };
  });

  app.delete('/admin/faults', async () => {
    ctx.faults.reset();
    return { settings: ctx.faults.settings };
  });

  app.post('/admin/faults/arm', async (req) => {
    const b = (req.body ?? {}) as { kind?: unknown; count?: unknown };
    if (!FAULT_KINDS.includes(b.kind as FaultKind)) throw unprocessable(`kind must be one of ${FAULT_KINDS.join(', ')}`);
    const count = b.count === undefined ? 1 : Number(b.count);
    if (!Number.isInteger(count) || count < 1) throw unprocessable('count must be an integer ≥ 1');
    ctx.faults.arm(b.kind as FaultKind, count);
    return { kind: b.kind, armed: ctx.faults.armedCount(b.kind as FaultKind) };
  });

  app.post('/admin/market/step', async (req) => {
    const b = (req.body ?? {}) as { bars?: unknown };
    const n = b.bars === undefined ? 1 : Number(b.bars);
    if (!Number.isInteger(n) || n < 1) throw unprocessable('bars must be an integer ≥ 1');
    const replayed = ctx.state.market.step(n);
    return { replayed, nextBar: ctx.state.market.replayed };
  });

  app.post('/admin/restart', async (req, reply) => {
    const b = (req.body ?? {}) as { downMs?: unknown; reload?: unknown; reset?: unknown };
    const downMs = b.downMs === undefined ? 0 : Number(b.downMs);
    if (!(downMs >= 0)) throw badRequest('downMs must be ≥ 0');
    // Answer first: the restart closes this very connection.
    await reply.code(202).send({ restarting: true });
    setImmediate(() => { void actions.restart({ downMs, reload: b.reload === true, reset: b.reset === true }); });
    return reply;
  });
}
