/**
 * Reading the worker's /metrics (Prometheus text format) for a benchmark's "where the time goes": the SDK's
 * histograms (workflow task and activity latencies) and ours, summed over their labels or split by one.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export async function scrape(url: string): Promise<Sample[]> {
  const text = await (await fetch(url)).text();
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

const matches = (s: Sample, name: string, where: Record<string, string>): boolean =>
  s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v);

/** The sum of every sample of `name` whose labels include `where`. */
export function total(samples: Sample[], name: string, where: Record<string, string> = {}): number {
  return samples.filter((s) => matches(s, name, where)).reduce((a, s) => a + s.value, 0);
}

/** A histogram's count, mean, and how many observations were above `over` (in the histogram's unit). */
export function histogram(
  samples: Sample[],
  base: string,
  where: Record<string, string> = {},
  over?: number,
): { count: number; mean: number; above?: number } {
  const count = total(samples, `${base}_count`, where);
  const sum = total(samples, `${base}_sum`, where);
  const res: { count: number; mean: number; above?: number } = { count, mean: count ? sum / count : 0 };
  if (over !== undefined) {
    const buckets = samples.filter((s) => matches(s, `${base}_bucket`, where));
    // Per label set, the largest bucket bound <= over: what lies above it is above `over` (or, between bounds, near).
    const bounds = [...new Set(buckets.map((b) => Number(b.labels.le)))].filter((b) => b <= over);
    const le = bounds.length ? Math.max(...bounds) : undefined;
    const within =
      le === undefined ? 0 : buckets.filter((b) => Number(b.labels.le) === le).reduce((a, b) => a + b.value, 0);
    res.above = count - within;
  }
  return res;
}

/** The label values `label` takes among samples of `name`. */
export function labelValues(samples: Sample[], name: string, label: string): string[] {
  return [
    ...new Set(samples.filter((s) => s.name === name && s.labels[label] !== undefined).map((s) => s.labels[label]!)),
  ];
}
