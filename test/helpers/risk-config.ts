import { parseMoney, type Money } from '../../src/model/index.ts';
import { NO_LIMITS, type RiskConfig } from '../../src/risk/index.ts';

/** Exact money from a decimal string, as the config parser would produce it: `money('1000')`. */
export const money = (x: string | number): Money => parseMoney(x, 'test');

/**
 * A RiskConfig from the parts a test cares about, over NO_LIMITS: every limit not given is unset.
 *
 * @example riskConfig({ breakers: { drawdown: { maxDrawdownPct: 10, action: 'halt' } } })
 */
export function riskConfig(parts: { [K in keyof RiskConfig]?: RiskConfig[K] }): RiskConfig {
  return { ...NO_LIMITS, ...parts };
}
