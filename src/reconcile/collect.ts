/**
 * Folds the journal of the day before, the day and the day after into compact records:
 * per inbound file (by SHA-256) its first receipt on the day and its latest outcome, per
 * invoice a few strings, per output its path and SHA-256. Whole journal lines are never
 * kept: each is parsed, reduced, and dropped.
 *
 * Which files belong to the day: those whose first `received` is in the day's journal and
 * not in the previous day's (a retry received again the next day stays with its first day);
 * plus outcomes journaled on the day for a file received on no day of the window (anomaly).
 * Their outcome is the latest `outcome` for that SHA-256 in the day's or the next day's
 * journal, whichever writer wrote it (a crashed worker's file finished by another one).
 */
import type { JournalLine } from '../journal/journal';
import { refText, SequenceCheck, type LineRef } from './read-journal';

export interface ReceiptRec {
  writer: string;
  ts: string;
  file: string;
  partner: string;
  bytes?: number;
  receivedAt?: string;
  ref: string;
}

export interface InvoiceRec {
  index: number;
  number?: string;
  supplierId?: string;
  buyerSiret?: string;
  idCpro?: string;
  recepteurId?: string;
  outcome: string;
  state?: string;
  renvoi?: string;
  montantHT?: string;
  montantTTC?: string;
  /** fatal rule ids, space separated */
  rules?: string;
}

export interface OutputRec {
  kind: string;
  path: string;
  sha256: string;
  bytes?: number;
  idCpro?: string[];
  renvoi?: string[];
}

export interface OutcomeRec {
  /** 0 the day before, 1 the day, 2 the day after */
  dayIndex: number;
  sha256: string;
  writer: string;
  seq: number;
  ts: string;
  ref: string;
  file: string;
  partner: string;
  kind?: string;
  outcome: string;
  invoices: InvoiceRec[];
  outputs: OutputRec[];
  rules?: string;
}

export interface FileRec {
  sha256: string;
  /** the first `received` of the day (or, for `claimedOnly`, the watcher's `claimed`) */
  receipt?: ReceiptRec;
  /** watch mode: claimed on the day but never received by a worker */
  claimedOnly?: boolean;
  receipts: number;
  outcome?: OutcomeRec;
  outcomes: number;
}

/** An output to check against the folders, with the outcome that listed it. */
export interface ListedOutput {
  out: OutputRec;
  source: OutcomeRec;
}

export interface AlreadyProcessedRec {
  partner: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function later(a: OutcomeRec, b: OutcomeRec): boolean {
  if (a.dayIndex !== b.dayIndex) return a.dayIndex > b.dayIndex;
  if (a.ts !== b.ts) return a.ts > b.ts;
  if (a.writer !== b.writer) return a.writer > b.writer;
  return a.seq > b.seq;
}

function fatalRules(findings: unknown): string | undefined {
  if (!Array.isArray(findings)) return undefined;
  const rules = new Set<string>();
  for (const f of findings) {
    const r = f as { rule?: unknown; severity?: unknown };
    if (typeof r?.rule === 'string' && r.severity !== 'warning') rules.add(r.rule);
  }
  return rules.size ? [...rules].sort().join(' ') : undefined;
}

export class JournalCollector {
  /** repeated strings (partners, writers, recepteurs, kinds…) share one copy */
  private pool = new Map<string, string>();
  readonly prevReceived = new Set<string>();
  readonly nextReceived = new Set<string>();
  readonly receipts = new Map<string, { first: ReceiptRec; count: number }>();
  readonly outcomes = new Map<string, { latest: OutcomeRec; count: number }>();
  private readonly nextOutcomes = new Map<string, { latest: OutcomeRec; count: number }>();
  /** outputs listed by the day's outcome events (every event, not only the latest), by path */
  readonly listed = new Map<string, ListedOutput>();
  readonly alreadyProcessed = new Map<string, number>();
  /** contents seen as `already-processed` on the day or the day after */
  readonly alreadyProcessedShas = new Set<string>();
  /** watch mode: files claimed (moved to processing) on the day, by content */
  readonly claims = new Map<string, ReceiptRec>();
  readonly systemErrors = new Map<string, string[]>();
  readonly sequence: SequenceCheck[] = [];
  readonly damaged: { ref: LineRef; text: string }[] = [];
  readonly writers = new Set<string>();
  lines = 0;
  /** damaged lines in the neighbouring days (their outcomes may be missing from this report) */
  neighbourDamaged = 0;
  private current: SequenceCheck | undefined;

