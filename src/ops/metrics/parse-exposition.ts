/** One sample line of the Prometheus text format: `name{label="value",…} 12.5`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/**
 * Parse Prometheus text exposition (version 0.0.4) into samples, skipping `# HELP` / `# TYPE` comments.
 * For tests, health checks and tools that read a running engine's `/metrics` without a Prometheus server.
 *
 * @example
 * parseExposition('keel_venue_connected{venue="alpaca"} 1\n')
 * // [{ name: 'keel_venue_connected', labels: { venue: 'alpaca' }, value: 1 }]
 */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    out.push(parseLine(line));
  }
  return out;
}

/**
 * The value of the one sample named `name` whose labels include `labels`; undefined if there is none.
 *
 * @example sampleValue(samples, 'keel_trading_state', { state: 'HALTED' }) // 1
 */
export function sampleValue(samples: readonly Sample[], name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const hit = samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return hit?.value;
}

function parseLine(line: string): Sample {
  const brace = line.indexOf('{');
  const space = line.indexOf(' ');
  if (brace === -1 || (space !== -1 && space < brace)) {
    return { name: line.slice(0, space), labels: {}, value: parseValue(line.slice(space + 1)) };
  }
  const name = line.slice(0, brace);
  const labels: Record<string, string> = {};
  let i = brace + 1;
  while (line[i] !== '}') {
    const eq = line.indexOf('=', i);
    const key = line.slice(i, eq).trim();
    if (line[eq + 1] !== '"') throw new Error(`bad exposition line (label ${key} not quoted): ${line}`);
    let j = eq + 2;
    let value = '';
    while (line[j] !== '"') {
      if (j >= line.length) throw new Error(`bad exposition line (unterminated label ${key}): ${line}`);
      if (line[j] === '\\') {
        const next = line[j + 1];
        value += next === 'n' ? '\n' : next;
        j += 2;
      } else {
        value += line[j++];
      }
    }
    labels[key] = value;
    i = j + 1;
    if (line[i] === ',') i++;
  }
  return { name, labels, value: parseValue(line.slice(i + 1).trim()) };
}

function parseValue(text: string): number {
  const v = text.split(' ')[0];
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}
