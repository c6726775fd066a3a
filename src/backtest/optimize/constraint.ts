import { KeelError } from '../../model/index.ts';
import type { ParamPoint, ParamValue } from './param-space.ts';

/**
 * A constraint on a trial's parameters (`--constraint "fast<slow"`, `"slow >= 2*fast && fast > 3"`). A small
 * expression language parsed here, never `eval`: numbers, quoted strings, parameter names, `+ - * /`,
 * comparisons `< <= > >= == !=` (chainable: `5 < fast < slow`), `&&`, `||`, `!` and parentheses.
 */
export interface Constraint {
  readonly text: string;
  test(point: Readonly<Record<string, ParamValue>>): boolean;
}

type Value = number | string | boolean;
type Node = (p: Readonly<Record<string, ParamValue>>) => Value;

const FIELD = '--constraint';

/**
 * Parse one constraint over the given parameter names.
 *
 * @example
 * const c = parseConstraint('fast < slow', ['fast', 'slow']);
 * c.test({ fast: 10, slow: 30 }); // true
 */
export function parseConstraint(text: string, names: readonly string[]): Constraint {
  const tokens = tokenize(text);
  const parser = new Parser(text, tokens, new Set(names));
  const node = parser.parseOr();
  if (parser.pos < tokens.length) parser.fail(`unexpected "${tokens[parser.pos].text}"`);
  if (!parser.lastWasBoolean) throw new KeelError('BAD_CONSTRAINT', 'is not a comparison', { field: FIELD, value: text, hint: 'e.g. "fast < slow"' });
  return { text, test: (p) => node(p) === true };
}

/** Every constraint holds. */
export function satisfiesAll(constraints: readonly Constraint[], point: ParamPoint): boolean {
  for (const c of constraints) if (!c.test(point)) return false;
  return true;
}

interface Token { readonly kind: 'num' | 'str' | 'id' | 'op'; readonly text: string }

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)|'([^']*)'|"([^"]*)"|([A-Za-z_][\w-]*)|(<=|>=|==|!=|&&|\|\||[<>+\-*/()!]))/y;
  let i = 0;
  while (i < text.length) {
    if (/^\s*$/.test(text.slice(i))) break;
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) throw new KeelError('BAD_CONSTRAINT', `cannot be parsed at "${text.slice(i).trim()}"`, { field: FIELD, value: text, hint: 'e.g. "fast < slow"' });
    if (m[1] !== undefined) out.push({ kind: 'num', text: m[1] });
    else if (m[2] !== undefined || m[3] !== undefined) out.push({ kind: 'str', text: m[2] ?? m[3] });
    else if (m[4] !== undefined) out.push(m[4] === 'true' || m[4] === 'false' ? { kind: 'num', text: m[4] } : { kind: 'id', text: m[4] });
    else out.push({ kind: 'op', text: m[5] });
    i = re.lastIndex;
  }
  if (out.length === 0) throw new KeelError('BAD_CONSTRAINT', 'is empty', { field: FIELD, value: text, hint: 'e.g. "fast < slow"' });
  return out;
}

const COMPARISONS = new Set(['<', '<=', '>', '>=', '==', '!=']);

class Parser {
  pos = 0;
  /** Whether the last parsed expression yields a boolean (type check without running it). */
  lastWasBoolean = false;
  private readonly text: string;
  private readonly tokens: Token[];
  private readonly names: ReadonlySet<string>;

  constructor(text: string, tokens: Token[], names: ReadonlySet<string>) {
    this.text = text;
    this.tokens = tokens;
    this.names = names;
  }

  fail(why: string): never {
    throw new KeelError('BAD_CONSTRAINT', `cannot be parsed: ${why}`, { field: FIELD, value: this.text, hint: 'e.g. "fast < slow"' });
  }

  private peek(): string | undefined {
    const t = this.tokens[this.pos];
    return t?.kind === 'op' ? t.text : undefined;
  }

