import type { WebSocket } from 'ws';
import { accountFor, type VenueContext } from './context.ts';
import { StreamSocket, parseClientMessage } from './stream-socket.ts';

/**
 * The trade_updates stream (`/stream`), Alpaca's protocol: `{"action":"auth","key","secret"}` (or the older
 * `{"action":"authenticate","data":{"key_id","secret_key"}}`) → `authorization`; `{"action":"listen",
 * "data":{"streams":["trade_updates"]}}` → `listening`; then every order event of the key's account as
 * `{"stream":"trade_updates","data":{…}}`. A failed authentication is answered and the connection closed.
 *
 * @example wss.on('connection', (ws) => serveTradeStream(ws, ctx));
 */
export function serveTradeStream(ws: WebSocket, ctx: VenueContext): void {
  const out = new StreamSocket(ws, ctx);
  let unsubscribe: (() => void) | undefined;
  let account: ReturnType<typeof accountFor>;
  let listening = false;
  const authorization = (status: string, action: string) => ({ stream: 'authorization', data: { status, action } });

  ws.on('message', (data) => {
    const m = parseClientMessage(data);
    if (m === undefined) return out.send({ stream: 'error', data: { error_message: 'invalid syntax' } });
    if (m.action === 'auth' || m.action === 'authenticate') {
      const d = (m.data ?? {}) as Record<string, unknown>;
      account = accountFor(ctx, m.key ?? d.key_id, m.secret ?? d.secret_key);
      if (account === undefined) {
        ctx.counters.unauthorized++;
        out.send(authorization('unauthorized', 'authenticate'));
        return out.close(1008, 'unauthorized');
      }
      return out.send(authorization('authorized', 'authenticate'));
    }
    if (m.action === 'listen') {
      if (account === undefined) return out.send(authorization('unauthorized', 'listen'));
      const streams = ((m.data as { streams?: unknown } | undefined)?.streams ?? []) as unknown[];
      listening = Array.isArray(streams) && streams.includes('trade_updates');
      unsubscribe?.();
      unsubscribe = listening ? account.account.onUpdate((u) => { if (!ctx.faults.shouldLoseUpdate()) out.send({ stream: 'trade_updates', data: u }); }) : undefined;
      return out.send({ stream: 'listening', data: { streams: listening ? ['trade_updates'] : [] } });
    }
    out.send({ stream: 'error', data: { error_message: `unknown action ${String(m.action)}` } });
  });
  ws.on('close', () => unsubscribe?.());
  ws.on('error', () => {}); // a vanished client: 'close' follows
}
