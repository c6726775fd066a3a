import type { FastifyInstance } from 'fastify';
import type { StreamHub } from '../stream-hub.ts';
import { ref } from '../view-schemas.ts';
import { actorOf } from './route-context.ts';

/**
 * `GET /api/stream` (WebSocket): every engine event as one JSON text message, plus a `summary` (PnL and
 * positions) at most every 500 ms (stream-hub.ts). Read-only, like the GET views, so it needs no token.
 * A plain HTTP GET (no upgrade) is answered 426 with a line saying how to connect. Declared with `wsHandler`
 * rather than `websocket: true`, which would hide the route from the OpenAPI document.
 *
 * @example
 * streamRoutes(app, new StreamHub(engine)); // websocat ws://localhost:7070/api/stream
 */
export function streamRoutes(app: FastifyInstance, hub: StreamHub): void {
  app.route({
    method: 'GET',
    url: '/api/stream',
    schema: {
      tags: ['stream'], summary: 'WebSocket: engine events and summaries as JSON text messages',
      description: 'Upgrade to a WebSocket (no token needed). Each text message is one StreamEvent: '
        + '{kind: "order" | "risk", ts, type, payload} as journaled, {kind: "alert", ts, alert: AlertView}, and '
        + '{kind: "summary", ts, pnl: PnlView, positions: PositionView[]} at most every 500 ms. A client more than '
        + '1 MiB behind is disconnected: reconnect and re-read the REST views. The server closes with 1001 when it stops.',
      response: {
        101: { description: 'Switching Protocols: the stream follows', type: 'null' },
        426: { ...ref('ErrorReply'), description: 'not a WebSocket upgrade request' },
      },
    },
    handler: async (_req, reply) => reply.code(426).header('upgrade', 'websocket')
      .send({ error: 'GET /api/stream is a WebSocket: connect with ws://<host>:<port>/api/stream' }),
    wsHandler: (socket, req) => hub.add(socket, actorOf(req)),
  });
}
