import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { StrategyIdentity } from '../model/index.ts';
import type { LoadedStrategy } from '../strategy/index.ts';

/** Parameters as JSON with sorted keys, so `{slow, fast}` and `{fast, slow}` are one version. */
export function canonicalParams(params: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(Object.fromEntries(Object.keys(params).sort().map((k) => [k, params[k]])));
}

/**
 * The compact version id of a strategy: 12 hex digits of sha256 over its code hash and canonical parameters.
 * Same code and same parameters give the same id on any machine; anything else (the run config, Keel's
 * version, the git state) is in the identity event beside it.
 *
 * @example versionIdOf('3f2a…', { fast: 10, slow: 30 }) // '9c0d1e2f3a4b'
 */
export function versionIdOf(codeHash: string, params: Readonly<Record<string, unknown>>): string {
  return createHash('sha256').update(`${codeHash}\n${canonicalParams(params)}`).digest('hex').slice(0, 12);
}

let keelVersionCache: string | undefined;
/** Keel's package version (package.json at the repository's root). */
export function keelVersion(): string {
  if (keelVersionCache === undefined) {
    try {
      keelVersionCache = String((JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');
    } catch {
      keelVersionCache = 'unknown';
    }
  }
  return keelVersionCache;
}

/**
 * The commit of the git repository holding `file` and whether its work tree has uncommitted changes; null
 * when the file is not in a repository or git is not installed. Two short `git` calls at start-up, never on
 * the trading path.
 */
export function gitStateOf(file: string): { commit: string; dirty: boolean } | null {
  const run = (args: string[]) => execFileSync('git', ['-C', dirname(file), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 });
  try {
    const commit = run(['rev-parse', 'HEAD']).trim();
    if (!/^[0-9a-f]{40,64}$/.test(commit)) return null;
    const dirty = run(['status', '--porcelain', '--untracked-files=no']).trim() !== '';
    return { commit, dirty };
  } catch {
    return null;
  }
}

/** sha256 (hex) of a file's bytes. */
export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Everything that identifies the strategy of a run, for the `strategy.identity` event.
 *
 * @example
 * const loaded = await loadStrategy('sma-cross');
 * const identity = strategyIdentity({ strategyId: 'sma-cross', loaded, params: { fast: 10, slow: 30 }, configFile: 'keel.yaml' });
 */
export function strategyIdentity(o: {
  readonly strategyId: string;
  readonly loaded: Pick<LoadedStrategy, 'name' | 'file' | 'codeHash' | 'source'>;
  readonly params: Readonly<Record<string, unknown>>;
  /** The run config file, hashed as bytes. */
  readonly configFile?: string;
}): StrategyIdentity {
  return {
    versionId: versionIdOf(o.loaded.codeHash, o.params),
    strategyId: o.strategyId,
    strategy: o.loaded.name,
    file: o.loaded.file ?? null,
    codeHash: o.loaded.codeHash,
    git: gitStateOf(o.loaded.source),
    params: o.params,
    keelVersion: keelVersion(),
    configHash: o.configFile === undefined ? null : fileSha256(o.configFile),
  };
}
