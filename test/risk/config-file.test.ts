import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KeelError, MONEY_ONE } from '../../src/model/index.ts';
import { NO_LIMITS, type RiskConfig } from '../../src/risk/config.ts';
import { parseRiskConfig, riskConfigFromObject } from '../../src/risk/config-file.ts';
import {
  parseAmount, parseBreakerAction, parseCount, parseDuration, parsePercent, parseQuantity, parseTimeOfDay,
  parseTimeZone, parseWeekdays,
} from '../../src/risk/config-units.ts';

const usd = (x: bigint) => x * MONEY_ONE;

/** The one-line message of the KeelError a config raises (and that it is one). */
function errorOf(yaml: string, source = 'risk.yaml'): string {
  try {
    parseRiskConfig(yaml, source);
  } catch (e) {
    assert.ok(e instanceof KeelError, `expected a KeelError, got ${String(e)}`);
    assert.equal(e.code, 'BAD_RISK_CONFIG');
    assert.ok(!e.message.includes('\n'), 'one line');
    return e.message;
  }
  assert.fail('expected an error');
}

test('examples/risk.yaml parses into exact Money, decimal quantities and ms durations', () => {
  const risk = parseRiskConfig(readFileSync(new URL('../../examples/risk.yaml', import.meta.url), 'utf8'), 'risk.yaml');
  const fiveDays = 5 * 86_400_000;
  const expected: RiskConfig = {
    account: {
      maxOrderNotional: usd(50_000n), maxGrossExposure: usd(100_000n), maxNetExposure: usd(100_000n),
      maxOpenOrders: 5, maxOrdersPerSecond: 5, maxModificationsPerSecond: 10, duplicateWindowMs: 2000,
      restricted: ['MSFT'], buyingPower: { mode: 'cash' }, allowShort: false,
      priceCollar: { pct: 10, ticks: 50, maxReferenceAgeMs: fiveDays },
      sessions: { zone: 'UTC', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '00:00', end: '24:00' }] },
    },
    strategies: {
      'sma-cross': { maxOrderNotional: usd(50_000n), maxGrossExposure: usd(100_000n), maxOpenOrders: 2, maxOrdersPerSecond: 2 },
    },
    instruments: {
      ORCL: {
        maxOrderQuantity: '5000', maxOrderNotional: usd(50_000n), maxPositionQuantity: '10000',
        maxPositionNotional: usd(100_000n), maxOpenOrders: 2, minQuantity: '1', maxQuantity: '1000000',
        minNotional: usd(1n), allowShort: false, priceCollar: { pct: 8, maxReferenceAgeMs: fiveDays },
      },
    },
    assetClasses: { equity: { maxGrossExposure: usd(100_000n), maxNetExposure: usd(100_000n) } },
    breakers: {
      dailyLoss: { maxLoss: usd(3000n), maxLossPct: 3, resetTime: '00:00', resetZone: 'America/New_York', action: 'reduce' },
      drawdown: { maxDrawdownPct: 20, action: 'halt' },
      losingStreak: { maxConsecutiveLosses: 5, action: 'reduce' },
      rejectRate: { maxRejectPct: 50, windowMs: 30 * 86_400_000, minOrders: 5, action: 'halt' },
      staleData: { maxAgeMs: fiveDays, action: 'reduce' },
      venueDisconnect: { graceMs: 30_000, action: 'reduce' },
      unknownOrders: { maxUnknown: 0, action: 'halt' },
    },
    killSwitch: { flatten: false },
  };
  assert.deepEqual(risk, expected);
});

test('a run config with a top-level risk: key: other keys are ignored, paths in errors start with risk.', () => {
  const run = 'venue:\n  name: sim\nrisk:\n  account:\n    maxOrderNotional: "50000.25"\ndata: {}\n';
  assert.equal(parseRiskConfig(run, 'run.yaml').account.maxOrderNotional, 50_000_250_000_000_000n);
  assert.equal(errorOf('venue: sim\nrisk:\n  account:\n    maxOpenOrders: 0\n', 'run.yaml'),
    'run.yaml line 4: risk.account.maxOpenOrders = 0: must be a whole number of 1 or more');
  assert.deepEqual(parseRiskConfig('venue: sim\nrisk:\n', 'run.yaml'), NO_LIMITS);
});

