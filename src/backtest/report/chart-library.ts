/**
 * The charting library, inlined into every report so the file opens offline and makes no network request.
 * We read the standalone build (it defines `window.LightweightCharts`) from the installed package at run
 * time rather than vendoring a copy, so upgrading the dependency upgrades the reports.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { inlineScriptSource } from './escape.ts';

const STANDALONE_BUILD = 'dist/lightweight-charts.standalone.production.js';

let cached: string | undefined;

/**
 * Returns the lightweight-charts standalone build, made safe to place inside a `<script>` element.
 * Read once per process; the report renderer calls it for every report.
 *
 * @example
 * const js = chartLibrarySource(); // '/*! @license ... window.LightweightCharts=...'
 */
export function chartLibrarySource(): string {
  if (cached === undefined) {
    // The package's `exports` map does not expose the standalone file, so resolve its package.json (which
    // it does export) and walk to the file from there.
    const require = createRequire(import.meta.url);
    const packageRoot = dirname(require.resolve('lightweight-charts/package.json'));
    cached = inlineScriptSource(readFileSync(join(packageRoot, STANDALONE_BUILD), 'utf8'));
  }
  return cached;
}
