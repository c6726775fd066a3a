import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from '../../helpers/cli.ts';
import { FixFramer, encodeFix, parseFix, printable, type FixMessage } from '../../../src/venues/fix/index.ts';

const TRANSCRIPT = resolve(ROOT, '../shared/fixtures/executor_fix42_transcript.txt');

test('every message of the recorded executor session frames to the same BodyLength and CheckSum as QuickFIX wrote', () => {
  const lines = readFileSync(TRANSCRIPT, 'utf8').split('\n').filter((l) => /^(>>|<<) 8=/.test(l));
  assert.ok(lines.length >= 8, 'the transcript has the whole session');
  for (const line of lines) {
    const raw = line.slice(3).replaceAll('|', '\x01');
    const m = parseFix(raw);
    const fields = m.fields.filter(([t]) => t !== 8 && t !== 9 && t !== 10);
    assert.equal(encodeFix(m.get(8)!, fields), raw, `re-encoded ${line}`);
  }
});

test('the framer cuts a byte stream anywhere, drops a message with a wrong CheckSum or BodyLength, and keeps going', () => {
  const a = encodeFix('FIX.4.4', [[35, '0'], [49, 'A'], [56, 'B'], [34, '1'], [52, '20261122-03:54:13.506']]);
  const b = encodeFix('FIX.4.4', [[35, '1'], [49, 'A'], [56, 'B'], [34, '2'], [52, '20261122-03:54:13.506'], [112, 'T1']]);
  const bad = a.replace(/10=\d{3}/, (s) => `10=${String((Number(s.slice(3)) + 1) % 256).padStart(3, '0')}`);
  const badLength = a.replace('9=', '9=1');
  const got: FixMessage[] = [];
  const garbled: string[] = [];
  const f = new FixFramer((m) => got.push(m), (w) => garbled.push(w));
  const stream = Buffer.from(`junk${a}${bad}${badLength}${b}`, 'latin1');
  for (let i = 0; i < stream.length; i += 7) f.push(stream.subarray(i, i + 7));
  assert.deepEqual(got.map((m) => m.raw), [a, b], 'the two good messages, in order');
  assert.equal(got[1].get(112), 'T1');
  assert.ok(garbled.some((g) => /BodyLength/.test(g)), garbled.join('; '));
  assert.ok(garbled.some((g) => /CheckSum/.test(g)), garbled.join('; '));
  assert.ok(!got.some((m) => m.raw === bad), 'the message with the wrong CheckSum is not delivered');
});

test('printable() redacts Password (554), RawData (96) and NewPassword (925)', () => {
  const raw = encodeFix('FIX.4.4', [[35, 'A'], [553, 'user'], [554, 'hunter22'], [96, 'rawsecret'], [925, 'newpass1']]);
  const p = printable(raw);
  assert.match(p, /553=user\|554=\[redacted\]\|96=\[redacted\]\|925=\[redacted\]/);
  for (const s of ['hunter22', 'rawsecret', 'newpass1']) assert.ok(!p.includes(s));
});
