import { KeelError } from '../model/index.ts';

/** How one strategy parameter is typed, defaulted and bounded; the CLI's `--params` is parsed against it. */
export type ParamSpec =
  | { readonly type: 'int'; readonly default: number; readonly min?: number; readonly max?: number; readonly description?: string }
  | { readonly type: 'number'; readonly default: number; readonly min?: number; readonly max?: number; readonly description?: string }
  | { readonly type: 'boolean'; readonly default: boolean; readonly description?: string }
  | { readonly type: 'string'; readonly default: string; readonly choices?: readonly string[]; readonly description?: string };

export type ParamSchema = Readonly<Record<string, ParamSpec>>;

/** The parameter object a schema produces: `{ fast: number; short: boolean }`. */
export type ParamValues<S extends ParamSchema> = {
  -readonly [K in keyof S]: S[K] extends { type: 'boolean' } ? boolean : S[K] extends { type: 'string' } ? string : number;
};

/**
 * Builders for parameter specs.
 *
 * @example
 * const schema = { fast: param.int(10, { min: 1 }), short: param.boolean(false) };
 */
type SpecOf<T extends ParamSpec['type']> = Extract<ParamSpec, { type: T }>;

export const param = {
  int: (def: number, o: { min?: number; max?: number; description?: string } = {}): SpecOf<'int'> => ({ type: 'int', default: def, ...o }),
  number: (def: number, o: { min?: number; max?: number; description?: string } = {}): SpecOf<'number'> => ({ type: 'number', default: def, ...o }),
  boolean: (def: boolean, o: { description?: string } = {}): SpecOf<'boolean'> => ({ type: 'boolean', default: def, ...o }),
  string: (def: string, o: { choices?: readonly string[]; description?: string } = {}): SpecOf<'string'> => ({ type: 'string', default: def, ...o }),
};

/** Parse `fast=10,slow=30` into `{ fast: '10', slow: '30' }`, rejecting malformed pairs. */
export function parseParamString(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(',')) {
    const pair = raw.trim();
    if (!pair) continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new KeelError('BAD_PARAM', 'expected name=value pairs separated by commas', { field: '--params', value: pair, hint: 'e.g. --params fast=10,slow=30' });
    }
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

/**
 * Resolve parameters against a schema: defaults for missing ones, typed values, bounds checked, unknown
 * names refused (a typo must not silently run the default).
 */
export function resolveParams(schema: ParamSchema, given: Readonly<Record<string, string | number | boolean>>, strategyName: string): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (const name of Object.keys(given)) {
    if (!(name in schema)) {
      const known = Object.keys(schema);
      throw new KeelError('UNKNOWN_PARAM', `is not a parameter of ${strategyName}`, {
        field: `--params ${name}`, value: given[name], hint: known.length ? `known: ${known.join(', ')}` : `${strategyName} takes no parameters`,
      });
    }
  }
  for (const [name, spec] of Object.entries(schema)) {
    const raw = given[name];
    out[name] = raw === undefined ? spec.default : coerce(spec, raw, name);
  }
  return out;
}

function coerce(spec: ParamSpec, raw: string | number | boolean, name: string): number | boolean | string {
  const field = `--params ${name}`;
  switch (spec.type) {
    case 'int':
    case 'number': {
      const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
      if (String(raw).trim() === '' || !Number.isFinite(n)) throw new KeelError('BAD_PARAM', 'is not a number', { field, value: raw });
      if (spec.type === 'int' && !Number.isInteger(n)) throw new KeelError('BAD_PARAM', 'must be a whole number', { field, value: raw });
      if (spec.min !== undefined && n < spec.min) throw new KeelError('BAD_PARAM', `must be at least ${spec.min}`, { field, value: raw });
      if (spec.max !== undefined && n > spec.max) throw new KeelError('BAD_PARAM', `must be at most ${spec.max}`, { field, value: raw });
      return n;
    }
    case 'boolean': {
      const s = String(raw).toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(s)) return true;
      if (['false', '0', 'no', 'off'].includes(s)) return false;
      throw new KeelError('BAD_PARAM', 'must be true or false', { field, value: raw });
    }
    case 'string': {
      const s = String(raw);
      if (spec.choices && !spec.choices.includes(s)) throw new KeelError('BAD_PARAM', `must be one of ${spec.choices.join(', ')}`, { field, value: raw });
      return s;
    }
  }
}
