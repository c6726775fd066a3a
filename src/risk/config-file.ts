import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type * as z from 'zod';
import { KeelError } from '../model/index.ts';
import type { RiskConfig } from './config.ts';
import { riskConfigSchema } from './config-schema.ts';

/**
 * Reading the risk limits from a YAML file. The file is either the risk section itself or a run config with
 * a top-level `risk:` key (its other keys belong to other sections and are ignored here). Keys, units and
 * defaults are in `config-schema.ts` and docs/risk-config.md.
 *
 * A bad file gives exactly one KeelError('BAD_RISK_CONFIG'), the first problem in file order, printed as
 * one line a trader can act on:
 *   risk.yaml line 12: breakers.dailyLoss.maxLossPct = -2: must be a percent above 0 and at most 100
 */

type Path = readonly (string | number)[];

/**
 * Parse and validate a risk config from YAML text. `source` names the file in errors.
 *
 * @example
 * const risk = parseRiskConfig(readFileSync('risk.yaml', 'utf8'), 'risk.yaml');
 * risk.account.maxOrderNotional; // 50_000_000_000_000_000n (50000 USD as Money)
 */
export function parseRiskConfig(text: string, source: string): RiskConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lineCounter.linePos(syntax.pos[0]).line;
    // The parser's message is one sentence; the position is ours to print.
    const reason = syntax.code === 'MULTIPLE_DOCS'
      ? 'has more than one document (a second "---"); keep the whole config in one'
      : syntax.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new KeelError('BAD_RISK_CONFIG', `is not valid YAML: ${reason}`, { field: `${source} line ${line}` });
  }
  let obj: unknown;
  try {
    obj = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new KeelError('BAD_RISK_CONFIG', `is not valid YAML: ${(e as Error).message.split('\n')[0]}`, { field: source });
  }
  return validate(obj, source, (path) => lineOf(doc, lineCounter, path));
}

/**
 * Validate a risk config that is already parsed (JSON, a test fixture, a config built in code). Errors are
 * as from `parseRiskConfig`, without line numbers.
 *
 * @example
 * riskConfigFromObject({ account: { maxOrderNotional: 50000 } }, 'inline config');
 */
export function riskConfigFromObject(obj: unknown, source: string): RiskConfig {
  return validate(obj, source, () => undefined);
}

function validate(obj: unknown, source: string, lineAt: (path: Path) => number | undefined): RiskConfig {
  // A run config nests the limits under `risk:`; paths in errors then start with `risk.` as in the file.
  const wrapped = isMapping(obj) && 'risk' in obj;
  const prefix: Path = wrapped ? ['risk'] : [];
  const section = wrapped ? obj.risk : obj;
  const result = riskConfigSchema.safeParse(section ?? {});
  if (result.success) return result.data;
  throw toKeelError(pickFirst(result.error.issues, prefix, lineAt), obj, prefix, source, lineAt);
}

/** The issue that comes first in the file (zod reports in schema order), so fixes go top to bottom. */
function pickFirst(issues: readonly z.core.$ZodIssue[], prefix: Path, lineAt: (path: Path) => number | undefined): z.core.$ZodIssue {
  let first = issues[0];
  let firstLine = Infinity;
  for (const issue of issues) {
    const line = lineAt([...prefix, ...issue.path as Path]) ?? Infinity;
    if (line < firstLine) { first = issue; firstLine = line; }
  }
  return first;
}

function toKeelError(issue: z.core.$ZodIssue, root: unknown, prefix: Path, source: string, lineAt: (path: Path) => number | undefined): KeelError {
  const path: Path = [...prefix, ...issue.path as Path];
  const line = lineAt(path);
  const where = line === undefined ? source : `${source} line ${line}`;
  const field = path.length ? `${where}: ${formatPath(path)}` : where;
  const value = valueAt(root, path);
  const hint = issue.code === 'custom' ? issue.params?.hint as string | undefined : undefined;
  return new KeelError('BAD_RISK_CONFIG', messageOf(issue), {
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