test('an empty file, and sections left empty, mean no limits', () => {
  assert.deepEqual(parseRiskConfig('', 'risk.yaml'), NO_LIMITS);
  assert.deepEqual(parseRiskConfig('# nothing yet\n', 'risk.yaml'), NO_LIMITS);
  assert.deepEqual(parseRiskConfig('account:\nstrategies:\ninstruments:\nassetClasses:\nbreakers:\nkillSwitch:\n', 'risk.yaml'), NO_LIMITS);
  assert.deepEqual(riskConfigFromObject(undefined, 'inline'), NO_LIMITS);
});

test('defaults', () => {
  const risk = riskConfigFromObject({
    account: { priceCollar: { ticks: 5 }, buyingPower: { mode: 'margin' } },
    breakers: {
      dailyLoss: { maxLoss: 1000 }, drawdown: { maxDrawdown: '5000' }, losingStreak: { maxConsecutiveLosses: 3 },
      rejectRate: { maxRejectPct: 20 }, staleData: { maxAge: '30s' }, venueDisconnect: null, unknownOrders: { maxUnknown: 2 },
    },
  }, 'inline');
  assert.deepEqual(risk.account, { priceCollar: { ticks: 5, maxReferenceAgeMs: 60_000 }, buyingPower: { mode: 'margin', leverage: 1 } });
  assert.deepEqual(risk.breakers, {
    dailyLoss: { maxLoss: usd(1000n), resetTime: '00:00', resetZone: 'UTC', action: 'reduce' },
    drawdown: { maxDrawdown: usd(5000n), action: 'reduce' },
    losingStreak: { maxConsecutiveLosses: 3, action: 'reduce' },
    rejectRate: { maxRejectPct: 20, windowMs: 60_000, minOrders: 10, action: 'halt' },
    staleData: { maxAgeMs: 30_000, action: 'reduce' },
    venueDisconnect: { graceMs: 0, action: 'reduce' },
    unknownOrders: { maxUnknown: 2, action: 'halt' },
  });
  assert.deepEqual(risk.killSwitch, { flatten: false });
  assert.deepEqual(riskConfigFromObject({ account: { buyingPower: { mode: 'margin', leverage: 2.5 } } }, 'x').account.buyingPower,
    { mode: 'margin', leverage: 2.5 });
});

const value = <T>(r: { ok: true; value: T } | { ok: false }): T => {
  if (!r.ok) assert.fail(`expected a value, got ${JSON.stringify(r)}`);
  return r.value;
};
const problem = (r: { ok: boolean; problem?: unknown }) => {
  assert.equal(r.ok, false);
  return r.problem;
};

test('amounts: numbers or decimal strings to exact Money, 0 or more, never through float arithmetic', () => {
  assert.equal(value(parseAmount(50000)), 50_000n * MONEY_ONE);
  assert.equal(value(parseAmount(2500.5)), 2_500_500_000_000_000n);
  assert.equal(value(parseAmount(0.1)), 100_000_000_000n); // 0.1 exactly, not 0.1000000000000000055…
  assert.equal(value(parseAmount('50000.123456789012')), 50_000_123_456_789_012n);
  assert.equal(value(parseAmount(' 0 ')), 0n);
  assert.equal(value(parseAmount('12345678901234567.5')), 12_345_678_901_234_567_500_000_000_000n);
  const message = 'must be an amount of 0 or more, as a number or a decimal string such as "2500.50"';
  for (const bad of ['50k', '1e5', '50,000', '', true, null, [1]]) assert.deepEqual(problem(parseAmount(bad)), { message }, String(bad));
  assert.deepEqual(problem(parseAmount(-1)), { message: 'must be an amount of 0 or more' });
  assert.deepEqual(problem(parseAmount('0.0000000000001')), { message: 'must be an amount of 0 or more with at most 12 decimals' });
  assert.deepEqual(problem(parseAmount(12345678901234567)),
    { message: 'has more digits than a YAML number keeps exactly', hint: 'write it in quotes so every digit is kept' });
});

test('quantities: above 0, to normalised decimal strings', () => {
  assert.equal(value(parseQuantity(100)), '100');
  assert.equal(value(parseQuantity('0.50')), '0.5');
  assert.equal(value(parseQuantity('+007.50')), '7.5');
  assert.equal(value(parseQuantity(1e-8)), '0.00000001');
  assert.equal(value(parseQuantity(1e21)), '1000000000000000000000');
  for (const bad of [0, '0.000', -1, 'abc', '1/2']) assert.equal(parseQuantity(bad).ok, false, String(bad));
});

