import type { FastifyRequest } from 'fastify';
import { KeelError } from '../model/index.ts';

/** One failed check as Ajv (fastify's validator) reports it. */
export interface SchemaViolation {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

/** The part of the request a schema checked. */
export type RequestPart = 'querystring' | 'params' | 'body' | 'headers';

interface FieldSchema {
  readonly type?: string | readonly string[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly enum?: readonly unknown[];
  readonly properties?: Record<string, FieldSchema>;
  readonly required?: readonly string[];
}

/**
 * A fastify schema error as a KeelError that names the field, shows the value the client sent and says what it
 * must be, in one line: `limit = "abc": must be an integer from 1 to 10000`. Ajv's own words
 * ("querystring/limit must be integer") name neither the value nor the allowed range.
 *
 * @example
 * describeValidationError({ instancePath: '/limit', keyword: 'type', params: { type: 'integer' } }, 'querystring',
 *   { limit: 'abc' }, { type: 'object', properties: { limit: { type: 'integer', minimum: 1 } } }).message;
 * // 'limit = "abc": must be an integer ≥ 1'
 */
export function describeValidationError(v: SchemaViolation, part: RequestPart, data: unknown, schema: unknown): KeelError {
  const root = (schema ?? {}) as FieldSchema;
  const path = v.instancePath.split('/').filter((s) => s !== '').map(decodePointer);
  const where = part === 'querystring' ? 'query parameter' : part === 'params' ? 'path parameter' : 'field';

  if (v.keyword === 'required') {
    const field = [...path, String(v.params.missingProperty)].join('.');
    const rule = schemaAt(root, [...path, String(v.params.missingProperty)]);
    return new KeelError('BAD_REQUEST', `is required${rule ? ` (${describeRule(rule)})` : ''}`, { field });
  }
  if (v.keyword === 'additionalProperties') {
    const field = [...path, String(v.params.additionalProperty)].join('.');
    const known = Object.keys(schemaAt(root, path)?.properties ?? {});
    return new KeelError('BAD_REQUEST', `is not a known ${where}`, {
      field, hint: known.length > 0 ? `known: ${known.join(', ')}` : `this route takes no ${where}s`,
    });
  }
  if (path.length === 0) {
    // The whole body (or query) has the wrong shape: no JSON object at all.
    const fields = Object.keys(root.properties ?? {});
    return new KeelError('BAD_REQUEST', `must be a JSON object${fields.length > 0 ? ` with ${fields.join(', ')}` : ''}`, { field: part });
  }
  const rule = schemaAt(root, path);
  const because = rule ? describeRule(rule) : (v.message ?? 'is not valid');
  return new KeelError('BAD_REQUEST', rule ? `must be ${because}` : because, { field: path.join('.'), value: valueAt(data, path) });
}

/**
 * What a schema allows, in words: `an integer from 1 to 10000`, `true or false`, `a non-blank string of at
 * most 500 characters`.
 */
export function describeRule(s: FieldSchema): string {
  if (s.enum) return `one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  const type = Array.isArray(s.type) ? s.type.filter((t) => t !== 'null')[0] : s.type;
  switch (type) {
    case 'integer':
    case 'number': {
      const noun = type === 'integer' ? 'an integer' : 'a number';
      if (s.minimum !== undefined && s.maximum !== undefined) return `${noun} from ${s.minimum} to ${s.maximum}`;
      if (s.minimum !== undefined) return `${noun} ≥ ${s.minimum}`;
      if (s.maximum !== undefined) return `${noun} ≤ ${s.maximum}`;
      return noun;
    }
    case 'boolean':
      return 'true or false';
    case 'string': {
      const head = (s.minLength ?? 0) > 0 ? 'a non-blank string' : 'a string';
      return s.maxLength !== undefined ? `${head} of at most ${s.maxLength} characters` : head;
    }
    case 'object':
      return 'an object';
    case 'array':
      return 'an array';
    default:
      return 'valid';
  }
}

/** The route's schema for one part of the request (undefined when the route has none). */
export function routeSchemaFor(req: FastifyRequest, part: RequestPart): unknown {
  const schema = req.routeOptions.schema as Partial<Record<RequestPart, unknown>> | undefined;
  return schema?.[part];
}

/** The request's data for one part, as the validator saw it. */
export function requestPart(req: FastifyRequest, part: RequestPart): unknown {
  switch (part) {
    case 'querystring': return req.query;
    case 'params': return req.params;
    case 'body': return req.body;
    case 'headers': return undefined; // never echo headers: they carry the token
  }
}

function schemaAt(root: FieldSchema, path: readonly string[]): FieldSchema | undefined {
  let s: FieldSchema | undefined = root;
  for (const key of path) s = s?.properties?.[key];
  return s;
}

function valueAt(data: unknown, path: readonly string[]): unknown {
  let d: unknown = data;
  for (const key of path) d = d !== null && typeof d === 'object' ? (d as Record<string, unknown>)[key] : undefined;
  return d !== null && typeof d === 'object' ? new JsonValue(d) : d;
}

/**
 * An object or array the client sent, shown as JSON (unquoted, so it does not read as a string) and cut to
 * keep the message one short line.
 */
class JsonValue {
  private readonly text: string;
  constructor(v: object) {
    const json = JSON.stringify(v);
    this.text = json.length > 80 ? `${json.slice(0, 77)}...` : json;
  }
  toString(): string {
    return this.text;
  }
}

function decodePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}
