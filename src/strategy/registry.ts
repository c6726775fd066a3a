import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KeelError } from '../model/index.ts';
import { Strategy, type StrategyClass } from './strategy.ts';
import SmaCross from './examples/sma-cross.ts';
import RsiReversion from './examples/rsi-reversion.ts';
import BollingerBreakout from './examples/bollinger-breakout.ts';
import BuyAndHold from './examples/buy-and-hold.ts';

/** Strategies shipped with Keel, by the name `--strategy` takes. */
export const BUILT_IN_STRATEGIES: Readonly<Record<string, StrategyClass>> = {
  'sma-cross': SmaCross,
  'rsi-reversion': RsiReversion,
  'bollinger-breakout': BollingerBreakout,
  'buy-and-hold': BuyAndHold,
};

/** Source files of the built-ins, for their code hash. */
const BUILT_IN_FILES: Readonly<Record<string, string>> = {
  'sma-cross': 'sma-cross.ts', 'rsi-reversion': 'rsi-reversion.ts', 'bollinger-breakout': 'bollinger-breakout.ts', 'buy-and-hold': 'buy-and-hold.ts',
};

export interface LoadedStrategy {
  /** Built-in name, or the file's path as given. */
  readonly name: string;
  readonly cls: StrategyClass;
  /** Absolute path of the strategy's file, when loaded from one. */
  readonly file: string | undefined;
  /** sha256 of the strategy's source file: with the parameters, the version journaled with its events. */
  readonly codeHash: string;
  /** Absolute path of the source file the code hash is of (the built-in's own file for built-ins). */
  readonly source: string;
}

function hashFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * The audit version of a strategy: its code hash and its parameters, e.g.
 * `sha256:3f2a…c1 {"fast":10,"slow":30}`. Two runs with the same version ran the same code with the same inputs.
 */
export function strategyVersion(loaded: Pick<LoadedStrategy, 'codeHash'>, params: Readonly<Record<string, unknown>>): string {
  return `sha256:${loaded.codeHash} ${JSON.stringify(params)}`;
}

/**
 * Resolve `--strategy`: a built-in name, or a path to a .ts/.js file whose default export (or one named
 * export) is a `Strategy` subclass.
 *
 * @example
 * const { cls } = await loadStrategy('sma-cross');
 * const { cls: mine } = await loadStrategy('./strategies/my-breakout.ts');
 */
export async function loadStrategy(nameOrPath: string): Promise<LoadedStrategy> {
  const builtIn = BUILT_IN_STRATEGIES[nameOrPath];
  if (builtIn) {
    const source = join(import.meta.dirname, 'examples', BUILT_IN_FILES[nameOrPath]);
    return { name: nameOrPath, cls: builtIn, file: undefined, codeHash: hashFile(source), source };
  }
  const looksLikePath = /[\\/]|\.(ts|mts|js|mjs)$/.test(nameOrPath);
  if (!looksLikePath) {
    throw new KeelError('UNKNOWN_STRATEGY', 'is neither a built-in strategy nor a file', {
      field: '--strategy', value: nameOrPath, hint: `built-in: ${Object.keys(BUILT_IN_STRATEGIES).join(', ')}; or a path to a .ts file`,
    });
  }
  const file = resolve(nameOrPath);
  if (!existsSync(file)) {
    throw new KeelError('STRATEGY_NOT_FOUND', 'file not found', { field: '--strategy', value: nameOrPath });
  }
  let mod: Record<string, unknown>;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new KeelError('STRATEGY_LOAD_FAILED', `could not be loaded: ${msg}`, { field: '--strategy', value: nameOrPath });
  }
  const cls = pickStrategyExport(mod);
  if (!cls) {
    throw new KeelError('NOT_A_STRATEGY', 'exports no Strategy subclass', {
      field: '--strategy', value: nameOrPath, hint: "write `export default class MyStrategy extends Strategy { ... }` importing Strategy from 'keel'",
    });
  }
  return { name: nameOrPath, cls, file, codeHash: hashFile(file), source: file };
}

function isStrategyClass(x: unknown): x is StrategyClass {
  return typeof x === 'function' && x.prototype instanceof Strategy;
}

function pickStrategyExport(mod: Record<string, unknown>): StrategyClass | undefined {
  if (isStrategyClass(mod.default)) return mod.default;
  const named = Object.values(mod).filter(isStrategyClass);
  return named.length === 1 ? named[0] : undefined;
}
