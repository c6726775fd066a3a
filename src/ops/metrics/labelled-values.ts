import { Counter, Gauge, type Registry } from 'prom-client';

/**
 * Plain numbers per label value, written on the engine's hot path and copied into prom-client only when
 * Prometheus scrapes. prom-client hashes the labels object into a string on every `set`/`inc`; here, once a
 * label value has been seen, an update is a Map lookup and a store into a Float64Array. A typed array, not an
 * object field per series: V8 boxes a float stored into an object field that has ever held another kind of
 * number, and that box is an allocation per call.
 *
 * @example
 * const staleness = new LabelledValues();
 * staleness.set('AAPL', 1.5);
 * gaugeOf(registry, { name: 'keel_data_staleness_seconds', help: '…', label: 'instrument' }, staleness);
 */
export class LabelledValues {
  /** Label value → slot in `values` / `generations`. */
  readonly slots = new Map<string, number>();
  values = new Float64Array(4);
  generations = new Int32Array(4);
  /** Bumped by `beginGeneration()`; see `gaugeOf`'s `currentOnly`. */
  generation = 0;

  /** The slot of `label`, created (value 0) the first time. */
  slot(label: string): number {
    const known = this.slots.get(label);
    if (known !== undefined) return known;
    const i = this.slots.size;
    if (i === this.values.length) this.grow();
    this.slots.set(label, i);
    this.generations[i] = this.generation;
    return i;
  }

  set(label: string, value: number): void {
    const i = this.slot(label);
    this.values[i] = value;
    this.generations[i] = this.generation;
  }

  add(label: string, delta: number): void {
    const i = this.slot(label);
    this.values[i] += delta;
    this.generations[i] = this.generation;
  }

  get(label: string): number {
    const i = this.slots.get(label);
    return i === undefined ? 0 : this.values[i];
  }

  /** Start a full replacement: series not `set` after this call stop being exported. */
  beginGeneration(): void {
    this.generation++;
  }

  private grow(): void {
    const values = new Float64Array(this.values.length * 2);
    values.set(this.values);
    const generations = new Int32Array(this.generations.length * 2);
    generations.set(this.generations);
    this.values = values;
    this.generations = generations;
  }
}

export interface SeriesSpec {
  readonly name: string;
  readonly help: string;
  readonly label: string;
}

/**
 * A prom-client Gauge that reads `values` at scrape time. `read` turns a stored value into the exported value
 * (staleness stores the last event's time and exports the age); `currentOnly` exports only the series set in the
 * latest generation (closed positions disappear instead of lingering at their last value); `before` runs at
 * scrape time first, to copy numbers kept elsewhere into `values`.
 *
 * @example gaugeOf(registry, { name: 'keel_venue_connected', help: '1 when connected', label: 'venue' }, venues);
 */
export function gaugeOf(
  registry: Registry,
  spec: SeriesSpec,
  values: LabelledValues,
  o: { readonly currentOnly?: boolean; readonly read?: (value: number) => number; readonly before?: () => void } = {},
): Gauge {
  const label = spec.label;
  const gauge: Gauge = new Gauge({
    name: spec.name,
    help: spec.help,
    labelNames: [label],
    registers: [registry],
    collect() {
      o.before?.();
      gauge.reset();
      for (const [key, i] of values.slots) {
        if (o.currentOnly && values.generations[i] !== values.generation) continue;
        gauge.set({ [label]: key }, o.read ? o.read(values.values[i]) : values.values[i]);
      }
    },
  });
  return gauge;
}

/**
 * A prom-client Counter whose totals live in `values` (only ever `add`ed to with non-negative deltas).
 * `before` runs at scrape time first, to copy totals kept elsewhere into `values`.
 */
export function counterOf(registry: Registry, spec: SeriesSpec, values: LabelledValues, o: { readonly before?: () => void } = {}): Counter {
  const label = spec.label;
  const counter: Counter = new Counter({
    name: spec.name,
    help: spec.help,
    labelNames: [label],
    registers: [registry],
    collect() {
      o.before?.();
      counter.reset();
      for (const [key, i] of values.slots) counter.inc({ [label]: key }, values.values[i]);
    },
  });
  return counter;
}

/** An unlabelled Gauge reading one number at scrape time. */
export function scalarGaugeOf(registry: Registry, name: string, help: string, read: () => number): Gauge {
  const gauge: Gauge = new Gauge({ name, help, registers: [registry], collect() { gauge.set(read()); } });
  return gauge;
}

/** An unlabelled Counter reading one running total at scrape time. */
export function scalarCounterOf(registry: Registry, name: string, help: string, read: () => number): Counter {
  const counter: Counter = new Counter({
    name, help, registers: [registry],
    collect() {
      counter.reset();
      counter.inc(read());
    },
  });
  return counter;
}
