import { KeelError } from '../model/index.ts';

/**
 * How `enterLong` / `enterShort` size an entry (`--sizing`):
 * - `all-in`: spend all available cash (as many whole units as it covers at the fill price, fees included);
 * - `units:N`: a fixed N units;
 * - `percent:P`: spend P% of equity at the time of the decision.
 */
export type Sizing =
  | { readonly kind: 'all-in' }
  | { readonly kind: 'units'; readonly units: number }
  | { readonly kind: 'percent'; readonly percent: number };

/**
 * Parse `--sizing`.
 *
 * @example parseSizing('units:1000') // { kind: 'units', units: 1000 }
 */
export function parseSizing(text: string): Sizing {
  const s = text.trim();
  if (s === 'all-in') return { kind: 'all-in' };
  const m = /^(units|percent):(.+)$/.exec(s);
  if (m) {
    const n = Number(m[2]);
    if (m[2].trim() !== '' && Number.isFinite(n) && n > 0 && (m[1] !== 'percent' || n <= 100)) {
      return m[1] === 'units' ? { kind: 'units', units: n } : { kind: 'percent', percent: n };
    }
    throw new KeelError('BAD_SIZING', m[1] === 'units' ? 'needs a positive number of units' : 'needs a percent in (0, 100]', { field: '--sizing', value: text });
  }
  throw new KeelError('BAD_SIZING', 'is not a sizing rule', { field: '--sizing', value: text, hint: 'use all-in, units:N or percent:P' });
}

export function describeSizing(s: Sizing): string {
  switch (s.kind) {
    case 'all-in': return 'all-in';
    case 'units': return `units:${s.units}`;
    case 'percent': return `percent:${s.percent}`;
  }
}
