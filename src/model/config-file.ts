import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import * as z from 'zod';
import { KeelError } from './errors.ts';

/**
 * Reading a config section from a YAML file, validated by a zod schema (STYLE.md: one typed schema gives the
 * defaults, the validation errors and the docs). The file is either the section itself or a run config
 * (keel.yaml) with the section under its key; other keys belong to other sections and are ignored.
 *
 * A bad file gives exactly one KeelError with the caller's code, the first problem in file order, printed as
 * one line a trader can act on:
 *   risk.yaml line 12: breakers.dailyLoss.maxLossPct = -2: must be a percent above 0 and at most 100
 */

export interface ConfigSection<T> {
  readonly schema: z.ZodType<T>;
  /** KeelError code for every problem, e.g. BAD_RISK_CONFIG. */
  readonly code: string;
  /** The key the section sits under in a run config (`risk`); without it, the whole file is the section. */
  readonly key?: string;
}

type Path = readonly (string | number)[];

/**
 * Parse and validate a config section from YAML text. `source` names the file in errors.
 *
 * @example
 * const risk = parseYamlConfig(readFileSync('risk.yaml', 'utf8'), 'risk.yaml', { schema: riskConfigSchema, code: 'BAD_RISK_CONFIG', key: 'risk' });
 */
export function parseYamlConfig<T>(text: string, source: string, section: ConfigSection<T>): T {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lineCounter.linePos(syntax.pos[0]).line;
    // The parser's message is one sentence; the position is ours to print.
    const reason = syntax.code === 'MULTIPLE_DOCS'
      ? 'has more than one document (a second "---"); keep the whole config in one'
      : syntax.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new KeelError(section.code, `is not valid YAML: ${reason}`, { field: `${source} line ${line}` });
  }
  let obj: unknown;
  try {
    obj = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new KeelError(section.code, `is not valid YAML: ${(e as Error).message.split('\n')[0]}`, { field: source });
  }
  return validate(obj, source, section, (path) => lineOf(doc, lineCounter, path));
}

/**
 * Validate a config section that is already parsed (JSON, a test fixture, a config built in code). Errors are
 * as from `parseYamlConfig`, without line numbers.
 */
export function configFromObject<T>(obj: unknown, source: string, section: ConfigSection<T>): T {
  return validate(obj, source, section, () => undefined);
}

function validate<T>(obj: unknown, source: string, section: ConfigSection<T>, lineAt: (path: Path) => number | undefined): T {
  // A run config nests the section under its key; paths in errors then start with `risk.` as in the file.
  const wrapped = section.key !== undefined && isMapping(obj) && section.key in obj;
  const prefix: Path = wrapped ? [section.key!] : [];
  const value = wrapped ? (obj as Record<string, unknown>)[section.key!] : obj;
  const result = section.schema.safeParse(value ?? {});
  if (result.success) return result.data;
  throw toKeelError(pickFirst(result.error.issues, prefix, lineAt), obj, prefix, source, section.code, lineAt);
}

/**
 * The issue that comes first in the file (zod reports in schema order), so fixes go top to bottom. A key
 * that is missing ranks after everything else: it is often the typo reported elsewhere ("jurnal").
 */
function pickFirst(issues: readonly z.core.$ZodIssue[], prefix: Path, lineAt: (path: Path) => number | undefined): z.core.$ZodIssue {
  let first = issues[0];
  let firstRank = Infinity;
  for (const issue of issues) {
    const missing = issue.code === 'invalid_type' && issue.input === undefined;
    const rank = (missing ? 1e9 : 0) + (lineAt([...prefix, ...issue.path as Path]) ?? 1e8);
    if (rank < firstRank) { first = issue; firstRank = rank; }
  }
  return first;
}

function toKeelError(issue: z.core.$ZodIssue, root: unknown, prefix: Path, source: string, code: string, lineAt: (path: Path) => number | undefined): KeelError {
  const path: Path = [...prefix, ...issue.path as Path];
  const line = lineAt(path);
  const where = line === undefined ? source : `${source} line ${line}`;
  const field = path.length ? `${where}: ${formatPath(path)}` : where;
  const value = valueAt(root, path);
  const hint = issue.code === 'custom' ? issue.params?.hint as string | undefined : undefined;
  return new KeelError(code, messageOf(issue), {
    field,
    // Only scalars are shown: a whole mapping printed inline would be noise, the line points at it.
    value: isScalarValue(value) ? value : undefined,
    ...(hint ? { hint } : {}),
  });
}

/** Our schema words every message; the fallbacks cover zod's built-in checks should one slip through. */
function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'custom' || !/^(Invalid|Too|Unrecognized)/.test(issue.message)) return issue.message;
  if (issue.code === 'invalid_type') return issue.input === undefined ? 'is required' : `must be ${issue.expected === 'object' ? 'a mapping' : `a ${issue.expected}`}`;
  return 'is not allowed here';
}

/** `breakers.dailyLoss.maxLossPct`, `account.sessions.windows[0].days`, `instruments["BTC/USD"].maxOrderQuantity`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/**
 * The line of the key (or list item) at `path`; for a missing key, the line of the nearest key above it
 * (where the trader has to add it).
 */
function lineOf(doc: Document, counter: LineCounter, path: Path): number | undefined {
  let node: unknown = doc.contents;
  let offset = (doc.contents as Node | null)?.range?.[0];
  for (const seg of path) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
      node = node.items[seg];
      offset = (node as Node).range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return offset === undefined ? 1 : counter.linePos(offset).line;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isScalarValue(v: unknown): boolean {
  return v === null || ['string', 'number', 'boolean', 'bigint'].includes(typeof v);
}

/**
 * A strict mapping: unknown keys are errors with a "did you mean" hint. Built on a loose object plus our own
 * key check (rather than zod's strictObject) so the issue can carry the suggestion and point at the key.
 */
export function section<S extends z.ZodRawShape>(shape: S, what: string) {
  const known = Object.keys(shape);
  return z.looseObject(shape, { error: (iss) => (iss.code === 'invalid_type' ? `must be a mapping of ${what}` : undefined) })
    .superRefine((obj, ctx) => {
      for (const key of Object.keys(obj)) {
        if (!known.includes(key)) ctx.addIssue({ code: 'custom', message: 'is not a known key', path: [key], params: { hint: suggestKey(key, known) } });
      }
    }, { when: (payload) => isMapping(payload.value) });
}

/**
 * "did you mean maxOrderNotional?" for a key within a few typos of a known one (case ignored), or the list
 * of known keys. Durations written with the engine's `Ms` suffix get told the YAML spelling.
 */
export function suggestKey(key: string, known: readonly string[]): string {
  if (key.endsWith('Ms') && known.includes(key.slice(0, -2))) {
    return `did you mean ${key.slice(0, -2)}? durations are written without Ms, e.g. ${key.slice(0, -2)}: 30s`;
  }
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) { best = k; bestDistance = d; }
  }
  if (best !== undefined && bestDistance <= Math.max(2, Math.floor(best.length / 4))) return `did you mean ${best}?`;
  return `known keys: ${known.join(', ')}`;
}

/** Levenshtein distance (insert, delete, substitute), one row at a time. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}
