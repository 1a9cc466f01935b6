/**
 * A strict parser of the Prometheus text exposition format (version 0.0.4), for tests: every line
 * must be a `# HELP`, a `# TYPE` or a sample of a declared family; label values are unescaped; a
 * series may appear once; histograms must have cumulative buckets ending in `+Inf` equal to `_count`.
 * Anything else throws, naming the line.
 */
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, MetricType>;
  help: Map<string, string>;
  samples: Sample[];
  /** Samples of `name` whose labels include `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
  /** The one sample of `name` with exactly these labels (throws when absent). */
  value(name: string, labels?: Record<string, string>): number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SUFFIXES: Record<MetricType, string[]> = {
  counter: ['', '_total'],
  gauge: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
  untyped: [''],
};

function parseValue(raw: string, where: string): number {
  // as Prometheus reads them (Go's ParseFloat): NaN and Inf in any case
  if (/^\+?inf$/i.test(raw)) return Infinity;
  if (/^-inf$/i.test(raw)) return -Infinity;
  if (/^nan$/i.test(raw)) return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw new Error(`${where}: bad value "${raw}"`);
  return Number(raw);
}

function parseLabels(text: string, where: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 1; // after '{'
  for (;;) {
    if (text[i] === '}') return { labels, rest: text.slice(i + 1) };
    const eq = text.indexOf('=', i);
    if (eq < 0) throw new Error(`${where}: unterminated labels`);
    const name = text.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`${where}: bad label name "${name}"`);
    if (name in labels) throw new Error(`${where}: label ${name} given twice`);
    if (text[eq + 1] !== '"') throw new Error(`${where}: label ${name} is not quoted`);
    let j = eq + 2;
    let value = '';
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] !== '\\') {
        value += text[j];
        continue;
      }
      const next = text[++j];
      if (next === 'n') value += '\n';
      else if (next === '\\' || next === '"') value += next;
      else throw new Error(`${where}: bad escape \\${next} in label ${name}`);
    }
    if (j >= text.length) throw new Error(`${where}: unterminated value of label ${name}`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new Error(`${where}: expected , or } after label ${name}`);
  }
}

const seriesKey = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',')}}`;

export function parsePrometheusText(body: string): Exposition {
  const types = new Map<string, MetricType>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  const lines = body.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, n) => {
    const where = `line ${n + 1} ("${line.slice(0, 80)}")`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // a plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!NAME.test(name)) throw new Error(`${where}: bad metric name`);
      if (kind === 'HELP') {
        if (help.has(name)) throw new Error(`${where}: second HELP of ${name}`);
        help.set(name, rest);
      } else {
        if (!(rest in SUFFIXES)) throw new Error(`${where}: unknown type "${rest}"`);
        if (types.has(name)) throw new Error(`${where}: second TYPE of ${name}`);
        types.set(name, rest as MetricType);
      }
      return;
    }
    const nameEnd = line.search(/[{ ]/);
    if (nameEnd <= 0) throw new Error(`${where}: not a sample`);
    const name = line.slice(0, nameEnd);
    if (!NAME.test(name)) throw new Error(`${where}: bad metric name`);
    let labels: Record<string, string> = {};
    let rest = line.slice(nameEnd);
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, where));
    const parts = rest.trim().split(/\s+/);
    if (!rest.startsWith(' ') || parts.length < 1 || parts.length > 2) throw new Error(`${where}: expected a value`);
    const value = parseValue(parts[0]!, where);
    const family = [...types.keys()].find((f) => SUFFIXES[types.get(f)!].some((s) => f + s === name));
    if (!family) throw new Error(`${where}: sample of ${name} before (or without) its TYPE`);
    if (name.endsWith('_bucket') && types.get(family) === 'histogram' && labels.le === undefined)
      throw new Error(`${where}: histogram bucket without le`);
    const key = seriesKey(name, labels);
    if (seen.has(key)) throw new Error(`${where}: series ${key} given twice`);
    seen.add(key);
    samples.push({ name, labels, value });
  });
  checkHistograms(types, samples);
  const matches = (s: Sample, labels: Record<string, string>) =>
    Object.entries(labels).every(([k, v]) => s.labels[k] === v);
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && matches(s, labels));
  return {
    types,
    help,
    samples,
    find,
    value(name, labels = {}) {
      const hit = samples.find((s) => s.name === name && seriesKey(name, s.labels) === seriesKey(name, labels));
      if (!hit) throw new Error(`no sample ${seriesKey(name, labels)}`);
      return hit.value;
    },
  };
}

/** Buckets cumulative, the +Inf bucket equal to _count, for every label set of every histogram. */
function checkHistograms(types: Map<string, MetricType>, samples: Sample[]): void {
  for (const [family, type] of types) {
    if (type !== 'histogram') continue;
    const groups = new Map<string, Sample[]>();
    for (const s of samples.filter((x) => x.name === `${family}_bucket`)) {
      const { le: _le, ...rest } = s.labels;
      const k = seriesKey(family, rest);
      groups.set(k, [...(groups.get(k) ?? []), s]);
    }
    for (const [k, buckets] of groups) {
      const sorted = [...buckets].sort((a, b) => parseValue(a.labels.le!, k) - parseValue(b.labels.le!, k));
      sorted.forEach((b, i) => {
        if (i > 0 && b.value < sorted[i - 1]!.value) throw new Error(`${k}: buckets are not cumulative`);
      });
      const inf = sorted.at(-1)!;
      if (inf.labels.le !== '+Inf') throw new Error(`${k}: no +Inf bucket`);
      const { le: _le, ...labels } = inf.labels;
      const count = samples.find(
        (s) => s.name === `${family}_count` && seriesKey(family, s.labels) === seriesKey(family, labels),
      );
      if (!count || count.value !== inf.value)
        throw new Error(`${k}: +Inf bucket ${inf.value} ≠ _count ${count?.value}`);
    }
  }
}
