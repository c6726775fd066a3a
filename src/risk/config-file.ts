import { parseYamlConfig, configFromObject, type ConfigSection } from '../model/index.ts';
import type { RiskConfig } from './config.ts';
import { riskConfigSchema } from './config-schema.ts';

/**
 * Reading the risk limits from a YAML file: the risk section itself, or a run config (keel.yaml) with a
 * top-level `risk:` key. Keys, units and defaults are in `config-schema.ts` and docs/risk-config.md; a bad
 * file gives one BAD_RISK_CONFIG line naming the file, line, key and value (model/config-file.ts).
 */
const RISK_SECTION: ConfigSection<RiskConfig> = { schema: riskConfigSchema as ConfigSection<RiskConfig>['schema'], code: 'BAD_RISK_CONFIG', key: 'risk' };

/**
 * Parse and validate a risk config from YAML text. `source` names the file in errors.
 *
 * @example
 * const risk = parseRiskConfig(readFileSync('risk.yaml', 'utf8'), 'risk.yaml');
 * risk.account.maxOrderNotional; // 50_000_000_000_000_000n (50000 USD as Money)
 */
export function parseRiskConfig(text: string, source: string): RiskConfig {
  return parseYamlConfig(text, source, RISK_SECTION);
}

/**
 * Validate a risk config that is already parsed (JSON, a test fixture, a config built in code).
 *
 * @example
 * riskConfigFromObject({ account: { maxOrderNotional: 50000 } }, 'inline config');
 */
export function riskConfigFromObject(obj: unknown, source: string): RiskConfig {
  return configFromObject(obj, source, RISK_SECTION);
}
