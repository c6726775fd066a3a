import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { describeValidationError, requestPart, routeSchemaFor, type RequestPart, type SchemaViolation } from './bad-request.ts';

/**
 * Every error the API answers is `{ "error": "<one line>" }`: a schema error names the field and value (400),
 * fastify's own client errors keep their status with a readable line, and anything else is a 500 that says
 * only "internal error" (the detail goes to the log; a stack trace would tell a caller how the server is
 * built). Unknown routes are 404 in the same shape.
 *
 * @example
 * installErrorReplies(app, (line) => console.error(line));
 */
export function installErrorReplies(app: FastifyInstance, log: (line: string) => void): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const { status, message } = errorReply(err, req);
    if (status >= 500) log(`error ${req.method} ${pathOf(req)}: ${firstLine(err.message)}`);
    return reply.code(status).send({ error: message });
  });
  app.setNotFoundHandler((req: FastifyRequest, reply: FastifyReply) =>
    reply.code(404).send({ error: `no route ${req.method} ${pathOf(req)} (see /openapi.json)` }));
}

/**
 * Errors the router raises before any route runs (a malformed URL, an over-long path parameter): fastify's
 * `frameworkErrors` option, so that they too are one-line `{error}` JSON.
 */
export function frameworkErrorReply(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  const status = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
  const message = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? `path parameter: is longer than ${MAX_PARAM_LENGTH} characters` : 'url: is not a valid URL';
  void reply.code(status).send({ error: message });
}

/** The longest path parameter the router accepts (schemas set tighter limits with a clearer message). */
export const MAX_PARAM_LENGTH = 1000;

/** The status and one-line message for an error a handler threw or fastify raised. */
export function errorReply(err: FastifyError, req: FastifyRequest): { status: number; message: string } {
  if (Array.isArray(err.validation) && err.validation.length > 0) {
    const part = (err.validationContext ?? 'body') as RequestPart;
    const e = describeValidationError(err.validation[0] as SchemaViolation, part, requestPart(req, part), routeSchemaFor(req, part));
    return { status: 400, message: e.message };
  }
  const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 600 ? err.statusCode : 500;
  if (status >= 500) return { status, message: 'internal error' };
  return { status, message: CLIENT_ERRORS[err.code] ?? firstLine(err.message) };
}

/** Fastify's own client errors, said the way an operator with curl needs to read them. */
const CLIENT_ERRORS: Readonly<Record<string, string>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'body: is not valid JSON',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'content-type: is not supported (send application/json)',
  FST_ERR_CTP_BODY_TOO_LARGE: 'body: is larger than 65536 bytes (an action\'s body is a few fields)',
};

/** The path without the query string: a query may carry anything, including a pasted secret. */
export function pathOf(req: FastifyRequest): string {
  return req.url.split('?')[0];
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}
