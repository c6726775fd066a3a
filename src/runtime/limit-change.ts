import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { KeelError } from '../model/index.ts';
import { riskConfigFromObject, type RiskConfig } from '../risk/index.ts';

/**
 * An operator's live change of the risk limits (`POST /api/risk/limits`, `keel limits --api`): the new `risk:`
 * section as an object, validated by the same schema as keel.yaml, so a bad key or value is refused with the
 * same one line naming it. The new section replaces the order limits whole (what it leaves out is no longer
 * limited); `breakers` and `killSwitch`, when left out, stay as they are (they cannot change live anyway).
 */
export type LimitChange =
  | { readonly ok: true; readonly config: RiskConfig; readonly text: string; readonly changed: readonly string[] }
  | { readonly ok: false; readonly message: string };

/** Where a refusal says the limits came from. */
const SOURCE = 'the limit change';

export function planLimitChange(currentText: string | undefined, raw: unknown): LimitChange {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, message: 'risk: must be the risk section as an object (the keys of keel.yaml\'s risk:)' };
  const before = (currentText === undefined ? {} : (parseYaml(currentText) as Record<string, unknown> | null) ?? {});
  const next: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  for (const kept of ['breakers', 'killSwitch']) if (!(kept in next) && before[kept] !== undefined) next[kept] = before[kept];
  let config: RiskConfig;
  try {
    config = riskConfigFromObject(next, SOURCE);
  } catch (err) {
    if (err instanceof KeelError) return { ok: false, message: err.message };
    throw err;
  }
  const keys = new Set([...Object.keys(before), ...Object.keys(next)]);
  const changed = [...keys].filter((k) => JSON.stringify(before[k]) !== JSON.stringify(next[k])).sort();
  return { ok: true, config, text: toYaml(next).trimEnd(), changed };
}
