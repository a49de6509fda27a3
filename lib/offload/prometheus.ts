/**
 * A minimal Prometheus metrics registry (counters, gauges, histograms with labels) rendered in the
 * text exposition format 0.0.4, for the offload server's `GET /metrics`.
 *
 * @module
 */

/** Content type of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Label values keyed by label name. */
export type Labels = Readonly<Record<string, string>>;

/** Default latency buckets (seconds): 5 ms … 5 min. */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
  60,
  120,
  300,
];

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function labelKey(labelNames: readonly string[], labels: Labels): string {
  return JSON.stringify(labelNames.map((n) => labels[n] ?? ""));
}

function renderLabels(pairs: readonly (readonly [string, string])[]): string {
  if (pairs.length === 0) return "";
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(v);
}

interface Metric {
  render(): string;
}

/** A monotonically increasing counter with labels. */
export class Counter implements Metric {
  readonly #values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
  ) {}

  /** Add `by` (default 1) to the series with these labels. */
  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new Error(`counter ${this.name} cannot decrease`);
    const key = labelKey(this.labelNames, labels);
    const cur = this.#values.get(key);
    if (cur) cur.value += by;
    else this.#values.set(key, { labels, value: by });
  }

  /** Current value of one series (0 if never incremented). */
  get(labels: Labels = {}): number {
    return this.#values.get(labelKey(this.labelNames, labels))?.value ?? 0;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} counter`];
    for (const { labels, value } of this.#values.values()) {
      const pairs = this.labelNames.map((n) => [n, labels[n] ?? ""] as const);
      lines.push(`${this.name}${renderLabels(pairs)} ${formatValue(value)}`);
    }
    return lines.join("\n");
  }
}

/** A gauge whose value is set directly or read from a callback at scrape time. */
export class Gauge implements Metric {
  #value = 0;
  constructor(
    readonly name: string,
    readonly help: string,
    readonly read?: () => number,
  ) {}

  /** Set the value. */
  set(v: number): void {
    this.#value = v;
  }
  /** Add to the value. */
  inc(by = 1): void {
    this.#value += by;
  }
  /** Subtract from the value. */
  dec(by = 1): void {
    this.#value -= by;
  }
  /** Current value. */
  get(): number {
    return this.read ? this.read() : this.#value;
  }

  render(): string {
    return [
      `# HELP ${this.name} ${escapeHelp(this.help)}`,
      `# TYPE ${this.name} gauge`,
      `${this.name} ${formatValue(this.get())}`,
    ].join("\n");
  }
}

/** A cumulative histogram with labels. */
export class Histogram implements Metric {
  readonly #series = new Map<
    string,
    { labels: Labels; counts: number[]; sum: number; count: number }
  >();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
    readonly buckets: readonly number[] = DEFAULT_LATENCY_BUCKETS,
  ) {}

  /** Record one observation. */
  observe(labels: Labels, value: number): void {
    const key = labelKey(this.labelNames, labels);
    let s = this.#series.get(key);
    if (!s) {
      s = { labels, counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.#series.set(key, s);
    }
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) s.counts[i]++;
    s.sum += value;
    s.count++;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} histogram`];
    for (const s of this.#series.values()) {
      const base = this.labelNames.map((n) => [n, s.labels[n] ?? ""] as const);
      this.buckets.forEach((b, i) => {
        lines.push(
          `${this.name}_bucket${renderLabels([...base, ["le", formatValue(b)]])} ${s.counts[i]}`,
        );
      });
      lines.push(`${this.name}_bucket${renderLabels([...base, ["le", "+Inf"]])} ${s.count}`);
      lines.push(`${this.name}_sum${renderLabels(base)} ${formatValue(s.sum)}`);
      lines.push(`${this.name}_count${renderLabels(base)} ${s.count}`);
    }
    return lines.join("\n");
  }
}

/** A set of metrics rendered together. */
export class MetricsRegistry {
  readonly #metrics: Metric[] = [];

  /** Register and return a counter. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    const m = new Counter(name, help, labelNames);
    this.#metrics.push(m);
    return m;
  }

  /** Register and return a gauge (optionally read from `read` at scrape time). */
  gauge(name: string, help: string, read?: () => number): Gauge {
    const m = new Gauge(name, help, read);
    this.#metrics.push(m);
    return m;
  }

  /** Register and return a histogram. */
  histogram(
    name: string,
    help: string,
    labelNames: readonly string[] = [],
    buckets: readonly number[] = DEFAULT_LATENCY_BUCKETS,
  ): Histogram {
    const m = new Histogram(name, help, labelNames, buckets);
    this.#metrics.push(m);
    return m;
  }

  /** The whole registry in text exposition format 0.0.4 (ends with a newline). */
  render(): string {
    return this.#metrics.map((m) => m.render()).join("\n") + "\n";
  }
}
