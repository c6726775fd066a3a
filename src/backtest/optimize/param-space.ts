import { KeelError } from '../../model/index.ts';
import type { ParamSchema, ParamSpec } from '../../strategy/index.ts';

/** One parameter value as a trial sees it. */
export type ParamValue = number | string | boolean;
/** The swept parameters of one trial, in the space's dimension order. */
export type ParamPoint = Readonly<Record<string, ParamValue>>;

/**
 * One swept parameter. `values` is the discrete set a grid walks (a stepped range or a list of choices);
 * a `number` parameter given as `a..b` without a step is continuous, which only random and TPE search can
 * sample (`values` is then undefined).
 */
export interface Dimension {
  readonly name: string;
  readonly type: ParamSpec['type'];
  /** How the user wrote it, for messages and the report. */
  readonly text: string;
  readonly values?: readonly ParamValue[];
  /** Bounds of a continuous range. */
  readonly from?: number;
  readonly to?: number;
  /** Numeric values are ordered (kernels over neighbours make sense); choices of strings are not. */
  readonly ordered: boolean;
}

export interface ParamSpace {
  readonly dimensions: readonly Dimension[];
}

/** A grid bigger than this is refused with a hint to sample it instead. */
export const MAX_GRID_POINTS = 1_000_000;

const FIELD = '--grid';

/**
 * Parse `--grid fast=5..50:5,slow=20..200:10,short=true|false` against a strategy's parameter schema.
 * Forms: `a..b:step` (inclusive; step 1 for integers when left out), `a..b` for a continuous number range
 * (random/TPE only), `x|y|z` for a list, `x` for a single value. Every mistake is one KeelError naming the
 * parameter and what it was given.
 *
 * @example
 * parseGrid('fast=5..50:5,slow=20..200:10', SmaCross.params, 'sma-cross').dimensions.map((d) => d.values?.length) // [10, 19]
 */
export function parseGrid(text: string, schema: ParamSchema, strategyName: string): ParamSpace {
  const dimensions: Dimension[] = [];
  const seen = new Set<string>();
  for (const raw of splitTopLevel(text)) {
    const item = raw.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    if (eq <= 0) throw new KeelError('BAD_GRID', 'expected name=range pairs separated by commas', { field: FIELD, value: item, hint: 'e.g. --grid fast=5..50:5,slow=20..200:10' });
    const name = item.slice(0, eq).trim();
    const body = item.slice(eq + 1).trim();
    const spec = schema[name];
    if (spec === undefined) {
      const known = Object.keys(schema);
      throw new KeelError('UNKNOWN_PARAM', `is not a parameter of ${strategyName}`, {
        field: `${FIELD} ${name}`, value: body, hint: known.length ? `known: ${known.join(', ')}` : `${strategyName} takes no parameters`,
      });
    }
    if (seen.has(name)) throw new KeelError('BAD_GRID', 'is given twice', { field: `${FIELD} ${name}`, value: body });
    seen.add(name);
    dimensions.push(parseDimension(name, body, spec));
  }
  if (dimensions.length === 0) throw new KeelError('BAD_GRID', 'names no parameter', { field: FIELD, value: text, hint: 'e.g. --grid fast=5..50:5,slow=20..200:10' });
  return { dimensions };
}

function splitTopLevel(text: string): string[] {
  return text.split(',');
}

function parseDimension(name: string, body: string, spec: ParamSpec): Dimension {
  const field = `${FIELD} ${name}`;
  if (body === '') throw new KeelError('BAD_GRID', 'has no values', { field, value: body });
  const range = /^(-?[\d.eE+-]+)\s*\.\.\s*(-?[\d.eE+-]+)(?:\s*:\s*(.+))?$/.exec(body);
  if (range && (spec.type === 'int' || spec.type === 'number')) {
    const from = toNumber(range[1], field, body);
    const to = toNumber(range[2], field, body);
    if (from > to) throw new KeelError('BAD_GRID', `is an empty range (${from} is above ${to})`, { field, value: body, hint: `write it low..high, e.g. ${to}..${from}` });
    checkBounds(spec, from, field, body);
    checkBounds(spec, to, field, body);
    if (range[3] === undefined && spec.type === 'number') return { name, type: spec.type, text: body, from, to, ordered: true };
    const step = range[3] === undefined ? 1 : toNumber(range[3], field, body);
    if (!(step > 0)) throw new KeelError('BAD_GRID', `has step ${step}; the step must be positive`, { field, value: body });
    if (spec.type === 'int' && (!Number.isInteger(from) || !Number.isInteger(to) || !Number.isInteger(step))) {
      throw new KeelError('BAD_GRID', 'must be whole numbers (an integer parameter)', { field, value: body });
    }
    return { name, type: spec.type, text: body, values: steppedValues(from, to, step, field, body), ordered: true };
  }
  if (range) throw new KeelError('BAD_GRID', `is a range, but ${name} is a ${spec.type} parameter`, { field, value: body, hint: 'list its values: a|b' });
  const values = body.split('|').map((s) => coerceValue(spec, s.trim(), field, body));
  if (new Set(values).size !== values.length) throw new KeelError('BAD_GRID', 'lists a value twice', { field, value: body });
  return { name, type: spec.type, text: body, values, ordered: spec.type === 'int' || spec.type === 'number' };
}