  constructor(private readonly onPaths: (paths: string[]) => void) {}

  private s(v: unknown): string | undefined {
    const x = str(v);
    if (x === undefined) return undefined;
    const hit = this.pool.get(x);
    if (hit !== undefined) return hit;
    if (x.length <= 40) this.pool.set(x, x);
    return x;
  }

  fileStart(file: string): void {
    this.current = new SequenceCheck(file);
    this.sequence.push(this.current);
    this.writers.add(this.current.writer);
  }

  damagedLine(dayIndex: number, ref: LineRef, text: string): void {
    if (dayIndex === 1) this.damaged.push({ ref, text });
    else this.neighbourDamaged++;
  }

  private outcomeRec(dayIndex: number, l: Record<string, unknown>, ref: LineRef): OutcomeRec {
    const invoices: InvoiceRec[] = [];
    if (Array.isArray(l.invoices)) {
      l.invoices.forEach((raw, index) => {
        const i = (raw ?? {}) as Record<string, unknown>;
        invoices.push({
          index,
          number: str(i.number),
          supplierId: this.s(i.supplierId),
          buyerSiret: this.s(i.buyerSiret),
          idCpro: str(i.idCpro),
          recepteurId: this.s(i.recepteurId),
          outcome: this.s(i.outcome) ?? 'unknown',
          state: this.s(i.state),
          renvoi: this.s(i.renvoi),
          montantHT: str(i.montantHT),
          montantTTC: str(i.montantTTC),
          rules: fatalRules(i.findings),
        });
      });
    }
    const outputs: OutputRec[] = [];
    if (Array.isArray(l.outputs)) {
      for (const raw of l.outputs) {
        const o = (raw ?? {}) as Record<string, unknown>;
        const p = str(o.path);
        if (!p) continue;
        const rec: OutputRec = { kind: this.s(o.kind) ?? 'unknown', path: p, sha256: str(o.sha256) ?? '', bytes: num(o.bytes) };
        if (Array.isArray(o.idCpro)) rec.idCpro = o.idCpro.map(String);
        if (Array.isArray(o.renvoi)) rec.renvoi = o.renvoi.map((r) => this.s(String(r)) ?? '');
        outputs.push(rec);
      }
    }
    return {
      dayIndex,
      sha256: str(l.sha256) ?? '',
      writer: this.s(l.writer) ?? '',
      seq: num(l.seq) ?? 0,
      ts: str(l.ts) ?? '',
      ref: refText(ref),
      file: str(l.file) ?? '',
      partner: this.s(l.partner) ?? 'default',
      kind: this.s(l.kind),
      outcome: this.s(l.outcome) ?? 'unknown',
      invoices,
      outputs,
      rules: fatalRules(l.findings),
    };
  }

