import { parseArgs, type ParseArgsConfig } from 'node:util';
import { KeelError } from '../model/index.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parse a command's flags strictly: unknown flags and missing values become one-line KeelErrors, never a
 * Node stack trace.
 */
export function parseFlags<O extends Options>(argv: string[], options: O, command: string, positionals = 0) {
  try {
    const r = parseArgs({ args: joinNegativeValues(argv, options), options, strict: true, allowPositionals: positionals > 0 });
    if (r.positionals.length > positionals) {
      throw new KeelError('BAD_ARGUMENT', `unexpected argument for keel ${command}`, { field: 'argument', value: r.positionals[positionals], hint: `see keel ${command} --help` });
    }
    return r;
  } catch (err) {
    if (err instanceof KeelError) throw err;
    // Node's messages can run over several lines; keep the first sentence.
    const msg = err instanceof Error ? err.message.split('\n')[0].replace(/\. To specify a positional argument.*$/s, '') : String(err);
    throw new KeelError('BAD_ARGUMENT', msg, { hint: `see keel ${command} --help` });
  }
}

/** A finite number from a flag, or a KeelError naming the flag. */
export function numberFlag(value: string | undefined, field: string, o: { min?: number; max?: number; exclusiveMin?: boolean; integer?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new KeelError('BAD_NUMBER', 'is not a number', { field, value });
  if (o.integer && !Number.isInteger(n)) throw new KeelError('BAD_NUMBER', 'must be a whole number', { field, value });
  if (o.min !== undefined && (o.exclusiveMin ? n <= o.min : n < o.min)) {
    throw new KeelError('BAD_NUMBER', `must be ${o.exclusiveMin ? 'greater than' : 'at least'} ${o.min}`, { field, value });
  }
  if (o.max !== undefined && n > o.max) throw new KeelError('BAD_NUMBER', `must be at most ${o.max}`, { field, value });
  return n;
}

/** Require a flag. */
export function required<T>(value: T | undefined, field: string, hint?: string): T {
  if (value === undefined || value === '') throw new KeelError('MISSING_ARGUMENT', 'is required', { field, hint });
  return value;
}

/**
 * `--risk-free -0.01` is a flag and a negative number, not two flags: rewrite it as `--risk-free=-0.01`
 * so parseArgs does not mistake the value for an option.
 */
function joinNegativeValues(argv: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.startsWith('--') ? a.slice(2) : undefined;
    const next = argv[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}