  parseOr(): Node {
    let left = this.parseAnd();
    while (this.peek() === '||') {
      this.requireBoolean('||');
      this.pos++;
      const right = this.parseAnd();
      this.requireBoolean('||');
      const l = left;
      left = (p) => l(p) === true || right(p) === true;
      this.lastWasBoolean = true;
    }
    return left;
  }

  private parseAnd(): Node {
    let left = this.parseComparison();
    while (this.peek() === '&&') {
      this.requireBoolean('&&');
      this.pos++;
      const right = this.parseComparison();
      this.requireBoolean('&&');
      const l = left;
      left = (p) => l(p) === true && right(p) === true;
      this.lastWasBoolean = true;
    }
    return left;
  }

  private requireBoolean(op: string): void {
    if (!this.lastWasBoolean) this.fail(`both sides of ${op} must be comparisons`);
  }

  private parseComparison(): Node {
    const first = this.parseSum();
    const operands: Node[] = [first];
    const ops: string[] = [];
    while (this.peek() !== undefined && COMPARISONS.has(this.peek()!)) {
      ops.push(this.tokens[this.pos++].text);
      operands.push(this.parseSum());
    }
    if (ops.length === 0) return first;
    this.lastWasBoolean = true;
    return (p) => {
      for (let i = 0; i < ops.length; i++) if (!compare(ops[i], operands[i](p), operands[i + 1](p))) return false;
      return true;
    };
  }

  private parseSum(): Node {
    let left = this.parseTerm();
    while (this.peek() === '+' || this.peek() === '-') {
      const op = this.tokens[this.pos++].text;
      const right = this.parseTerm();
      const l = left;
      left = op === '+' ? (p) => num(l(p)) + num(right(p)) : (p) => num(l(p)) - num(right(p));
      this.lastWasBoolean = false;
    }
    return left;
  }

  private parseTerm(): Node {
    let left = this.parseUnary();
    while (this.peek() === '*' || this.peek() === '/') {
      const op = this.tokens[this.pos++].text;
      const right = this.parseUnary();
      const l = left;
      left = op === '*' ? (p) => num(l(p)) * num(right(p)) : (p) => num(l(p)) / num(right(p));
      this.lastWasBoolean = false;
    }
    return left;
  }

  private parseUnary(): Node {
    if (this.peek() === '-') {
      this.pos++;
      const inner = this.parseUnary();
      this.lastWasBoolean = false;
      return (p) => -num(inner(p));
    }
    if (this.peek() === '!') {
      this.pos++;
      const inner = this.parseUnary();
      this.lastWasBoolean = true;
      return (p) => inner(p) !== true;
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Node {
    const t = this.tokens[this.pos];
    if (t === undefined) this.fail('it ends too early');
    this.pos++;
    if (t.kind === 'op' && t.text === '(') {
      const inner = this.parseOr();
      if (this.peek() !== ')') this.fail('a "(" is not closed');
      this.pos++;
      return inner;
    }
    if (t.kind === 'num') {
      this.lastWasBoolean = t.text === 'true' || t.text === 'false';
      const v: Value = t.text === 'true' ? true : t.text === 'false' ? false : Number(t.text);
      return () => v;
    }
    if (t.kind === 'str') {
      this.lastWasBoolean = false;
      const v = t.text;
      return () => v;
    }
    if (t.kind === 'id') {
      if (!this.names.has(t.text)) {
        throw new KeelError('BAD_CONSTRAINT', `names an unknown parameter ${t.text}`, { field: FIELD, value: this.text, hint: `known: ${[...this.names].join(', ')}` });
      }
      this.lastWasBoolean = false;
      const name = t.text;
      return (p) => p[name];
    }
    this.fail(`unexpected "${t.text}"`);
  }
}

function num(v: Value): number {
  return typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : Number.NaN;
}

function compare(op: string, a: Value, b: Value): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
    default: return false;
  }
}
