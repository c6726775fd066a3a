import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/** Small CSV fixtures written to a temp directory that is removed when the test file ends. */
const dir = mkdtempSync(join(tmpdir(), 'keel-data-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Write `text` to a fresh temp file named `name` and return its path. */
export function tempCsv(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
