/**
 * Folds the journal of the day before, the day and the day after into compact records:
 * per inbound file (by SHA-256) its first receipt on the day and its latest outcome, per
 * invoice a few strings. Whole journal lines are never kept: each is parsed, reduced, and
 * dropped. The outputs an outcome lists are handed to `onOutput` as they are read (the
 * caller checks them against the disk chunk by chunk) and only their paths are kept.
 *
 * Which files belong to the day: those whose first `received` is in the day's journal and
 * not in the previous day's (a retry received again the next day stays with its first day);
 * plus outcomes journaled on the day for a file received on no day of the window (anomaly).
 * Their outcome is the latest `outcome` for that SHA-256 in the day's or the next day's
 * journal, whichever writer wrote it (a crashed worker's file finished by another one).
 * Outputs checked: those of every outcome journaled on the day, and of the next day's
 * outcomes of the day's files.
 */
import path from 'node:path';
import type { JournalLine } from '../journal/journal';
import { FILE_OUTCOMES } from '../journal/events';
import { EmissionIndex } from './anomalies';
import { SequenceCheck, type LineRef } from './read-journal';

export interface ReceiptRec {
  writer: string;
  ts: string;
  file: string;
  partner: string;
  bytes?: number;
  receivedAt?: string;
  /** journal/<day>/<writer>.jsonl (shared) and line number */
  refFile: string;
  refLine: number;
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
  /** BT-3 and BT-5 as journaled (absent from lines written before they were journaled) */
  typeCode?: string;
  currency?: string;
  /** fatal rule ids, space separated */
  rules?: string;
  /** the pivot that carried it, relative to the output root */
  pivot?: string;
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
  /** 1 the day, 2 the day after */
  dayIndex: number;
  sha256: string;
  writer: string;
  seq: number;
  ts: string;
  refFile: string;
  refLine: number;
  file: string;
  partner: string;
  kind?: string;
  outcome: string;
  invoices: InvoiceRec[];
  rules?: string;
  /** an inbound CPPStatut's flow statuses (reasons cut to 300 characters: the journal has them whole) */
  flows?: FlowRec[];
}

