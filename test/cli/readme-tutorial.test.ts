import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keel, ROOT } from '../helpers/cli.ts';

// The README's tutorial must keep working exactly as written: take its strategy and its command from the
// README itself and run them.
test('the README tutorial strategy backtests with the README command', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const code = /```ts\n([\s\S]*?)```/.exec(readme)?.[1].replace(/^ {3}/gm, '');
  assert.ok(code, 'README has a ts code block');
  const command = /npx keel backtest --strategy my-strategies\/dip-buyer\.ts([^`]*?)\n\s*```/.exec(readme)?.[1];
  assert.ok(command, 'README has the tutorial command');
  const args = command.replace(/\\\n/g, ' ').trim().split(/\s+/).filter((a) => a !== '--report' && a !== 'report.html');
  const dir = join(ROOT, 'test-artifacts', 'my-strategies');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'dip-buyer.ts'), code);
  try {
    const out = join(ROOT, 'test-artifacts', 'tutorial.json');
    const r = keel(['backtest', '--strategy', join(dir, 'dip-buyer.ts'), ...args, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(result.strategy.params, { period: 100, dip: 4 });
    assert.ok(result.trades.length > 0, 'the tutorial strategy trades');
  } finally {
    rmSync(join(dir, 'dip-buyer.ts'), { force: true });
  }
});
