import type { CompactResult } from './build-result.ts';
import { JsonFileWriter } from './json-bytes.ts';

/**
 * `result.json` written straight from a `CompactResult`: the same bytes as
 * `JSON.stringify(expandResult(c), null, 2) + '\n'`, without the million ISO strings and boxed numbers of
 * the curve ever existing at once. Everything but the curve is serialised by JSON.stringify as before; the
 * curve's three lists are streamed into its place.
 */

/** Stands in for the curve in the skeleton; a control character cannot occur unescaped in JSON text. */
const PLACEHOLDER = '\u0000keel:equity-curve\u0000';
/** How the placeholder appears at the top level of a 2-space indented document. */
const MARKER = `\n  "equityCurve": ${JSON.stringify(PLACEHOLDER)}`;

/**
 * Write the result as indented JSON to `path` (created or truncated). I/O errors are thrown as they are.
 *
 * @example
 * writeResultJson('out/result.json', buildCompactResult(run, meta));
 */
export function writeResultJson(path: string, c: CompactResult): void {
  const { metrics, risk, ledger, ...head } = c.result;
  const skeleton = JSON.stringify({ ...head, equityCurve: PLACEHOLDER, metrics, risk, ledger }, null, 2);
  const at = skeleton.indexOf(MARKER);
  if (at < 0 || skeleton.indexOf(MARKER, at + 1) >= 0) throw new Error('result skeleton: equityCurve placeholder not found once');
  const out = JsonFileWriter.create(path);
  try {
    out.text(skeleton.slice(0, at));
    out.text('\n  "equityCurve": {\n    "time": ');
    out.timeList(c.curve.times, 2);
    out.text(',\n    "equity": ');
    out.numberList(c.curve.equity, 2);
    out.text(',\n    "drawdown": ');
    out.numberList(c.curve.drawdown, 2);
    out.text('\n  }');
    out.text(skeleton.slice(at + MARKER.length));
    out.text('\n');
  } finally {
    out.close();
  }
}
