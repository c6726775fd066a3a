import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KeelError } from '../../src/model/index.ts';
import { openSqliteJournal } from '../../src/store/index.ts';

const HOLDER = resolve(import.meta.dirname, '../helpers/hold-journal.ts');
const event = { ts: 1, stream: { account: 'a' }, type: 'engine.started', payload: {} };

function locked(pattern: RegExp) {
  return (e: unknown) => e instanceof KeelError && e.code === 'JOURNAL_LOCKED' && pattern.test(e.message);
}

test('a second writer on a SQLite journal is refused, readers are not, and the lock goes with the first writer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-lock-'));
  const path = join(dir, 'journal.sqlite');
  try {
    const first = await openSqliteJournal({ path });
    await first.append([event]);
    await assert.rejects(openSqliteJournal({ path }), locked(new RegExp(`already open for writing by process ${process.pid} on `)));
    const reader = await openSqliteJournal({ path, readOnly: true });
    assert.equal(await reader.lastSeq(), 1);
    await reader.close();
    await first.close();
    const second = await openSqliteJournal({ path });
    assert.equal((await second.append([event]))[0], 2);
    await second.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a writer killed with SIGKILL leaves no stale lock; while it lives, another process is refused and the file is untouched', { timeout: 30_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-lock-'));
  const path = join(dir, 'journal.sqlite');
  try {
    const setup = await openSqliteJournal({ path });
    await setup.append([event]);
    await setup.close();
    const child = spawn(process.execPath, [HOLDER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((res, rej) => {
      child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('ready')) res(); });
      child.on('exit', (code) => rej(new Error(`holder exited early: ${code}`)));
    });
    const before = readFileSync(path);
    await assert.rejects(openSqliteJournal({ path }), locked(new RegExp(`by process ${child.pid} on `)));
    assert.deepEqual(readFileSync(path), before, 'the refused open wrote nothing');
    const exited = new Promise((res) => child.on('exit', res));
    child.kill('SIGKILL');
    await exited;
    const after = await openSqliteJournal({ path });
    assert.equal(await after.lastSeq(), 1);
    await after.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
