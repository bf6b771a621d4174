/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests: it throws on
 * anything Prometheus would refuse or take other than meant (a sample outside its family's
 * block, one twice, a histogram without its +Inf bucket or whose buckets fall). Naming
 * conventions are `namingProblem`'s.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  help?: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/** The sample names a family of this type may expose. */
function sampleNames(f: Family): string[] {
  if (f.type === 'histogram') return [`${f.name}_bucket`, `${f.name}_sum`, `${f.name}_count`];
  if (f.type === 'summary') return [f.name, `${f.name}_sum`, `${f.name}_count`];
  return [f.name];
}

function parseValue(s: string, line: string): number {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) throw new Error(`not a number: ${JSON.stringify(s)} in ${line}`);
  return Number(s);
}

/** `name{a="x",b="y"} value [timestamp]` */
function parseSample(line: string): Sample {
  const m = /^([^\s{]+)(\{(.*)\})?\s+(\S+)(\s+-?\d+)?$/.exec(line);
  if (!m) throw new Error(`not a sample line: ${line}`);
  const [, name, , body = '', value] = m;
  if (!METRIC_NAME.test(name)) throw new Error(`bad metric name in ${line}`);
  const labels: Record<string, string> = {};
  let rest = body;
  while (rest.length > 0) {
    const l = /^([^=]+)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/.exec(rest);
    if (!l) throw new Error(`bad labels in ${line}`);
    if (!LABEL_NAME.test(l[1]) || l[1].startsWith('__')) throw new Error(`bad label name ${l[1]} in ${line}`);
    if (l[1] in labels) throw new Error(`label ${l[1]} twice in ${line}`);
    labels[l[1]] = l[2].replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(l[0].length);
  }
  return { name, labels, value: parseValue(value, line) };
}

export function parsePrometheusText(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const families = new Map<string, Family>();
  const helps = new Map<string, string>();
  const closed = new Set<string>(); // families whose samples are over: they may not come back
  let current: Family | undefined;
  const seen = new Set<string>();
  for (const line of text.split('\n').slice(0, -1)) {
    if (line.trim() === '') continue;
    const meta = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
    if (meta) {
      const [, what, name, rest = ''] = meta;
      if (!METRIC_NAME.test(name)) throw new Error(`bad metric name in ${line}`);
      if (what === 'HELP') {
        if (helps.has(name)) throw new Error(`two HELP lines for ${name}`);
        helps.set(name, rest);
      } else {
        if (families.has(name)) throw new Error(`two TYPE lines for ${name}`);
        if (!TYPES.has(rest)) throw new Error(`unknown type ${rest} for ${name}`);
        if (current) closed.add(current.name);
        current = { name, type: rest as Family['type'], help: helps.get(name), samples: [] };
        families.set(name, current);
      }
      continue;
    }
    if (line.startsWith('#')) continue;
    const s = parseSample(line);
    if (!current || !sampleNames(current).includes(s.name)) throw new Error(`sample ${s.name} outside its family's block (TYPE first, samples together)`);
    if (closed.has(current.name)) throw new Error(`samples of ${current.name} are not together`);
    const key = `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;
    if (seen.has(key)) throw new Error(`sample twice: ${line}`);
    seen.add(key);
    current.samples.push(s);
  }
  for (const f of families.values()) {
    if (f.help === undefined) f.help = helps.get(f.name);
    if (f.type === 'histogram') checkHistogram(f);
  }
  return families;
}

/** Each series' buckets rise, end with +Inf, and +Inf equals its count. */
function checkHistogram(f: Family): void {
  const series = new Map<string, { buckets: [number, number][]; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const e = series.get(key) ?? { buckets: [] };
    series.set(key, e);
    if (s.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${s.name} without le`);
      e.buckets.push([parseValue(le, s.name), s.value]);
    } else if (s.name.endsWith('_count')) e.count = s.value;
  }
  for (const [key, e] of series) {
    const last = e.buckets[e.buckets.length - 1];
    if (!last || last[0] !== Infinity) throw new Error(`${f.name}${key}: no +Inf bucket`);
    if (last[1] !== e.count) throw new Error(`${f.name}${key}: +Inf bucket ≠ count`);
    for (let i = 1; i < e.buckets.length; i++) if (e.buckets[i][0] <= e.buckets[i - 1][0] || e.buckets[i][1] < e.buckets[i - 1][1]) throw new Error(`${f.name}${key}: buckets not rising`);
  }
}

/** What Prometheus's naming conventions say against a family: a counter not named *_total, another type named so. */
export function namingProblem(f: Family): string | undefined {
  if (f.type === 'counter' && !f.name.endsWith('_total')) return `counter ${f.name} is not named *_total`;
  if (f.type !== 'counter' && f.name.endsWith('_total')) return `${f.type} ${f.name} is named as a counter`;
  return undefined;
}
