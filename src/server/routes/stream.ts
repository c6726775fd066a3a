import type { FastifyInstance } from 'fastify';
import type { AccessControl } from '../auth/access-control.ts';
import type { StreamHub } from '../stream-hub.ts';
import { ref } from '../view-schemas.ts';
import { actorOf } from './route-context.ts';

/** How often an open stream's session and permission are checked again. */
const REVALIDATE_MS = 1000;
/** RFC 6455: the endpoint is terminating the connection because it received a message that violates its policy. */
const POLICY_VIOLATION = 1008;

/**
 * `GET /api/stream` (WebSocket): every engine event as one JSON text message, plus a `summary` (PnL and
 * positions) at most every 500 ms (stream-hub.ts). It needs `read`, like the GET views (checked on the upgrade
 * request by the access control), and a stream whose session ends, whose token is revoked or whose user
 * loses the role is closed with 1008 within a second.
 * A plain HTTP GET (no upgrade) is answered 426 with a line saying how to connect. Declared with `wsHandler`
 * rather than `websocket: true`, which would hide the route from the OpenAPI document.
 *
 * @example
 * streamRoutes(app, new StreamHub(engine)); // websocat ws://localhost:7070/api/stream
 */
export function streamRoutes(app: FastifyInstance, hub: StreamHub, access: AccessControl): void {
  app.route({
    method: 'GET',
    url: '/api/stream',
    schema: {
      tags: ['stream'], summary: 'WebSocket: engine events and summaries as JSON text messages',
      description: 'Upgrade to a WebSocket (with users: a token or the session cookie, permission read). Each text message is one StreamEvent: '
        + '{kind: "order" | "risk", ts, type, payload} as journaled, {kind: "alert", ts, alert: AlertView}, and '
        + '{kind: "summary", ts, pnl: PnlView, positions: PositionView[]} at most every 500 ms. A client more than '
        + '1 MiB behind is disconnected: reconnect and re-read the REST views. The server closes with 1001 when it stops.',
      response: {
        101: { description: 'Switching Protocols: the stream follows', type: 'null' },
        426: { ...ref('ErrorReply'), description: 'not a WebSocket upgrade request' },
      },
    },
    handler: async (req, reply) => reply.code(426).header('upgrade', 'websocket')
      .send({ error: `GET /api/stream is a WebSocket: connect with ${req.protocol === 'https' ? 'wss' : 'ws'}://<host>:<port>/api/stream` }),
    wsHandler: (socket, req) => {
      hub.add(socket, actorOf(req));
      const auth = req.keelAuth;
      if (auth === undefined) return;
      const check = setInterval(() => {
        if (access.stillAllowed(auth)) return;
        clearInterval(check);
        socket.close(POLICY_VIOLATION, 'signed out, token revoked or permission withdrawn');
      }, REVALIDATE_MS);
      check.unref();
      socket.on('close', () => clearInterval(check));
    },
  });
}