test('percents, counts', () => {
  assert.equal(value(parsePercent(100)), 100);
  assert.equal(value(parsePercent(0.5)), 0.5);
  for (const bad of [0, -2, 100.01, '3', NaN]) assert.deepEqual(problem(parsePercent(bad)), { message: 'must be a percent above 0 and at most 100' });
  assert.deepEqual(problem(parsePercent('3%')), { message: 'must be a percent above 0 and at most 100', hint: 'write 3, without the % sign' });
  assert.equal(value(parseCount(1)), 1);
  for (const bad of [0, 1.5, '2', -1]) assert.deepEqual(problem(parseCount(bad)), { message: 'must be a whole number of 1 or more' });
  assert.equal(value(parseCount(0, 0)), 0);
});

test('durations: 250ms, 30s, 5m, 1h, 1d or bare milliseconds, exactly', () => {
  const cases: [unknown, number][] = [
    ['250ms', 250], ['30s', 30_000], ['5m', 300_000], ['1h', 3_600_000], ['1d', 86_400_000], [1500, 1500],
    ['1500', 1500], ['1.5s', 1500], ['0.1s', 100], [' 30 s ', 30_000], ['1.25m', 75_000],
  ];
  for (const [input, ms] of cases) assert.equal(value(parseDuration(input)), ms, String(input));
  const message = 'must be a duration above 0, such as 250ms, 30s, 5m, 1h or 1d (a bare number is milliseconds)';
  for (const bad of ['0s', 0, '-1s', -5, '1w', '30 sec', 1.5, '1h30m', '']) assert.deepEqual(problem(parseDuration(bad)), { message }, String(bad));
  assert.deepEqual(problem(parseDuration('0.5ms')), { message: 'must be a whole number of milliseconds' });
  assert.equal(value(parseDuration(0, { allowZero: true })), 0);
  assert.equal(value(parseDuration('0s', { allowZero: true })), 0);
});

test('times of day: HH:MM 00:00-23:59, 24:00 only as a session end', () => {
  assert.equal(value(parseTimeOfDay('09:30')), '09:30');
  assert.equal(value(parseTimeOfDay('9:30')), '09:30');
  assert.equal(value(parseTimeOfDay('00:00')), '00:00');
  assert.equal(value(parseTimeOfDay('23:59')), '23:59');
  assert.equal(value(parseTimeOfDay('24:00', { allowEndOfDay: true })), '24:00');
  const message = 'must be a time of day "HH:MM" from 00:00 to 23:59';
  assert.deepEqual(problem(parseTimeOfDay('24:00')), { message, hint: '24:00 is only allowed as a session end' });
  for (const bad of ['12:60', '0930', '9', '9:5', '']) assert.deepEqual(problem(parseTimeOfDay(bad)), { message }, bad);
  assert.deepEqual(problem(parseTimeOfDay('24:01', { allowEndOfDay: true })), { message: 'must be a time of day "HH:MM" from 00:00 to 24:00' });
  assert.deepEqual(problem(parseTimeOfDay(570)), { message, hint: 'quote it, e.g. "09:30"' });
});

test('weekdays: a list, a range (also across the weekend) or one day, in week order', () => {
  assert.deepEqual(value(parseWeekdays('mon-fri')), ['mon', 'tue', 'wed', 'thu', 'fri']);
  assert.deepEqual(value(parseWeekdays('fri-mon')), ['mon', 'fri', 'sat', 'sun']);
  assert.deepEqual(value(parseWeekdays('sun-fri')), ['mon', 'tue', 'wed', 'thu', 'fri', 'sun']);
  assert.deepEqual(value(parseWeekdays('sat')), ['sat']);
  assert.deepEqual(value(parseWeekdays(['wed', 'Mon'])), ['mon', 'wed']);
  const message = 'must be a list of weekdays (mon, tue, wed, thu, fri, sat, sun) or a range such as "mon-fri"';
  for (const bad of [[], 'mon-funday', 'mon-tue-wed', 'weekdays', 5]) assert.deepEqual(problem(parseWeekdays(bad)), { message }, String(bad));
  assert.deepEqual(problem(parseWeekdays(['mon', 'mon'])), { message: 'is listed twice', at: [1] });
  assert.deepEqual(problem(parseWeekdays(['mon', 'monday'])), { message: 'must be a weekday: mon, tue, wed, thu, fri, sat or sun', at: [1] });
});

