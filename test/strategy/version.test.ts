import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadStrategy, strategyVersion } from '../../src/strategy/index.ts';
import { ROOT } from '../helpers/cli.ts';

test('strategy version: the sha256 of the source file plus the parameters', async () => {
  const sma = await loadStrategy('sma-cross');
  const expected = createHash('sha256').update(readFileSync(resolve(ROOT, 'src/strategy/examples/sma-cross.ts'))).digest('hex');
  assert.equal(sma.codeHash, expected);
  assert.equal(strategyVersion(sma, { fast: 10, slow: 30 }), `sha256:${expected} {"fast":10,"slow":30}`);
  const file = await loadStrategy('examples/strategies/atr-risk-sizing.ts');
  assert.equal(file.codeHash, createHash('sha256').update(readFileSync(resolve(ROOT, 'examples/strategies/atr-risk-sizing.ts'))).digest('hex'));
  assert.notEqual(strategyVersion(sma, { fast: 10 }), strategyVersion(sma, { fast: 11 }));
});
