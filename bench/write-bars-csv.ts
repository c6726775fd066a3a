import { closeSync, openSync, writeSync } from 'node:fs';
import type { Bar } from '../src/model/index.ts';
import { isoTime } from '../src/backtest/iso-time.ts';
import { sourceIndex } from './generate-bars.ts';

const MINUTE = 60_000;
const LINES_PER_WRITE = 20_000;

/**
 * Write a CSV of `count` one-minute bars (`Date,Open,High,Low,Close,Volume`, `2000-01-03 00:00:00` stamps) played
 * forward and back through `source`, as `generateBars` does, without holding them: a 10M-bar file is ~600 MB.
 */
export function writeBarsCsv(source: readonly Bar[], count: number, path: string): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, 'Date,Open,High,Low,Close,Volume\n');
    const start = Date.UTC(2000, 0, 3);
    let lines: string[] = [];
    for (let i = 0; i < count; i++) {
      const s = source[sourceIndex(i, source.length)];
      const t = isoTime(start + i * MINUTE);
      lines.push(`${t.slice(0, 10)} ${t.slice(11, 19)},${s.open},${s.high},${s.low},${s.close},${s.volume}`);
      if (lines.length === LINES_PER_WRITE) {
        writeSync(fd, lines.join('\n') + '\n');
        lines = [];
      }
    }
    if (lines.length > 0) writeSync(fd, lines.join('\n') + '\n');
  } finally {
    closeSync(fd);
  }
}
