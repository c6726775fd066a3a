import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROOT } from '../helpers/cli.ts';
import { RUNBOOK_SECTIONS, runbookFor, withRunbook } from '../../src/ops/index.ts';
import { escalationLine, parseRunConfig } from '../../src/runtime/index.ts';

test('every alert the engine can raise has its section in docs/runbooks/alerts.md, and its detail links it', () => {
  const doc = readFileSync(resolve(ROOT, 'docs/runbooks/alerts.md'), 'utf8');
  for (const section of RUNBOOK_SECTIONS) assert.ok(doc.includes(`<a id="${section}"></a>`), `docs/runbooks/alerts.md has no section ${section}`);
  for (const source of ['kill-switch', 'breaker', 'reconciliation', 'venue', 'failover', 'standby_lag', 'backup', 'clock_drift']) {
    assert.match(runbookFor(source), /^docs\/runbooks\/alerts\.md#[a-z-]+$/, source);
  }
  assert.equal(withRunbook('failover', 'took over'), 'took over\nrunbook: docs/runbooks/alerts.md#failover');
  assert.equal(withRunbook('failover', withRunbook('failover', 'x')), 'x\nrunbook: docs/runbooks/alerts.md#failover', 'appended once');
});

test('escalation: who is paged for an alert, from its policy or the default; unknown contacts are refused naming the key', () => {
  const base = 'strategy: { name: sma-cross }\nvenue: { kind: sim, address: "127.0.0.1:1" }\njournal: j.sqlite\n';
  const cfg = parseRunConfig(`${base}escalation:\n  contacts:\n    - { name: alice, phone: "+1 555 0100" }\n    - { name: bob }\n  policies:\n    default: { page: [bob] }\n    kill-switch: { page: [alice, bob], ackWithin: 5m }\n`, 'keel.yaml');
  assert.equal(escalationLine('kill-switch', cfg.escalation), 'escalation: page alice (+1 555 0100), then bob, 5 min to acknowledge each');
  assert.equal(escalationLine('venue', cfg.escalation), 'escalation: page bob, 15 min to acknowledge each');
  assert.throws(() => parseRunConfig(`${base}escalation:\n  contacts: [{ name: alice }]\n  policies:\n    failover: { page: [mallory] }\n`, 'keel.yaml'),
    /keel\.yaml line 7: escalation\.policies\.failover\.page\[0\] = "mallory": is not one of the contacts \(alice\)/);
});
