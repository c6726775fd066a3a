import { parseMoney } from '../src/model/index.ts';
import type { RiskConfig } from '../src/risk/index.ts';

const usd = (x: string) => parseMoney(x, 'bench');
const ALWAYS_OPEN = { zone: 'America/New_York', windows: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const, start: '00:00', end: '24:00' }] };

/**
 * Every pre-trade check and every breaker switched on, with limits loose enough that a sane strategy is
 * never stopped: what the gate costs when it does all its work.
 */
export function everyLimit(instrumentId: string): RiskConfig {
  return {
    account: {
      maxOrderNotional: usd('100000000'), maxGrossExposure: usd('1000000000'), maxNetExposure: usd('1000000000'),
      maxOpenOrders: 100_000, maxOrdersPerSecond: 100_000, duplicateWindowMs: 1, restricted: ['NOT-TRADED'],
      priceCollar: { pct: 50, maxReferenceAgeMs: 86_400_000 }, buyingPower: { mode: 'margin', leverage: 100 },
      sessions: { zone: ALWAYS_OPEN.zone, windows: [{ days: [...ALWAYS_OPEN.windows[0].days], start: '00:00', end: '24:00' }] }, allowShort: true,
    },
    strategies: { 'sma-cross': { maxOrderNotional: usd('100000000'), maxGrossExposure: usd('1000000000'), maxOpenOrders: 100_000, maxOrdersPerSecond: 100_000 } },
    instruments: {
      [instrumentId]: {
        maxOrderQuantity: '100000000', maxOrderNotional: usd('100000000'), maxPositionQuantity: '100000000', maxPositionNotional: usd('1000000000'),
        maxOpenOrders: 100_000, minQuantity: '1', maxQuantity: '100000000', minNotional: usd('1'), allowShort: true,
      },
    },
    assetClasses: { equity: { maxGrossExposure: usd('1000000000'), maxNetExposure: usd('1000000000') } },
    breakers: {
      dailyLoss: { maxLossPct: 99, resetTime: '17:00', resetZone: 'America/New_York', action: 'reduce' },
      drawdown: { maxDrawdownPct: 99, action: 'reduce' },
      losingStreak: { maxConsecutiveLosses: 1_000_000, action: 'reduce' },
      rejectRate: { maxRejectPct: 99, windowMs: 60_000, minOrders: 1000, action: 'halt' },
      staleData: { maxAgeMs: 30 * 86_400_000, action: 'reduce' },
      venueDisconnect: { graceMs: 5000, action: 'reduce' },
      unknownOrders: { maxUnknown: 1000, action: 'halt' },
    },
    killSwitch: { flatten: true },
  };
}
