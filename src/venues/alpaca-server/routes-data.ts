import type { FastifyInstance } from 'fastify';
import type { Bar } from '../../model/index.ts';
import { badRequest, unprocessable } from './api-error.ts';
import type { VenueContext } from './context.ts';
import { parseQueryTime, rfc3339 } from './ids.ts';
import { sameSymbol } from './order-request.ts';

type Query = Record<string, unknown>;

/** An Alpaca bar (data-openapi.yaml `Bar`); prices are the data's floats, as Alpaca sends numbers. */
export interface AlpacaBarJson {
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n: number;
  vw: number;
}

/** @example barJson(bar) // { t: "1995-01-03T00:00:00.000Z", o: 2.179012, … } */
export function barJson(b: Bar): AlpacaBarJson {
  // The CSV has no trade count or VWAP: n is 0 and vw the bar's typical price, labelled as such in the docs.
  return { t: rfc3339(b.ts), o: b.open, h: b.high, l: b.low, c: b.close, v: b.volume, n: 0, vw: (b.high + b.low + b.close) / 3 };
}

const MAX_LIMIT = 10_000;

const token = (i: number): string => Buffer.from(`bar:${i}`).toString('base64');

function fromToken(t: unknown): number {
  const m = /^bar:(\d+)$/.exec(Buffer.from(String(t), 'base64').toString('utf8'));
  if (m === null) throw badRequest('invalid page_token');
  return Number(m[1]);
}

/**
 * The page of replayed bars a query asks for. Only bars the market has replayed exist: the venue never serves
 * the future of its own replay.
 */
function page(ctx: VenueContext, q: Query): { bars: AlpacaBarJson[]; next: string | null } {
  const m = ctx.state.market;
  if (q.timeframe !== undefined && q.timeframe !== m.timeframe) {
    throw unprocessable(`invalid timeframe: this venue replays ${m.timeframe} bars`);
  }
  const start = parseQueryTime(q.start);
  const end = parseQueryTime(q.end);
  if (Number.isNaN(start) || Number.isNaN(end)) throw badRequest('start and end must be RFC 3339 times or dates');
  const limit = q.limit === undefined ? 1000 : Number(q.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw unprocessable(`limit must be an integer in [1, ${MAX_LIMIT}]`);
  const desc = q.sort === 'desc';
  const seen = m.bars.slice(0, m.replayed);
  const idx: number[] = [];
  for (let i = 0; i < seen.length; i++) {
    const t = seen[i].ts;
    if ((start === undefined || t >= start) && (end === undefined || t <= end)) idx.push(i);
  }
  if (desc) idx.reverse();
  let from = 0;
  if (q.page_token !== undefined && q.page_token !== '') {
    const at = fromToken(q.page_token);
    from = idx.indexOf(at);
    if (from < 0) throw badRequest('invalid page_token');
  }
  const chosen = idx.slice(from, from + limit);
  const rest = idx[from + limit];
  return { bars: chosen.map((i) => barJson(seen[i])), next: rest === undefined ? null : token(rest) };
}

/** Alpaca's market data REST API for the venue's one symbol: stock bars and crypto bars. */
export function dataRoutes(app: FastifyInstance, ctx: VenueContext): void {
  app.get('/v2/stocks/:symbol/bars', async (req) => {
    const symbol = (req.params as Record<string, string>).symbol;
    const own = sameSymbol(symbol, ctx.state.market.asset.symbol);
    const p = own ? page(ctx, req.query as Query) : { bars: [], next: null };
    return { bars: p.bars, symbol, next_page_token: p.next };
  });

  const multi = async (q: Query) => {
    const symbols = typeof q.symbols === 'string' ? q.symbols.split(',').map((s) => s.trim()).filter((s) => s !== '') : [];
    if (symbols.length === 0) throw badRequest('symbols is required');
    const out: Record<string, AlpacaBarJson[]> = {};
    let next: string | null = null;
    for (const s of symbols) {
      if (!sameSymbol(s, ctx.state.market.asset.symbol)) continue;
      const p = page(ctx, q);
      out[s] = p.bars;
      next = p.next;
    }
    return { bars: out, next_page_token: next };
  };
  app.get('/v2/stocks/bars', async (req) => multi(req.query as Query));
  app.get('/v1beta3/crypto/us/bars', async (req) => multi(req.query as Query));
}