export interface FlowRec {
  idFlux: string;
  idStatut: string;
  verdict: string;
  at: string;
  flow?: string;
  reason?: string;
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

interface FileState {
  receipt?: ReceiptRec;
  receipts: number;
  claim?: ReceiptRec;
  outcome?: OutcomeRec;
  outcomes: number;
  /** an outcome for it was journaled on the day itself */
  dayOutcome?: boolean;
}

export function refOf(r: { refFile: string; refLine: number }): string {
  return `${r.refFile}:${r.refLine}`;
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

const WRITTEN_OUTCOMES: ReadonlySet<string> = new Set<string>(FILE_OUTCOMES);
const SHA256 = /^[0-9a-f]{64}$/;

/** Why a line that parses is still not one the pipeline writes (the events that count), or undefined. */
export function unlikeWritten(l: Record<string, unknown>): string | undefined {
  if (l.event !== 'received' && l.event !== 'outcome' && l.event !== 'already-processed' && l.event !== 'invoice-rejected') return undefined;
  if (typeof l.sha256 !== 'string' || !SHA256.test(l.sha256)) return 'no SHA-256 of 64 hex digits';
  if (typeof l.file !== 'string' || l.file === '') return 'no file';
  if (l.event === 'invoice-rejected') return Array.isArray(l.outputs) && Array.isArray(l.invoices) ? undefined : 'a rejection without its outputs and invoice lists';
  if (l.event !== 'outcome') return undefined;
  if (typeof l.outcome !== 'string' || !WRITTEN_OUTCOMES.has(l.outcome)) return `an outcome chorus-flux never writes (${JSON.stringify(l.outcome)?.slice(0, 40)})`;
  if (l.outputs !== undefined && !Array.isArray(l.outputs)) return 'outputs that are not a list';
  if (l.invoices !== undefined && !Array.isArray(l.invoices)) return 'invoices that are not a list';
  return undefined;
}

export class JournalCollector {
  /** repeated strings (partners, writers, recepteurs, kinds…) share one copy */
  private pool = new Map<string, string>();
  readonly prevReceived = new Set<string>();
  readonly nextReceived = new Set<string>();
  /** per content (SHA-256): what the day (and the next day, for the day's files) says */
  private readonly state = new Map<string, FileState>();
  /** every output path checked (listed by an outcome of the day, or of the next day for a file of the day) */
  readonly listedPaths = new Set<string>();
  readonly byKind = new Map<string, number>();
  /** pivots journaled for the day, one entry per IdCPRO they carry */
  readonly emissions = new EmissionIndex();
  readonly alreadyProcessed = new Map<string, number>();
  /** contents seen as `already-processed` on the day or the day after */
  readonly alreadyProcessedShas = new Set<string>();
  /** the inbox trees `run` took files from on the day or the day after (its `start` lines) */
  readonly runInboxes = new Set<string>();
  /** invoices the operator rejected on the day (`chorus-flux reject`), for the report's notes */
  readonly rejections: { number?: string; idCpro?: string; supplierId?: string; partner: string; reason?: string; invoice: InvoiceRec }[] = [];
  /** the configuration files the processes that wrote these days ran with (their `start` lines) */
  readonly configs = new Map<string, 'run' | 'watch' | 'worker'>();
  readonly systemErrors = new Map<string, string[]>();
  readonly sequence: SequenceCheck[] = [];
  readonly damaged: { ref: LineRef; text: string }[] = [];
  readonly writers = new Set<string>();
  lines = 0;
  /** damaged lines in the neighbouring days (their outcomes may be missing from this report) */
  neighbourDamaged = 0;
  private current: SequenceCheck | undefined;

  /** `onOutput` receives each output to check, with the outcome that lists it, the first time its path is seen */
  constructor(private readonly onOutput: (out: OutputRec, source: OutcomeRec) => void) {}

  private s(v: unknown): string | undefined {
    const x = str(v);
    if (x === undefined) return undefined;
    const hit = this.pool.get(x);
    if (hit !== undefined) return hit;
    if (x.length <= 40) this.pool.set(x, x);
    return x;
  }

  private file(sha: string): FileState {
    let st = this.state.get(sha);
    if (!st) this.state.set(sha, (st = { receipts: 0, outcomes: 0 }));
    return st;
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

  private receipt(l: Record<string, unknown>, ref: LineRef): ReceiptRec {
    return {
      writer: this.s(l.writer) ?? '',
      ts: str(l.ts) ?? '',
      file: str(l.file) ?? '',
      partner: this.s(l.partner) ?? 'default',
      bytes: num(l.bytes),
      receivedAt: str(l.receivedAt),
      refFile: this.s(ref.file) ?? ref.file,
      refLine: ref.line,
    };
  }

  private outcomeRec(dayIndex: number, l: Record<string, unknown>, ref: LineRef, outputs: OutputRec[]): OutcomeRec {
    const invoices: InvoiceRec[] = [];
    if (Array.isArray(l.invoices)) {
      l.invoices.forEach((raw, index) => {
        const i = (raw ?? {}) as Record<string, unknown>;
        const idCpro = str(i.idCpro);
        const inv: InvoiceRec = {
          index,
          number: str(i.number),
          supplierId: this.s(i.supplierId),
          buyerSiret: this.s(i.buyerSiret),
          idCpro,
          recepteurId: this.s(i.recepteurId),
          outcome: this.s(i.outcome) ?? 'unknown',
          state: this.s(i.state),
          renvoi: this.s(i.renvoi),
          montantHT: str(i.montantHT),
          montantTTC: str(i.montantTTC),
          typeCode: this.s(i.typeCode),
          currency: this.s(i.currency),
          rules: fatalRules(i.findings),
        };
        if (idCpro) inv.pivot = outputs.find((o) => o.kind === 'pivot' && o.idCpro?.includes(idCpro))?.path;
        invoices.push(inv);
      });
    }
    return {
      dayIndex,
      sha256: str(l.sha256) ?? '',
      writer: this.s(l.writer) ?? '',
      seq: num(l.seq) ?? 0,
      ts: str(l.ts) ?? '',
      refFile: this.s(ref.file) ?? ref.file,
      refLine: ref.line,
      file: str(l.file) ?? '',
      partner: this.s(l.partner) ?? 'default',
      kind: this.s(l.kind),
      outcome: this.s(l.outcome) ?? 'unknown',
      invoices,
      rules: fatalRules(l.findings),
      ...(Array.isArray(l.flows) ? { flows: this.flows(l.flows) } : {}),
    };
  }

  private flows(raw: unknown[]): FlowRec[] {
    return raw.map((x) => {
      const f = (x ?? {}) as Record<string, unknown>;
      const rec: FlowRec = { idFlux: str(f.idFlux) ?? '', idStatut: this.s(f.idStatut) ?? '', verdict: this.s(f.verdict) ?? 'unknown', at: str(f.at) ?? '' };
      const flow = str(f.flow);
      if (flow) rec.flow = flow;
      const reason = str(f.reason);
      if (reason) rec.reason = reason.length > 300 ? `${reason.slice(0, 299)}…` : reason;
      return rec;
    });
  }

  /**
   * Outputs of a line that is no outcome (a DOUBLON reply, an operator's rejection): each listed
   * once, and checked and counted when the line is of the day reported (`rec`); no pivot
   * IdCPRO indexed, unlike an outcome's (listOutputs).
   */
  private listLineOutputs(outputs: OutputRec[], rec: OutcomeRec | undefined): void {
    for (const o of outputs) {
      if (this.listedPaths.has(o.path)) continue;
      this.listedPaths.add(o.path);
      if (!rec) continue;
      this.byKind.set(o.kind, (this.byKind.get(o.kind) ?? 0) + 1);
      this.onOutput(o, rec);
    }
  }

  private outputs(l: Record<string, unknown>): OutputRec[] {
    const outputs: OutputRec[] = [];
    if (!Array.isArray(l.outputs)) return outputs;
    for (const raw of l.outputs) {
      const o = (raw ?? {}) as Record<string, unknown>;
      const p = str(o.path);
      if (!p) continue;
      const rec: OutputRec = { kind: this.s(o.kind) ?? 'unknown', path: p, sha256: str(o.sha256) ?? '', bytes: num(o.bytes) };
      if (Array.isArray(o.idCpro)) rec.idCpro = o.idCpro.map(String);
      if (Array.isArray(o.renvoi)) rec.renvoi = o.renvoi.map((r) => this.s(String(r)) ?? '');
      outputs.push(rec);
    }
    return outputs;
  }

  /** One journal line of the day before (0), the day (1) or the day after (2). */
  line(dayIndex: number, line: JournalLine, ref: LineRef): void {
    const l = line as unknown as Record<string, unknown>;
    if (dayIndex === 1) {
      this.lines++;
      this.current?.see(l.seq, ref.line);
    }
    const odd = unlikeWritten(l);
    if (odd) {
      // JSON, but not a line chorus-flux writes: counted as read it changed the day's totals, CLEAN
      this.damagedLine(dayIndex, ref, `${odd}: ${JSON.stringify(l).slice(0, 200)}`);
      return;
    }
    const sha = str(l.sha256);
    switch (l.event) {
      case 'received': {
        if (!sha) return;
        if (dayIndex === 0) this.prevReceived.add(sha);
        else if (dayIndex === 2) this.nextReceived.add(sha);
        else {
          const st = this.file(sha);
          st.receipts++;
          st.receipt ??= this.receipt(l, ref);
        }
        return;
      }
      case 'outcome': {
        if (!sha || dayIndex === 0) return;
        const own = !this.prevReceived.has(sha); // a file of the day (else: of the day before, finished today)
        let st = this.state.get(sha);
        if (dayIndex === 2) {
          // the next day's outcomes matter only for the day's files
          if (!st || !own || (!st.receipt && !st.dayOutcome)) return;
        } else st ??= this.file(sha);
        const outputs = this.outputs(l);
        const rec = this.outcomeRec(dayIndex, l, ref, outputs);
        if (own) {
          st.outcomes++;
          if (dayIndex === 1) st.dayOutcome = true;
          if (!st.outcome || later(rec, st.outcome)) st.outcome = rec;
        }
        this.listOutputs(outputs, rec);
        return;
      }
      case 'start': {
        if (typeof l.config === 'string' && (l.mode === 'run' || l.mode === 'watch' || l.mode === 'worker')) this.configs.set(l.config, l.mode);
        // a run of the next day (cron after midnight) takes the day's late uploads from its tree
        if (dayIndex >= 1 && l.mode === 'run' && typeof l.inbox === 'string' && path.isAbsolute(l.inbox)) this.runInboxes.add(path.normalize(l.inbox));
        return;
      }
      case 'already-processed': {
        if (dayIndex === 0) return;
        if (sha) this.alreadyProcessedShas.add(sha);
        // its outputs (events.ts): the CPRO-DOUBLON-FLUX reply to another partner, and copies
        // kept by an interrupted attempt of this file. The day's are checked and counted like
        // an outcome's; the next day's only accounted for (they belong to that day's report)
        const outputs = this.outputs(l);
        const rec = dayIndex === 1 && outputs.length > 0 ? this.outcomeRec(dayIndex, { ...l, outcome: 'already-processed' }, ref, outputs) : undefined;
        this.listLineOutputs(outputs, rec);
        if (dayIndex !== 1) return;
        const p = this.s(l.partner) ?? 'default';
        this.alreadyProcessed.set(p, (this.alreadyProcessed.get(p) ?? 0) + 1);
        return;
      }
      case 'invoice-rejected': {
        // no inbound file: its status flows are checked and counted like an outcome's on its day,
        // only accounted for on the day before or after (their own reports check them)
        if (dayIndex === 0) return;
        const outputs = this.outputs(l);
        const rec = dayIndex === 1 ? this.outcomeRec(dayIndex, { ...l, outcome: 'rejected-by-operator' }, ref, outputs) : undefined;
        this.listLineOutputs(outputs, rec);
        if (!rec) return;
        for (const i of rec.invoices) {
          // at-least-once journal: a rejection journaled twice is one
          if (i.idCpro && this.rejections.some((r) => r.idCpro === i.idCpro)) continue;
          this.rejections.push({ number: i.number, idCpro: i.idCpro, supplierId: i.supplierId, partner: rec.partner, reason: str((l.invoices as { reason?: unknown }[])[i.index]?.reason), invoice: i });
        }
        return;
      }
      case 'claimed': {
        if (dayIndex !== 1 || !sha) return;
        const st = this.file(sha);
        st.claim ??= this.receipt(l, ref);
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

  /** An outcome's outputs, each checked once (`onOutput`), its pivots' IdCPROs indexed. */
  private listOutputs(outputs: OutputRec[], rec: OutcomeRec): void {
    for (const o of outputs) {
      if (this.listedPaths.has(o.path)) continue;
      this.listedPaths.add(o.path);
      this.byKind.set(o.kind, (this.byKind.get(o.kind) ?? 0) + 1);
      this.onOutput(o, rec);
      if (o.kind !== 'pivot' || !o.idCpro) continue;
      o.idCpro.forEach((id, k) => {
        const inv = rec.invoices.find((i) => i.idCpro === id);
        this.emissions.add({ idCpro: id, path: o.path, renvoi: o.renvoi?.[k] ?? inv?.renvoi, at: rec.ts, source: 'journal', onDay: true, file: rec.file, sha256: rec.sha256, partner: rec.partner, number: inv?.number, supplierId: inv?.supplierId });
      });
    }
  }

  /**
   * The outcome a processed mark holds when no journal line has it (a line cut by a crash, a
   * writer's file lost): the file's outcome as it was, for the counts, and its outputs checked
   * like a journaled outcome's. `at` is the mark's time, `ref` where it is.
   */
  markedOutcome(event: object, at: string, ref: LineRef): OutcomeRec {
    const l = { ...event, ts: at } as Record<string, unknown>;
    const outputs = this.outputs(l);
    const rec = this.outcomeRec(1, l, ref, outputs);
    this.listOutputs(outputs, rec);
    return rec;
  }

  /**
   * The outputs checked, by kind summed: not `listedPaths`, which also holds the next day's
   * DOUBLON replies and rejection flows, only accounted for (not orphans) and left to that day's report.
   */
  checkedOutputs(): number {
    let n = 0;
    for (const v of this.byKind.values()) n += v;
    return n;
  }

  /** Whether the content was received on the day (first receipt), for the processing and inbox checks. */
  receiptOf(sha: string): ReceiptRec | undefined {
    return this.state.get(sha)?.receipt;
  }

  claimOf(sha: string): ReceiptRec | undefined {
    return this.state.get(sha)?.claim;
  }

  hasOutcome(sha: string): boolean {
    return this.state.get(sha)?.outcome !== undefined;
  }

  /** The files of the day and their outcomes. */
  files(): FileRec[] {
    const out: FileRec[] = [];
    for (const [sha, st] of this.state) {
      if (this.prevReceived.has(sha)) continue;
      if (st.receipt) {
        out.push({ sha256: sha, receipt: st.receipt, receipts: st.receipts, outcome: st.outcome, outcomes: st.outcomes });
      } else if (st.dayOutcome) {
        out.push({ sha256: sha, receipts: 0, outcome: st.outcome, outcomes: st.outcomes });
      } else if (st.claim && !this.nextReceived.has(sha) && !this.alreadyProcessedShas.has(sha)) {
        // watch mode: claimed on the day, then never received, finished nor recognised as already processed
        out.push({ sha256: sha, receipt: st.claim, receipts: 0, claimedOnly: true, outcomes: 0 });
      }
    }
    return out;
  }
}