/** from, from+step, … ≤ to, each computed as from + i·step (no accumulated rounding) and cleaned to 12 digits. */
function steppedValues(from: number, to: number, step: number, field: string, body: string): number[] {
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > MAX_GRID_POINTS) throw new KeelError('BAD_GRID', `has ${count} values`, { field, value: body, hint: 'use a larger step' });
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(Number((from + i * step).toPrecision(12)));
  return out;
}

function toNumber(s: string, field: string, body: string): number {
  const n = Number(s);
  if (s.trim() === '' || !Number.isFinite(n)) throw new KeelError('BAD_GRID', `"${s}" is not a number`, { field, value: body });
  return n;
}

function checkBounds(spec: ParamSpec, n: number, field: string, body: string): void {
  if (spec.type !== 'int' && spec.type !== 'number') return;
  if (spec.min !== undefined && n < spec.min) throw new KeelError('BAD_GRID', `goes below the parameter's minimum ${spec.min}`, { field, value: body });
  if (spec.max !== undefined && n > spec.max) throw new KeelError('BAD_GRID', `goes above the parameter's maximum ${spec.max}`, { field, value: body });
}

function coerceValue(spec: ParamSpec, s: string, field: string, body: string): ParamValue {
  switch (spec.type) {
    case 'int': case 'number': {
      const n = toNumber(s, field, body);
      if (spec.type === 'int' && !Number.isInteger(n)) throw new KeelError('BAD_GRID', `${s} is not a whole number`, { field, value: body });
      checkBounds(spec, n, field, body);
      return n;
    }
    case 'boolean': {
      if (s === 'true') return true;
      if (s === 'false') return false;
      throw new KeelError('BAD_GRID', `${s} is not true or false`, { field, value: body });
    }
    case 'string':
      if (spec.choices && !spec.choices.includes(s)) throw new KeelError('BAD_GRID', `${s} is not one of ${spec.choices.join(', ')}`, { field, value: body });
      return s;
  }
}

/** Number of grid points, or undefined when a dimension is continuous. */
export function gridSize(space: ParamSpace): number | undefined {
  let n = 1;
  for (const d of space.dimensions) {
    if (d.values === undefined) return undefined;
    n *= d.values.length;
  }
  return n;
}

/** The point at a flat grid index; the last dimension varies fastest. */
export function gridPoint(space: ParamSpace, index: number): ParamPoint {
  const out: Record<string, ParamValue> = {};
  let rest = index;
  for (let i = space.dimensions.length - 1; i >= 0; i--) {
    const d = space.dimensions[i];
    const k = d.values!.length;
    out[d.name] = d.values![rest % k];
    rest = Math.floor(rest / k);
  }
  return orderedPoint(space, out);
}

/** The grid index of each dimension's value in a point (−1 when not on the grid). */
export function gridCoordinates(space: ParamSpace, point: ParamPoint): number[] {
  return space.dimensions.map((d) => (d.values ? d.values.indexOf(point[d.name]) : -1));
}

/** A point with keys in dimension order, so JSON of equal points is equal. */
export function orderedPoint(space: ParamSpace, p: Readonly<Record<string, ParamValue>>): ParamPoint {
  const out: Record<string, ParamValue> = {};
  for (const d of space.dimensions) out[d.name] = p[d.name];
  return out;
}

/** A stable key for a point (duplicates detection). */
export function pointKey(space: ParamSpace, p: ParamPoint): string {
  return space.dimensions.map((d) => String(p[d.name])).join('\u0000');
}

/** `fast=10 slow=60`. */
export function describePoint(p: ParamPoint): string {
  return Object.entries(p).map(([k, v]) => `${k}=${v}`).join(' ');
}