  /** One journal line of the day before (0), the day (1) or the day after (2). */
  line(dayIndex: number, line: JournalLine, ref: LineRef): void {
    const l = line as unknown as Record<string, unknown>;
    if (dayIndex === 1) {
      this.lines++;
      this.current?.see(l.seq, ref.line);
    }
    const sha = str(l.sha256);
    switch (l.event) {
      case 'received': {
        if (!sha) return;
        if (dayIndex === 0) this.prevReceived.add(sha);
        else if (dayIndex === 2) this.nextReceived.add(sha);
        else {
          const r = this.receipts.get(sha);
          if (r) r.count++;
          else
            this.receipts.set(sha, {
              count: 1,
              first: { writer: this.s(l.writer) ?? '', ts: str(l.ts) ?? '', file: str(l.file) ?? '', partner: this.s(l.partner) ?? 'default', bytes: num(l.bytes), receivedAt: str(l.receivedAt), ref: refText(ref) },
            });
        }
        return;
      }
      case 'outcome': {
        const paths = Array.isArray(l.outputs) ? (l.outputs as { path?: unknown }[]).map((o) => str(o?.path)).filter((p): p is string => p !== undefined) : [];
        this.onPaths(paths);
        if (!sha || dayIndex === 0) return;
        if (dayIndex === 2 && !this.receipts.has(sha) && !this.outcomes.has(sha) && !this.claims.has(sha)) return;
        const rec = this.outcomeRec(dayIndex, l, ref);
        const map = dayIndex === 1 ? this.outcomes : this.nextOutcomes;
        const cur = map.get(sha);
        if (!cur) map.set(sha, { latest: rec, count: 1 });
        else {
          cur.count++;
          if (later(rec, cur.latest)) cur.latest = rec;
        }
        if (dayIndex === 1) {
          for (const o of rec.outputs) {
            const prev = this.listed.get(o.path);
            if (!prev || later(rec, prev.source)) this.listed.set(o.path, { out: o, source: rec });
          }
        }
        return;
      }
      case 'already-processed': {
        if (dayIndex === 0) return;
        if (sha) this.alreadyProcessedShas.add(sha);
        if (dayIndex !== 1) return;
        const p = this.s(l.partner) ?? 'default';
        this.alreadyProcessed.set(p, (this.alreadyProcessed.get(p) ?? 0) + 1);
        return;
      }
      case 'claimed': {
        if (dayIndex !== 1 || !sha || this.claims.has(sha)) return;
        this.claims.set(sha, { writer: this.s(l.writer) ?? '', ts: str(l.ts) ?? '', file: str(l.file) ?? '', partner: this.s(l.partner) ?? 'default', bytes: num(l.bytes), ref: refText(ref) });
        return;
      }
      case 'system-error': {
        if (dayIndex === 0) return;
        const msg = str(l.message) ?? 'system error';
        for (const k of [sha, str(l.file)]) {
          if (!k) continue;
          const list = this.systemErrors.get(k) ?? [];
          if (list.length < 5) list.push(msg);
          this.systemErrors.set(k, list);
        }
        return;
      }
      default:
        return;
    }
  }

  /**
   * The files of the day and their outcomes; also adds to `listed` the outputs of the
   * next-day outcomes chosen for them.
   */
  files(): FileRec[] {
    const out: FileRec[] = [];
    const pick = (sha: string): { latest?: OutcomeRec; count: number } => {
      const a = this.outcomes.get(sha);
      const b = this.nextOutcomes.get(sha);
      if (a && b) return { latest: later(b.latest, a.latest) ? b.latest : a.latest, count: a.count + b.count };
      return { latest: (a ?? b)?.latest, count: (a?.count ?? 0) + (b?.count ?? 0) };
    };
    for (const [sha, r] of this.receipts) {
      if (this.prevReceived.has(sha)) continue;
      const o = pick(sha);
      out.push({ sha256: sha, receipt: r.first, receipts: r.count, outcome: o.latest, outcomes: o.count });
    }
    for (const [sha] of this.outcomes) {
      if (this.receipts.has(sha) || this.prevReceived.has(sha)) continue;
      const o = pick(sha);
      out.push({ sha256: sha, receipts: 0, outcome: o.latest, outcomes: o.count });
    }
    // watch mode: claimed on the day, then never received, finished nor recognised as already processed
    for (const [sha, claim] of this.claims) {
      if (this.receipts.has(sha) || this.prevReceived.has(sha) || this.nextReceived.has(sha) || this.outcomes.has(sha) || this.alreadyProcessedShas.has(sha)) continue;
      out.push({ sha256: sha, receipt: claim, receipts: 0, claimedOnly: true, outcome: this.nextOutcomes.get(sha)?.latest, outcomes: 0 });
    }
    for (const f of out) {
      if (f.outcome?.dayIndex === 2) for (const o of f.outcome.outputs) if (!this.listed.has(o.path)) this.listed.set(o.path, { out: o, source: f.outcome });
    }
    return out;
  }
}
