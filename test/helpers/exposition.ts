/**
 * A strict reading of the Prometheus text exposition format (0.0.4), as Prometheus's own parser
 * and promtool check it, plus the naming rules an alert writer relies on for chorus-flux's own
 * metrics: counters end `_total`, gauges do not, durations are in seconds. Returns the samples;
 * throws naming the first line that breaks a rule.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: string;
  help: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(v: string, line: string): number {
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  // the text format's values are what Go's ParseFloat reads, "nan" in any case: prom-client
  // writes "Nan" for a gauge with no sample yet (the event-loop lag's mean right after start)
  if (/^nan$/i.test(v)) return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) throw new Error(`not a number: ${line}`);
  return Number(v);
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const eq = text.indexOf('=', i);
    const name = text.slice(i, eq);
    if (eq < 0 || !LABEL.test(name)) throw new Error(`bad label name in: ${line}`);
    if (name in labels) throw new Error(`label ${name} twice in: ${line}`);
    if (text[eq + 1] !== '"') throw new Error(`label value not quoted in: ${line}`);
    let j = eq + 2;
    let value = '';
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        const next = text[++j];
        if (next === 'n') value += '\n';
        else if (next === '\\' || next === '"') value += next;
        else throw new Error(`bad escape in: ${line}`);
      } else if (text[j] === '\n') throw new Error(`raw newline in a label value: ${line}`);
      else value += text[j];
    }
    if (text[j] !== '"') throw new Error(`unterminated label value in: ${line}`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (i !== text.length) throw new Error(`junk after a label in: ${line}`);
  }
  return labels;
}

/** The family a sample name belongs to: histogram samples carry _bucket, _sum, _count. */
function familyOf(sample: string, families: Map<string, Family>): Family | undefined {
  if (families.has(sample)) return families.get(sample);
  const m = /^(.*)_(bucket|sum|count)$/.exec(sample);
  const f = m ? families.get(m[1]) : undefined;
  return f && (f.type === 'histogram' || f.type === 'summary') ? f : undefined;
}

export function parseExposition(body: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  let current: Family | undefined;
  if (!body.endsWith('\n')) throw new Error('the exposition does not end with a newline');
  for (const line of body.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) continue; // a comment
      const [, what, name, rest] = m;
      if (!NAME.test(name)) throw new Error(`bad metric name: ${line}`);
      let f = families.get(name);
      if (f && f !== current) throw new Error(`metric ${name} described again after other metrics: ${line}`);
      if (!f) {
        if (current && current.samples.length > 0 && familyOf(name, families)) throw new Error(`${line}: clashes with a family`);
        f = { name, type: '', help: '', samples: [] };
        families.set(name, f);
        current = f;
      }
      if (what === 'HELP') {
        if (f.help) throw new Error(`second HELP for ${name}`);
        if (!rest.trim()) throw new Error(`empty HELP for ${name}`);
        f.help = rest;
      } else {
        if (f.type) throw new Error(`second TYPE for ${name}`);
        if (f.samples.length) throw new Error(`TYPE of ${name} after its samples`);
        if (!TYPES.has(rest)) throw new Error(`unknown TYPE ${rest} for ${name}`);
        f.type = rest;
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const [, name, labelText, valueText] = m;
    const f = familyOf(name, families);
    if (!f || f !== current) throw new Error(`sample outside its family's HELP/TYPE block: ${line}`);
    if (!f.type || !f.help) throw new Error(`sample of ${f.name} without HELP and TYPE: ${line}`);
    const labels = parseLabels(labelText ?? '', line);
    const key = `${name}{${Object.entries(labels).sort().map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
    if (seen.has(key)) throw new Error(`series twice: ${line}`);
    seen.add(key);
    const value = parseValue(valueText, line);
    if (f.type === 'counter' && !(value >= 0)) throw new Error(`a counter below 0: ${line}`);
    f.samples.push({ name, labels, value });
  }
  for (const f of families.values()) {
    if (!f.type || !f.help) throw new Error(`metric ${f.name} without HELP or TYPE`);
    if (f.type === 'histogram') checkHistogram(f);
  }
  return families;
}

/** Per series: buckets in ascending `le`, cumulative, ending with +Inf equal to _count; a _sum. */
function checkHistogram(f: Family): void {
  const series = new Map<string, { buckets: { le: number; v: number }[]; sum?: number; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const h = series.get(key) ?? { buckets: [] };
    series.set(key, h);
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new Error(`${f.name}_bucket without le`);
      h.buckets.push({ le: parseValue(le, `le="${le}"`), v: s.value });
    } else if (s.name === `${f.name}_sum`) h.sum = s.value;
    else if (s.name === `${f.name}_count`) h.count = s.value;
    else throw new Error(`${s.name} in histogram ${f.name}`);
  }
  for (const [key, h] of series) {
    const where = `${f.name}${key}`;
    for (let i = 1; i < h.buckets.length; i++) {
      if (!(h.buckets[i].le > h.buckets[i - 1].le)) throw new Error(`${where}: le not ascending`);
      if (h.buckets[i].v < h.buckets[i - 1].v) throw new Error(`${where}: buckets not cumulative`);
    }
    const last = h.buckets[h.buckets.length - 1];
    if (!last || last.le !== Infinity) throw new Error(`${where}: no le="+Inf" bucket last`);
    if (h.count === undefined || h.sum === undefined) throw new Error(`${where}: no _count or _sum`);
    if (last.v !== h.count) throw new Error(`${where}: +Inf bucket ${last.v} is not _count ${h.count}`);
  }
}

/**
 * chorus-flux's own metrics (not prom-client's process and Node.js defaults) follow the
 * naming an alert writer expects. Returns the names that do not, with why.
 */
export function namingProblems(families: Map<string, Family>, prefix: string): string[] {
  const problems: string[] = [];
  for (const f of families.values()) {
    if (!f.name.startsWith(prefix) || f.name.startsWith(`${prefix}process_`) || f.name.startsWith(`${prefix}nodejs_`)) continue;
    if (f.type === 'counter' && !f.name.endsWith('_total')) problems.push(`${f.name}: a counter not ending _total`);
    if (f.type !== 'counter' && f.name.endsWith('_total')) problems.push(`${f.name}: a ${f.type} ending _total`);
    if (/_(ms|milliseconds|minutes|hours|kb|mb)(_|$)/.test(f.name)) problems.push(`${f.name}: not in base units (seconds, bytes)`);
    if (f.type === 'histogram' && /duration|time|latency|processing/.test(f.name) && !f.name.endsWith('_seconds')) problems.push(`${f.name}: a duration not in _seconds`);
  }
  return problems;
}

/** The sum of the samples named `name` (a histogram's `_count` too) whose labels include `match`. */
export function total(families: Map<string, Family>, name: string, match: Record<string, string> = {}): number {
  const f = familyOf(name, families);
  if (!f) return 0;
  return f.samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);
}
