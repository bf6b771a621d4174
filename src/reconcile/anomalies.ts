/**
 * Anomaly rules that need no I/O: duplicate IdCPRO emissions, sequence issues, and the
 * order anomalies are listed in. The I/O-bound checks (folders, hashes) live in
 * reconcile-day.ts and produce the same `Anomaly` shape.
 */
import type { SequenceIssue } from './read-journal';
import { ANOMALY_TYPES, type Anomaly, type AnomalyInvoice } from './types';

/** One pivot known to carry an IdCPRO. */
export interface Emission {
  idCpro: string;
  /** pivot path, relative to the output root */
  path: string;
  renvoi?: string;
  /** when it was written (journal ts or file mtime), when known */
  at?: string;
  /** where we know it from */
  source: 'journal' | 'folder' | 'lifecycle';
  /** it belongs to the reconciled day (journaled that day, or a file of that day) */
  onDay: boolean;
  file?: string;
  sha256?: string;
  partner?: string;
  number?: string;
  supplierId?: string;
}

function isResend(renvoi: string | undefined): boolean {
  const r = (renvoi ?? '').trim();
  return r !== '' && r !== 'Non';
}

const RANK = { journal: 0, folder: 1, lifecycle: 2 } as const;

function merge(prev: Emission, e: Emission): Emission {
  // what each source knows; the journal's word wins
  const best = RANK[e.source] < RANK[prev.source] ? { ...prev, ...stripUndefined(e) } : { ...e, ...stripUndefined(prev) };
  best.onDay = prev.onDay || e.onDay;
  best.at = prev.at && e.at ? (prev.at < e.at ? prev.at : e.at) : (prev.at ?? e.at);
  return best;
}

/**
 * Pivots by IdCPRO. Most IdCPROs are emitted once: they cost one map entry pointing at their
 * emission; a list is made only for the few seen in two places.
 */
export class EmissionIndex {
  private byId = new Map<string, Emission | Emission[]>();

  add(e: Emission): void {
    const cur = this.byId.get(e.idCpro);
    if (!cur) {
      this.byId.set(e.idCpro, e);
      return;
    }
    const list = Array.isArray(cur) ? cur : [cur];
    const k = list.findIndex((x) => x.path === e.path);
    if (k >= 0) list[k] = merge(list[k], e);
    else list.push(e);
    if (!Array.isArray(cur)) this.byId.set(e.idCpro, list.length === 1 ? list[0] : list);
  }

  has(idCpro: string): boolean {
    return this.byId.has(idCpro);
  }

  /** true when this IdCPRO is already known in this pivot */
  knows(idCpro: string, path: string): boolean {
    const cur = this.byId.get(idCpro);
    if (!cur) return false;
    return Array.isArray(cur) ? cur.some((x) => x.path === path) : cur.path === path;
  }

  *groups(): Generator<[string, Emission[]]> {
    for (const [id, v] of this.byId) if (Array.isArray(v)) yield [id, v];
  }
}

/**
 * The same IdCPRO in two different pivot files where the later one is not a resend
 * (Renvoi Non or absent). The same path seen twice (a replay rewriting the identical file)
 * is one emission. Only emissions of the day are reported (older ones were reported then).
 */
export function duplicateIdCpro(index: EmissionIndex | Iterable<Emission>): Anomaly[] {
  let idx: EmissionIndex;
  if (index instanceof EmissionIndex) idx = index;
  else {
    idx = new EmissionIndex();
    for (const e of index) idx.add(e);
  }
  const out: Anomaly[] = [];
  for (const [idCpro, paths] of idx.groups()) {
    if (paths.length < 2) continue;
    // lifecycle entries without a time are older than anything seen in the window. A pivot
    // only found in the folders comes after every journaled one, whatever its mtime: a copy
    // kept its original's old mtime (cp -p) and the journaled pivot was blamed for it
    const folder = (e: Emission) => (e.source === 'folder' ? 1 : 0);
    const list = [...paths].sort((a, b) => folder(a) - folder(b) || cmp(a.at ?? '', b.at ?? '') || cmp(a.path, b.path));
    const all = list.map((e) => e.path);
    list.forEach((e, k) => {
      if (k === 0 || isResend(e.renvoi) || !e.onDay) return;
      const first = list[0];
      const inv: AnomalyInvoice = { idCpro, number: e.number ?? first.number, supplierId: e.supplierId ?? first.supplierId, renvoi: e.renvoi ?? '(absent)' };
      out.push({
        type: 'duplicate-idcpro',
        message: `IdCPRO ${idCpro} is emitted again in ${e.path} with Renvoi ${e.renvoi ?? '(absent)'}, although ${first.path} already carried it${e.source === 'folder' ? ' (the second pivot is not in the journal)' : ''}.`,
        file: e.file,
        sha256: e.sha256,
        partner: e.partner,
        output: e.path,
        outputs: all,
        invoices: [stripUndefined(inv)],
        since: e.at,
      });
    });
  }
  return out;
}

export function sequenceAnomalies(issues: SequenceIssue[], damagedCount: Map<string, number>): Anomaly[] {
  return issues.map((i) => {
    if (i.kind === 'gap') {
      const n = i.to - i.from + 1;
      const dmg = damagedCount.get(i.file) ?? 0;
      return {
        type: 'journal-gap',
        message: `Writer ${i.writer} is missing ${n === 1 ? `line seq ${i.from}` : `lines seq ${i.from} to ${i.to} (${n} lines)`} before line ${i.line} of ${i.file}${dmg ? ` (the file also has ${dmg} unreadable line(s))` : ''}.`,
        writer: i.writer,
        journal: `${i.file}:${i.line}`,
        expected: String(i.from),
        actual: String(i.to + 1),
      } satisfies Anomaly;
    }
    return {
      type: 'journal-sequence',
      message: Number.isNaN(i.from)
        ? `Line ${i.line} of ${i.file} has no valid seq (expected ${i.to}).`
        : `Line ${i.line} of ${i.file} has seq ${i.from} where ${i.to} was expected: writer ${i.writer}'s numbering went back (a line repeated, or the writer id reused by another process).`,
      writer: i.writer,
      journal: `${i.file}:${i.line}`,
      expected: String(i.to),
      actual: Number.isNaN(i.from) ? '(none)' : String(i.from),
    } satisfies Anomaly;
  });
}

export function stripUndefined<T extends object>(o: T): T {
  const out = {} as T;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

const ORDER = new Map<string, number>(ANOMALY_TYPES.map((t, k) => [t, k]));

/** Anomalies in report order: by type (the order of ANOMALY_TYPES), then by what they concern. */
export function sortAnomalies(list: Anomaly[]): Anomaly[] {
  const key = (a: Anomaly) => [a.partner ?? '', a.file ?? '', a.output ?? '', a.journal ?? '', a.sha256 ?? '', a.invoices?.[0]?.idCpro?.padStart(20, '0') ?? '', a.message];
  return list
    .map((a) => stripUndefined(a))
    .sort((a, b) => {
      const t = (ORDER.get(a.type) ?? 99) - (ORDER.get(b.type) ?? 99);
      if (t) return t;
      const ka = key(a);
      const kb = key(b);
      for (let k = 0; k < ka.length; k++) if (ka[k] !== kb[k]) return ka[k] < kb[k] ? -1 : 1;
      return 0;
    });
}

/** Code-unit order: the same on every machine and locale. */
export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
