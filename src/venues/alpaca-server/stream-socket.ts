import type { WebSocket } from 'ws';
import type { VenueContext } from './context.ts';

/**
 * A stream connection with the drop fault applied to every message: when the dice (or the message count) say
 * so, the connection is cut without a close frame and the message is lost, as when a network path dies. The
 * client must reconnect and catch up from REST.
 */
export class StreamSocket {
  private readonly ws: WebSocket;
  private readonly ctx: VenueContext;
  private sent = 0;
  dropped = false;

  constructor(ws: WebSocket, ctx: VenueContext) {
    this.ws = ws;
    this.ctx = ctx;
  }

  send(message: unknown): void {
    if (this.dropped || this.ws.readyState !== this.ws.OPEN) return;
    if (this.ctx.faults.shouldDropStream(this.sent)) {
      this.dropped = true;
      this.ws.terminate();
      return;
    }
    this.sent++;
    this.ctx.counters.streamMessages++;
    this.ws.send(JSON.stringify(message));
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }
}

/** A client message as an object, or undefined when it is not JSON or not an object. */
export function parseClientMessage(data: unknown): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(String(data));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
