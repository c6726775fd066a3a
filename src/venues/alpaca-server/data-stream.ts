import type { WebSocket } from 'ws';
import { accountFor, type VenueContext } from './context.ts';
import { barJson } from './routes-data.ts';
import { sameSymbol } from './order-request.ts';
import { StreamSocket, parseClientMessage } from './stream-socket.ts';

const CHANNELS = ['trades', 'quotes', 'bars', 'updatedBars', 'dailyBars'] as const;
type Channel = (typeof CHANNELS)[number];

/**
 * The market data stream (`/v2/{feed}` for stocks, `/v1beta3/crypto/us` for crypto), Alpaca's protocol: on
 * connect `[{"T":"success","msg":"connected"}]`; `{"action":"auth","key","secret"}` → `authenticated` (or
 * error 402 and close); `subscribe` / `unsubscribe` with `trades`, `quotes`, `bars` lists (`*` = all) →
 * `[{"T":"subscription",…}]`; then each replayed bar as `[{"T":"b","S",…}]` to those subscribed to its bars.
 * The replay has bars only: trade and quote subscriptions are accepted and stay silent.
 */
export function serveDataStream(ws: WebSocket, ctx: VenueContext): void {
  const out = new StreamSocket(ws, ctx);
  const subs: Record<Channel, Set<string>> = { trades: new Set(), quotes: new Set(), bars: new Set(), updatedBars: new Set(), dailyBars: new Set() };
  let authed = false;
  const market = ctx.state.market;
  const symbol = market.asset.symbol;
  const stopBars = market.onBar((bar) => {
    if (!authed) return;
    const want = [...subs.bars].some((s) => s === '*' || sameSymbol(s, symbol));
    if (want) out.send([{ T: 'b', S: symbol, ...barJson(bar) }]);
  });
  const subscription = () => {
    const m: Record<string, unknown> = { T: 'subscription' };
    for (const c of CHANNELS) m[c] = [...subs[c]];
    return [m];
  };

  out.send([{ T: 'success', msg: 'connected' }]);
  ws.on('message', (data) => {
    const m = parseClientMessage(data);
    if (m === undefined) return out.send([{ T: 'error', code: 400, msg: 'invalid syntax' }]);
    if (m.action === 'auth') {
      if (accountFor(ctx, m.key, m.secret) === undefined) {
        ctx.counters.unauthorized++;
        out.send([{ T: 'error', code: 402, msg: 'auth failed' }]);
        return out.close(1008, 'auth failed');
      }
      authed = true;
      return out.send([{ T: 'success', msg: 'authenticated' }]);
    }
    if (m.action === 'subscribe' || m.action === 'unsubscribe') {
      if (!authed) return out.send([{ T: 'error', code: 401, msg: 'not authenticated' }]);
      for (const c of CHANNELS) {
        const list = m[c];
        if (!Array.isArray(list)) continue;
        for (const s of list) {
          if (typeof s !== 'string') continue;
          if (m.action === 'subscribe') subs[c].add(s); else subs[c].delete(s);
        }
      }
      return out.send(subscription());
    }
    out.send([{ T: 'error', code: 400, msg: 'invalid syntax' }]);
  });
  ws.on('close', stopBars);
  ws.on('error', () => {});
}