test('time zones and breaker actions', () => {
  assert.equal(value(parseTimeZone('America/New_York')), 'America/New_York');
  assert.equal(value(parseTimeZone('UTC')), 'UTC');
  for (const bad of ['New York', '', 3]) assert.equal(parseTimeZone(bad).ok, false);
  for (const a of ['reduce', 'halt', 'kill']) assert.equal(value(parseBreakerAction(a)), a);
  for (const bad of ['stop', 'HALT', undefined]) assert.deepEqual(problem(parseBreakerAction(bad)), { message: 'must be one of reduce, halt, kill' });
});

test('each kind of error is one line: file, line, key path, value, what is allowed', () => {
  const cases: [string, string][] = [
    ['breakers:\n  dailyLoss:\n    maxLoss: 1000\n    maxLossPct: -2\n',
      'risk.yaml line 4: breakers.dailyLoss.maxLossPct = -2: must be a percent above 0 and at most 100'],
    ['account:\n  maxOrderNotional: 50k\n',
      'risk.yaml line 2: account.maxOrderNotional = "50k": must be an amount of 0 or more, as a number or a decimal string such as "2500.50"'],
    ['account:\n  maxGrossExposure: -100\n', 'risk.yaml line 2: account.maxGrossExposure = -100: must be an amount of 0 or more'],
    ['instruments:\n  ORCL:\n    maxOrderQuantity: 0\n', 'risk.yaml line 3: instruments.ORCL.maxOrderQuantity = 0: must be a quantity above 0'],
    ['instruments:\n  BTC/USD:\n    maxOrderQuantity: -1\n', 'risk.yaml line 3: instruments["BTC/USD"].maxOrderQuantity = -1: must be a quantity above 0'],
    ['account:\n  maxOpenOrders: 2.5\n', 'risk.yaml line 2: account.maxOpenOrders = 2.5: must be a whole number of 1 or more'],
    ['account:\n  duplicateWindow: 1 week\n',
      'risk.yaml line 2: account.duplicateWindow = "1 week": must be a duration above 0, such as 250ms, 30s, 5m, 1h or 1d (a bare number is milliseconds)'],
    ['breakers:\n  dailyLoss:\n    maxLossPct: 3\n    resetTime: "24:00"\n',
      'risk.yaml line 4: breakers.dailyLoss.resetTime = "24:00": must be a time of day "HH:MM" from 00:00 to 23:59 (24:00 is only allowed as a session end)'],
    ['account:\n  sessions:\n    zone: UTC\n    windows:\n      - days: [mon, funday]\n        start: "09:30"\n        end: "16:00"\n',
      'risk.yaml line 5: account.sessions.windows[0].days[1] = "funday": must be a weekday: mon, tue, wed, thu, fri, sat or sun'],
    ['account:\n  sessions:\n    zone: New York\n    windows: [{ days: mon-fri, start: "09:30", end: "16:00" }]\n',
      'risk.yaml line 3: account.sessions.zone = "New York": must be an IANA time zone such as America/New_York, Europe/London or UTC'],
    ['account:\n  sessions:\n    zone: UTC\n    windows:\n      - days: mon-fri\n        start: "09:30"\n        end: "9:30"\n',
      'risk.yaml line 7: account.sessions.windows[0].end = "9:30": must differ from start (use start "00:00" and end "24:00" for the whole day)'],
    ['account:\n  sessions:\n    zone: UTC\n    windows: []\n', 'risk.yaml line 4: account.sessions.windows: must list at least one window'],
    ['breakers:\n  drawdown:\n    maxDrawdownPct: 20\n    action: stop\n',
      'risk.yaml line 4: breakers.drawdown.action = "stop": must be one of reduce, halt, kill'],
    ['killSwitch:\n  flatten: yes\n', 'risk.yaml line 2: killSwitch.flatten = "yes": must be true or false'],
    ['breakers:\n  staleData:\n    action: halt\n', 'risk.yaml line 2: breakers.staleData.maxAge: is required (a duration such as 30s)'],
    ['breakers:\n  dailyLoss:\n    action: halt\n', 'risk.yaml line 2: breakers.dailyLoss: needs maxLoss or maxLossPct (or both)'],
    ['breakers:\n  drawdown: {}\n', 'risk.yaml line 2: breakers.drawdown: needs maxDrawdownPct or maxDrawdown (or both)'],
    ['account:\n  priceCollar:\n    maxReferenceAge: 30s\n', 'risk.yaml line 2: account.priceCollar: needs pct or ticks (or both)'],
    ['account:\n  buyingPower:\n    mode: credit\n', 'risk.yaml line 3: account.buyingPower.mode = "credit": must be cash or margin'],
    ['account:\n  buyingPower: { mode: cash, leverage: 2 }\n', 'risk.yaml line 2: account.buyingPower.leverage = 2: applies only to mode margin'],
    ['account:\n  buyingPower: { mode: margin, leverage: 0 }\n',
      'risk.yaml line 2: account.buyingPower.leverage = 0: must be a leverage above 0, such as 1 or 2.5'],
    ['instruments:\n  ORCL:\n    minQuantity: 10\n    maxQuantity: 9.5\n',
      'risk.yaml line 3: instruments.ORCL.minQuantity = 10: must not be above maxQuantity 9.5'],
    ['account: 5\n', 'risk.yaml line 1: account = 5: must be a mapping of account limits such as maxOrderNotional: 50000'],
    ['account:\n  restricted: [ORCL, 1234]\n',
      'risk.yaml line 2: account.restricted[1] = 1234: must be an instrument id (quote ids that YAML reads as numbers or booleans)'],
    ['- account\n', 'risk.yaml line 1: must be a mapping of risk sections (account, strategies, instruments, assetClasses, breakers, killSwitch)'],
  ];
  for (const [yaml, message] of cases) assert.equal(errorOf(yaml), message);
});

