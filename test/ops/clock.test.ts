import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Registry } from 'prom-client';
import { ClockWatch, clockConfigSchema, clockVerdict, measureClock, parseChronyTracking, parseTimedatectl } from '../../src/ops/index.ts';
import { thresholdRules } from '../../src/ops/index.ts';
import { ROOT } from '../helpers/cli.ts';
import { fakeChronyc } from '../helpers/fake-chronyc.ts';

const fixture = (name: string) => readFileSync(resolve(ROOT, 'test/fixtures/clock', name), 'utf8');
const LIMITS = { alertMs: 1, hardLimitMs: 100 };

test('chronyc tracking: slow is a negative offset, fast a positive one, reference id 0 / "Not synchronised" is unsynchronised', () => {
  const synced = parseChronyTracking(fixture('chronyc-tracking-synced.txt'))!;
  assert.equal(synced.source, 'chrony');
  assert.equal(synced.synchronised, true);
  assert.ok(Math.abs(synced.offsetMs! - -0.006523) < 1e-12, String(synced.offsetMs));
  assert.equal(synced.reference, 'foo.example.net');
  assert.equal(synced.stratum, 3);
  const drift = parseChronyTracking(fixture('chronyc-tracking-drift.txt'))!;
  assert.ok(Math.abs(drift.offsetMs! - 250.412733) < 1e-9, String(drift.offsetMs));
  const unsynced = parseChronyTracking(fixture('chronyc-tracking-unsynced.txt'))!;
  assert.equal(unsynced.synchronised, false);
  assert.equal(parseChronyTracking('506 Cannot talk to daemon\n'), undefined);
  assert.equal(parseChronyTracking('Reference ID    : CB00710F (x)\nSystem time     : soon\n'), undefined, 'an unreadable offset is no reading');
});

test('timedatectl: timesync-status gives the offset in its own units; status and show only say synchronised or not', () => {
  const ts = parseTimedatectl(fixture('timedatectl-timesync-status.txt'))!;
  assert.deepEqual(ts, { source: 'timedatectl', synchronised: true, offsetMs: -2.18, reference: 'ntp.example.com', stratum: 2 });
  assert.equal(parseTimedatectl('       Server: 10.0.0.1 (ntp)\n         Leap: normal\n       Offset: +512us\n')!.offsetMs, 0.512);
  const status = parseTimedatectl(fixture('timedatectl-status.txt'))!;
  assert.deepEqual([status.synchronised, status.offsetMs], [true, undefined]);
  const show = parseTimedatectl(fixture('timedatectl-show.txt'))!;
  assert.deepEqual([show.synchronised, show.offsetMs], [false, undefined]);
  assert.equal(parseTimedatectl('System has not been booted with systemd as init system (PID 1). Can\'t operate.\n'), undefined);
});

test('the verdict: within the alert threshold ok, past it drift, past the hard limit or unsynchronised or unmeasured refuse', () => {
  const reading = (offsetMs: number | undefined, synchronised = true) => ({ ok: true as const, reading: { source: 'chrony' as const, synchronised, offsetMs, reference: 'ntp', stratum: 2 } });
  assert.equal(clockVerdict(reading(0.4), LIMITS).level, 'ok');
  assert.equal(clockVerdict(reading(-0.4), LIMITS).level, 'ok');
  const drift = clockVerdict(reading(-3.5), LIMITS);
  assert.equal(drift.level, 'drift');
  assert.match(drift.line, /offset -3\.500 ms \(chrony, reference ntp\) is past the alert threshold of 1 ms/);
  assert.equal(clockVerdict(reading(250.4), LIMITS).level, 'refuse');
  assert.equal(clockVerdict(reading(0, false), LIMITS).level, 'refuse');
  assert.equal(clockVerdict({ ok: false, reason: 'chronyc tracking: not installed' }, LIMITS).level, 'refuse');
  assert.equal(clockVerdict(reading(undefined), LIMITS).level, 'ok');
  assert.throws(() => clockConfigSchema.parse({ alertMs: 5, hardLimitMs: 2 }), /hardLimitMs must be at least alertMs/);
  assert.throws(() => clockConfigSchema.parse({ sources: ['ntpd'] }), /chrony or timedatectl/);
});

test('measureClock runs chronyc from PATH; the watch exports keel_clock_offset_seconds and the clock_drift rule fires past the threshold', async () => {
  const drift = fakeChronyc('chronyc-tracking-drift.txt');
  const saved = process.env.PATH;
  try {
    process.env.PATH = drift.env.PATH;
    const m = await measureClock(['chrony']);
    assert.ok(m.ok && Math.abs(m.reading.offsetMs! - 250.412733) < 1e-9, JSON.stringify(m));
    const registry = new Registry();
    const watch = new ClockWatch({ config: clockConfigSchema.parse({ alertMs: 1, hardLimitMs: 1000 }), registry });
    const verdict = await watch.check();
    assert.equal(verdict.level, 'drift');
    const text = await registry.metrics();
    assert.match(text, /keel_clock_offset_seconds\{source="chrony"\} 0\.250412733/);
    assert.match(text, /keel_clock_synchronised 1/);
    const [rule] = thresholdRules({ clockDriftMs: 1 }).filter((r) => r.name === 'clock_drift');
    const signals = { ts: 0, drawdownPct: 0, venueConnected: true, rssMb: 1 };
    assert.match(rule.test({ ...signals, clockOffsetMs: watch.offsetMs })!, /clock offset \+250\.413 ms from UTC \(threshold 1 ms/);
    assert.equal(rule.test({ ...signals, clockOffsetMs: 0.3 }), undefined);
    assert.equal(rule.test({ ...signals, clockOffsetMs: -1.5 }) !== undefined, true, 'a slow clock drifts too');
  } finally {
    process.env.PATH = saved;
    drift.remove();
  }
});
