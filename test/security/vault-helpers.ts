import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '../../src/model/index.ts';
import { KDF_LIMITS, type KdfParams } from '../../src/security/index.ts';

/** The cheapest parameters a vault accepts: the tests open hundreds of vaults; the format and checks are the same. */
export const FAST_KDF: KdfParams = { memoryKiB: KDF_LIMITS.memoryKiB.min, timeCost: 1, parallelism: 1 };

export const PASSPHRASE = new Secret('correct horse battery staple');
export const OTHER_PASSPHRASE = new Secret('tr0ub4dor & three more words');

/** A fresh folder for a test's vaults, removed by the returned function. */
export function tempFolder(prefix = 'keel-vault-'): { dir: string; path: (name: string) => string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: (name) => join(dir, name), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
