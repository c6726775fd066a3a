import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { ROOT } from './cli.ts';

/**
 * A `chronyc` on PATH that answers `chronyc tracking` with one of the real outputs in test/fixtures/clock:
 * these machines run no time daemon (no systemd, no chronyd), and the clock check must be shown passing and
 * failing. Everything else (running the command, parsing, the verdict, the refusal) is Keel's real path.
 *
 * @example const clock = fakeChronyc('chronyc-tracking-synced.txt'); keelAsync([...], { env: clock.env }); clock.remove();
 */
export function fakeChronyc(fixture: string): { env: NodeJS.ProcessEnv; dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'keel-chronyc-'));
  const output = readFileSync(resolve(ROOT, 'test/fixtures/clock', fixture), 'utf8');
  writeFileSync(join(dir, 'output.txt'), output);
  writeFileSync(join(dir, 'chronyc'), `#!/bin/sh\n[ "$1" = tracking ] || { echo "506 Cannot talk to daemon" >&2; exit 1; }\ncat "${join(dir, 'output.txt')}"\n`);
  chmodSync(join(dir, 'chronyc'), 0o755);
  return { env: { PATH: `${dir}${delimiter}${process.env.PATH ?? ''}` }, dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
