import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeelError } from '../../src/model/index.ts';
import { nextRolloutState, type RolloutState } from '../../src/lifecycle/index.ts';

const candidate = { strategy: 'sma-cross', params: { fast: 2 }, versionId: 'bbbbbbbbbbbb' };
const idle: RolloutState = { stage: 'idle', current: 'aaaaaaaaaaaa' };

test('rollout stages: shadow -> canary -> full by promote; the candidate becomes the live version', () => {
  const shadow = nextRolloutState(idle, { kind: 'shadow', candidate }, 1);
  assert.deepEqual(shadow, { stage: 'shadow', current: 'aaaaaaaaaaaa', candidate, since: 1 });
  const canary = nextRolloutState(shadow, { kind: 'promote', fraction: 0.25 }, 2);
  assert.deepEqual(canary, { stage: 'canary', current: 'aaaaaaaaaaaa', candidate, since: 2, fraction: 0.25 });
  const full = nextRolloutState(canary, { kind: 'promote', fraction: 0.25 }, 3);
  assert.deepEqual(full, { stage: 'full', current: 'bbbbbbbbbbbb', previous: 'aaaaaaaaaaaa', since: 3 });
  // A new version can follow a full rollout.
  assert.equal(nextRolloutState(full, { kind: 'shadow', candidate: { ...candidate, versionId: 'cccccccccccc' } }, 4).stage, 'shadow');
});

test('rollout stages: rollback from shadow or canary keeps the live version; refusals name the stage and leave it', () => {
  const shadow = nextRolloutState(idle, { kind: 'shadow', candidate }, 1);
  assert.deepEqual(nextRolloutState(shadow, { kind: 'rollback' }, 2), { stage: 'rolled-back', current: 'aaaaaaaaaaaa', candidate, from: 'shadow', since: 2 });
  const canary = nextRolloutState(shadow, { kind: 'promote', fraction: 1 }, 2);
  const back = nextRolloutState(canary, { kind: 'rollback' }, 3);
  assert.equal(back.stage, 'rolled-back');
  assert.equal(back.current, 'aaaaaaaaaaaa');
  const refused = (s: RolloutState, c: Parameters<typeof nextRolloutState>[1], pattern: RegExp) => assert.throws(() => nextRolloutState(s, c, 9), (e: unknown) => e instanceof KeelError && e.code === 'ROLLOUT_STAGE' && pattern.test(e.message));
  refused(idle, { kind: 'promote', fraction: 0.5 }, /cannot promote in stage idle/);
  refused(idle, { kind: 'rollback' }, /cannot rollback in stage idle/);
  refused(back, { kind: 'rollback' }, /stage rolled-back/);
  refused(shadow, { kind: 'shadow', candidate: { ...candidate, versionId: 'dddddddddddd' } }, /already in shadow/);
  refused(idle, { kind: 'shadow', candidate: { ...candidate, versionId: 'aaaaaaaaaaaa' } }, /already the live version/);
  refused(shadow, { kind: 'promote', fraction: 0 }, /fraction 0 is not in \(0, 1\]/);
  const full = nextRolloutState(canary, { kind: 'promote', fraction: 1 }, 4);
  refused(full, { kind: 'rollback' }, /fully rolled out; deploy aaaaaaaaaaaa again/);
});