test('the error carries the code, the field with its line, and the offending value', () => {
  try {
    parseRiskConfig('breakers:\n  dailyLoss:\n    maxLossPct: 150\n', 'risk.yaml');
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof KeelError);
    assert.equal(e.field, 'risk.yaml line 3: breakers.dailyLoss.maxLossPct');
    assert.equal(e.value, 150);
  }
});

test('unknown keys are errors, with a did-you-mean hint or the list of known keys', () => {
  assert.equal(errorOf('account:\n  maxOrderNotional: 50000\n  maxOrderNotionl: 4\n'),
    'risk.yaml line 3: account.maxOrderNotionl = 4: is not a known key (did you mean maxOrderNotional?)');
  assert.equal(errorOf('account:\n  priceCollar:\n    pct: 5\n    maxReferenceAgeMs: 30000\n'),
    'risk.yaml line 4: account.priceCollar.maxReferenceAgeMs = 30000: is not a known key ' +
    '(did you mean maxReferenceAge? durations are written without Ms, e.g. maxReferenceAge: 30s)');
  assert.equal(errorOf('assetClasses:\n  stocks:\n    maxGrossExposure: 1\n'),
    'risk.yaml line 2: assetClasses.stocks: is not a known key (known keys: equity, crypto, fx)');
  assert.equal(errorOf('breakers: {}\nbreaker:\n  drawdown: {}\n'),
    'risk.yaml line 2: breaker: is not a known key (did you mean breakers?)');
  assert.equal(errorOf('venue: sim\n'),
    'risk.yaml line 1: venue = "sim": is not a known key (known keys: account, strategies, instruments, assetClasses, breakers, killSwitch)');
});

test('with several problems, the first in the file is reported', () => {
  const yaml = 'breakers:\n  staleData:\n    maxAge: 0\naccount:\n  maxOpenOrders: 0\n  bogus: 1\n';
  assert.equal(errorOf(yaml), 'risk.yaml line 3: breakers.staleData.maxAge = 0: must be a duration above 0, such as 250ms, 30s, 5m, 1h or 1d (a bare number is milliseconds)');
});

test('YAML syntax errors are one clear error with the line', () => {
  assert.equal(errorOf('account:\n  maxOrderNotional: 1\n  maxOrderNotional: 2\n'), 'risk.yaml line 3: is not valid YAML: Map keys must be unique');
  assert.equal(errorOf('account:\n\tmaxOpenOrders: 3\n'), 'risk.yaml line 2: is not valid YAML: Tabs are not allowed as indentation');
  assert.match(errorOf('account:\n  restricted: [ORCL\n'), /^risk\.yaml line \d: is not valid YAML: .+$/);
  assert.equal(errorOf('account: {}\n---\nbreakers: {}\n'),
    'risk.yaml line 2: is not valid YAML: has more than one document (a second "---"); keep the whole config in one');
});

test('already-parsed input: the same errors without line numbers', () => {
  assert.throws(() => riskConfigFromObject({ account: { maxOpenOrders: 0 } }, 'inline config'),
    { name: 'KeelError', message: 'inline config: account.maxOpenOrders = 0: must be a whole number of 1 or more' });
  assert.throws(() => riskConfigFromObject('nope', 'inline config'),
    { message: 'inline config = "nope": must be a mapping of risk sections (account, strategies, instruments, assetClasses, breakers, killSwitch)' });
});
