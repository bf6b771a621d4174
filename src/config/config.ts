/**
 * The configuration file: read, validated against schemas/config.schema.json (ajv, defaults
 * filled in), relative paths resolved against the file's folder. Errors name the key.
 */
import { CronExpressionParser } from 'cron-parser';
import type { ReceiptTime } from '../ingest/receipt-time';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkSiret } from '../transform/chorus/siret';
import { projectRoot } from '../util/project-root';
import { realPath } from '../util/real-path';
import validateGenerated from './config-validator';
import { duplicateKeys } from './duplicate-keys';
import { partnerRecepteurId } from './partner-recepteur-id';

export type StatusFormat = 'CPPStatut' | 'CDAR';

export interface CodeServiceEntry {
  code: string;
  name?: string;
}

export interface Recipient {
  siret: string;
  recepteurId: string;
  name?: string;
  codeServices: CodeServiceEntry[];
  requiresCodeService: boolean;
  requiresEngagement: boolean;
  requiredAttachment: boolean;
  moe?: { siret: string; codeService: string; recepteurId: string; forCodeServices?: string[] };
  statusPartner?: string;
}

export interface Partner {
  id: string;
  name?: string;
  inbox?: string;
  statusFormats: StatusFormat[];
  statusRecepteurId?: string;
  doneMarker: boolean;
  /** also send 01 Déposée + 03 Mise à disposition (CDAR 200 + 203) for every accepted invoice */
  notifyAccepted: boolean;
}

export interface Config {
  /** file the configuration came from ('(bundled example)' or a path) */
  source: string;
  /** paths.out was written in the file, or given (--out): not the default ./out beside the file */
  outGiven: boolean;
  timezone: string;
  /** what dates a received file (ingest/receipt-time.ts). Default 'arrival'. */
  receiptTime: ReceiptTime;
  emitter: { id: string; name: string };
  paths: { out: string; state: string; processing: string };
  partners: Partner[];
  recipients: Recipient[];
  limits: { maxFileBytes: number; maxAttachmentBytes: number; maxInvoiceBytes: number };
  facturx: { enabled: boolean; profile: 'MINIMUM' | 'BASIC WL' | 'BASIC' | 'EN 16931' | 'EXTENDED' };
  lifecycle: { suspendedDeadlineDays: number };
  redis: { url: string; prefix: string };
  /** notInboxes: folders beside the inboxes that are no upload folder (ingest/stray-folders.ts), resolved */
  watch: { stableMs: number; pollMs: number; rescanMs: number; eventsMaxFiles: number; notInboxes: string[] };
  worker: { concurrency: number; attempts: number; backoffMs: number; shutdownTimeoutMs: number; lockDurationMs: number; maxInFlightMb: number };
  metrics: { port: number; host: string; workerPort: number };
  dashboard: { port: number; host: string; readOnly: boolean };
  reconcile: { cron: string; stuckProcessingMinutes: number; catchUpDays: number; flowLookbackDays: number; transfersMoveOutputs: boolean };
  retention: { processedMarksDays: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[], source: string) {
    super(`Invalid configuration ${source}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/** The example configuration bundled with the project; `run` uses it without --config. */
export function bundledConfigPath(): string {
  return path.join(projectRoot(), 'config', 'example.json');
}

// the schema compiled at build time (npm run config:validator, its options in validator-gen.ts):
// compiling it at each start cost every command and worker thread ~0.13 s of CPU
const validateSchema = validateGenerated as unknown as ValidateFunction;

/**
 * The errors worth saying. Of a value that may be one form or another (a code service: a string
 * or {code, name}), the branch whose form it has says what is wrong; the other branch's "must be
 * string" beside "unknown key \"nom\"" only confused.
 */
function withoutLosingBranches(errors: readonly ErrorObject[]): ErrorObject[] {
  const kept = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'if');
  return kept.filter((e) => !(e.keyword === 'type' && e.schemaPath.includes('/oneOf/') && kept.some((o) => o.keyword !== 'type' && (o.instancePath === e.instancePath || o.instancePath.startsWith(`${e.instancePath}/`)))));
}

function describe(e: ErrorObject): string {
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : '(top level)';
  switch (e.keyword) {
    case 'additionalProperties':
      return `${where}: unknown key "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    case 'required':
      return `${where}: missing key "${(e.params as { missingProperty: string }).missingProperty}"`;
    case 'enum':
      return `${where}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern': {
      const said = `${where}: ${JSON.stringify(e.data)} must match pattern "${(e.params as { pattern: string }).pattern}"`;
      // "21787789300016/FINANCES": a buyer is routed by its SIRET alone, its code services listed beside
      if (/^recipients\.\d+\.siret$/.test(where) && /^\s*\d{14}\s*[^\d\s]/.test(String(e.data))) return `${said}; an entry routes one SIRET, whatever the code service: list the code services in ${where.replace(/siret$/, 'codeServices')}`;
      return said;
    }
    case 'type':
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'minLength':
      // the value given, so that "120MB" or 4294967295 is seen beside what is allowed
      return `${where}: ${JSON.stringify(e.data)?.slice(0, 60)} ${e.message ?? e.keyword}`;
    default:
      return `${where}: ${e.message ?? e.keyword}`;
  }
}

/**
 * What is allowed but most likely a mistake, for the commands to print or log at start: a
 * recipient's statusPartner that names no configured partner (a typo sends the finance SI's
 * COMPLETEE flows to a folder nobody reads, and refuses its status flows as from a stranger),
 * an empty routing table, partners that share a Recepteur id or differ only by case.
 */
export function configWarnings(config: Config): string[] {
  const warnings: string[] = [];
  if (config.recipients.length === 0) warnings.push('recipients: the routing table is empty: every invoice will be refused, its recipient unknown');
  // buyers may share one finance SI (one recepteurId, one pivot/ folder): it must be one
  // partner that answers for them all, else each may change the other's invoices' flows
  const answering = new Map<string, Set<string>>();
  for (const r of config.recipients) answering.set(r.recepteurId, (answering.get(r.recepteurId) ?? new Set()).add(r.statusPartner ?? r.recepteurId));
  for (const [rid, partners] of answering) if (partners.size > 1) warnings.push(`recipients: the recipients of recepteurId ${rid} name different finance SI partners (${[...partners].join(', ')}) though their pivots go to one folder, pivot/${rid}/; give them one statusPartner, or each finance SI its own recepteurId`);
  if (config.partners.length === 0) return warnings; // no partner declared: a statusPartner names the folder its SI writes into under `run`, nothing to check it against
  const ids = new Set(config.partners.map((p) => p.id));
  // two partners told under one Recepteur id cannot tell their status flows apart (operateur-alpha and operateur-beta are both "operateu")
  const byRecepteur = new Map<string, string[]>();
  for (const p of config.partners) byRecepteur.set(partnerRecepteurId(p), [...(byRecepteur.get(partnerRecepteurId(p)) ?? []), p.id]);
  for (const [rid, same] of byRecepteur) if (same.length > 1) warnings.push(`partners: ${same.join(', ')} are all written Recepteur id "${rid}" in their status flows; give each its own statusRecepteurId`);
  // ids that differ only by case become folders that merge on a case-insensitive share
  const byCase = new Map<string, string[]>();
  for (const p of config.partners) byCase.set(p.id.toLowerCase(), [...(byCase.get(p.id.toLowerCase()) ?? []), p.id]);
  for (const same of byCase.values()) if (same.length > 1) warnings.push(`partners: ${same.join(', ')} differ only by case; their folders (statut/${same[0]}/, …) are one folder on a case-insensitive share`);
  config.recipients.forEach((r, k) => {
    if (r.statusPartner !== undefined && !ids.has(r.statusPartner)) {
      warnings.push(`recipients.${k}.statusPartner: ${r.statusPartner} is not one of the configured partners (${[...ids].join(', ')}): COMPLETEE flows for ${r.siret} go to statut/${r.statusPartner}/ and only a folder of that name may change the status of its invoices; check the id`);
    }
  });
  return warnings;
}

/** A zone Intl does not know would only fail at the first date, as a system failure with a stack. */
function timezoneProblem(timeZone: unknown): string | undefined {
  if (timeZone === undefined) return undefined;
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: timeZone as string });
    return undefined;
  } catch {
    return `timezone: ${JSON.stringify(timeZone)} is not a time zone this system knows (an IANA name such as "Europe/Paris")`;
  }
}

/**
 * A cron pattern BullMQ cannot read would stop `watch` at start with a stack; parsed here
 * with the parser BullMQ uses (cron-parser, the same version), in the configured time zone.
 */
function cronProblem(pattern: unknown, timeZone: string | undefined): string | undefined {
  if (pattern === undefined) return undefined;
  try {
    CronExpressionParser.parse(pattern as string, { tz: timeZone ?? 'Europe/Paris' });
  } catch (e) {
    return `reconcile.cron: ${JSON.stringify(pattern)} is not a cron pattern (${(e as Error).message}); six fields with seconds, e.g. "0 30 2 * * *" for 02:30 every night`;
  }
  // "* 30 2 * * *" reads as 02:30 but fires every second of that minute: 60 nightly
  // reconciliations and prunes. The nightly job runs at most once an hour.
  // every gap over a fixed week (not from now: the answer must not depend on the hour of loading)
  const from = Date.UTC(2026, 0, 5);
  const next = CronExpressionParser.parse(pattern as string, { tz: timeZone ?? 'Europe/Paris', currentDate: new Date(from) });
  let previous = next.next().getTime();
  for (let k = 0; k < 500 && previous < from + 8 * 86_400_000; k++) {
    const t = next.next().getTime();
    if (t - previous < 3_600_000) {
      return `reconcile.cron: ${JSON.stringify(pattern)} fires ${Math.round((t - previous) / 1000)} s apart; the nightly reconciliation runs at most once an hour (the first field is the seconds: "0 30 2 * * *" is 02:30 every night)`;
    }
    previous = t;
  }
  return undefined;
}

/** A path written with "~", "~user" or "$VAR": no shell expands it here, and a folder of that very name would be made. */
function tildeProblem(key: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (/^~[^/\\]*(?:[/\\]|$)/.test(value)) return `${key}: ${JSON.stringify(value)}: "~" is not expanded (no shell reads this file); write the absolute path`;
  if (/(?:^|[/\\])\$(?:\{\w+\}|[A-Za-z_]\w*)/.test(value)) return `${key}: ${JSON.stringify(value)}: environment variables are not expanded (no shell reads this file); write the path itself`;
  return undefined;
}

/** A routing-table SIRET with a bad key is a typo: no invoice would ever be routed to it. */
function siretProblem(key: string, siret: string): string | undefined {
  const c = checkSiret(siret);
  return c.ok ? undefined : `${key}: ${c.reason}, so it is no SIRET; check the number`;
}

/**
 * Code services of a recipient that no invoice can ever match: one with spaces around it (an
 * invoice's BT-10 is read without them, so every invoice to "FINANCES" was refused as not one
 * of "FINANCES "), and an MOE's forCodeServices entry that the recipient's own list refuses (a
 * typo "TRAVAU": the works invoices to TRAVAUX went to the recipient's finance SI, not the MOE,
 * without a word). `r.codeServices` is normalised ({code, name}).
 */
function codeServiceProblems(r: { codeServices: CodeServiceEntry[]; moe?: { forCodeServices?: string[] } }, k: number): string[] {
  const problems: string[] = [];
  const spaced = (key: string, code: string) => {
    if (code.trim() !== code || code.trim() === '') problems.push(`${key}: ${JSON.stringify(code)} has spaces around it (or is only spaces); an invoice's code service (BT-10) is read without them, so none would ever match it`);
  };
  r.codeServices.forEach((c, j) => spaced(`recipients.${k}.codeServices.${j}`, c.code));
  const only = r.moe?.forCodeServices;
  if (only?.length === 0) problems.push(`recipients.${k}.moe.forCodeServices: an empty list; leave the key out to send every works invoice of this recipient to the MOE, or name the code services`);
  const known = r.codeServices.map((c) => c.code);
  only?.forEach((code, j) => {
    spaced(`recipients.${k}.moe.forCodeServices.${j}`, code);
    if (known.length > 0 && !known.includes(code)) problems.push(`recipients.${k}.moe.forCodeServices.${j}: ${JSON.stringify(code)} is not one of recipients.${k}.codeServices (${known.join(', ')}): invoices to it are refused (CPRO-CODE-SERVICE-INCONNU), so the MOE would never get one`);
  });
  return problems;
}

/** Validates a parsed configuration object; `baseDir` resolves relative paths. */
export function configFromObject(raw: unknown, baseDir: string, source: string, overrides: { out?: string } = {}): Config {
  const data = JSON.parse(JSON.stringify(raw ?? {})) as Record<string, unknown>;
  if (!validateSchema(data)) {
    const problems = withoutLosingBranches(validateSchema.errors ?? []).map(describe);
    throw new ConfigError([...new Set(problems)], source);
  }
  const d = data as Record<string, any>;
  const problems: string[] = [];
  const tz = timezoneProblem(d.timezone);
  if (tz) problems.push(tz);
  const cron = tz ? undefined : cronProblem(d.reconcile?.cron, d.timezone);
  if (cron) problems.push(cron);
  for (const key of ['out', 'state', 'processing']) {
    const t = tildeProblem(`paths.${key}`, d.paths?.[key]);
    if (t) problems.push(t);
  }
  ((d.partners ?? []) as any[]).forEach((p, k) => {
    const t = tildeProblem(`partners.${k}.inbox`, p.inbox);
    if (t) problems.push(t);
  });
  ((d.watch?.notInboxes ?? []) as string[]).forEach((f, k) => {
    const t = tildeProblem(`watch.notInboxes.${k}`, f);
    if (t) problems.push(t);
  });
  const lim = (d.limits ?? {}) as Record<string, number | undefined>;
  const attachmentMax = lim.maxAttachmentBytes ?? 10485759;
  const invoiceMax = lim.maxInvoiceBytes ?? 125829120;
  if (attachmentMax > invoiceMax) problems.push(`limits.maxAttachmentBytes: ${attachmentMax} is more than limits.maxInvoiceBytes (${invoiceMax}), which counts an invoice with its attachments`);
  const sirets = new Set<string>();
  (d.recipients as any[]).forEach((r, k) => {
    for (const bad of [siretProblem(`recipients.${k}.siret`, r.siret), r.moe && siretProblem(`recipients.${k}.moe.siret`, r.moe.siret)]) if (bad) problems.push(bad);
    // one buyer, two finance SIs (one per code service?): the first entry would take every invoice
    if (sirets.has(r.siret)) problems.push(`recipients.${k}.siret: ${r.siret} appears twice in the routing table (first at recipients.${(d.recipients as any[]).findIndex((o) => o.siret === r.siret)}); one entry per buyer, whatever the code service: its invoices all go to that entry's recepteurId (works invoices to its moe)`);
    // an MOE is another party: the recipient's own ids there route its works invoices to itself and mix its status senders
    if (r.moe && r.moe.recepteurId === r.recepteurId) problems.push(`recipients.${k}.moe.recepteurId: ${r.moe.recepteurId} is the recipient's own recepteurId; the MOE (maître d'oeuvre) has its own`);
    if (r.moe && r.moe.siret === r.siret) problems.push(`recipients.${k}.moe.siret: ${r.moe.siret} is the recipient's own SIRET; the MOE (maître d'oeuvre) has its own`);
    sirets.add(r.siret);
    r.codeServices = (r.codeServices ?? []).map((c: string | CodeServiceEntry) => (typeof c === 'string' ? { code: c } : c));
    problems.push(...codeServiceProblems(r, k));
    r.requiresCodeService ??= false;
    r.requiresEngagement ??= false;
    r.requiredAttachment ??= false;
  });
  const ids = new Set<string>();
  ((d.partners ?? []) as any[]).forEach((p, k) => {
    if (ids.has(p.id)) problems.push(`partners.${k}.id: "${p.id}" appears twice`);
    ids.add(p.id);
    p.statusFormats ??= ['CPPStatut'];
    p.notifyAccepted ??= false;
    p.doneMarker ??= false;
    if (p.inbox) p.inbox = path.resolve(baseDir, p.inbox);
  });
  if (problems.length) throw new ConfigError(problems, source);
  const paths = (d.paths ?? {}) as Record<string, string | undefined>;
  const configuredOut = path.resolve(baseDir, paths.out ?? 'out');
  const out = overrides.out !== undefined ? path.resolve(overrides.out) : configuredOut;
  // an --out that names the configured output root moves nothing: the configured state and
  // processing folders stay (the units and README pass --out with --config; a state of its own
  // under out/ forgot every processed file and restarted the IdCPRO sequence at 1) — named
  // another way too (through a link, or its real path where the file names a link)
  const elsewhere = out !== configuredOut && realPath(out) !== realPath(configuredOut);
  const redis = (d.redis ?? {}) as Record<string, string | undefined>;
  return {
    source,
    outGiven: overrides.out !== undefined || paths.out !== undefined,
    timezone: d.timezone ?? 'Europe/Paris',
    receiptTime: d.receiptTime ?? 'arrival',
    emitter: { id: 'CFX001', name: 'chorus-flux', ...(d.emitter ?? {}) },
    paths: {
      out,
      state: paths.state !== undefined && !elsewhere ? path.resolve(baseDir, paths.state) : path.join(out, 'state'),
      processing: paths.processing !== undefined && !elsewhere ? path.resolve(baseDir, paths.processing) : path.join(out, 'processing'),
    },
    partners: (d.partners ?? []) as Partner[],
    recipients: d.recipients as Recipient[],
    limits: { maxFileBytes: 125829120, maxAttachmentBytes: 10485759, maxInvoiceBytes: 125829120, ...(d.limits ?? {}) },
    facturx: { enabled: true, profile: 'EN 16931', ...(d.facturx ?? {}) },
    lifecycle: { suspendedDeadlineDays: 30, ...(d.lifecycle ?? {}) },
    redis: { url: redis.url ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: redis.prefix ?? 'chorus-flux' },
    watch: { stableMs: 2000, pollMs: 500, rescanMs: 30000, eventsMaxFiles: 2000, ...(d.watch ?? {}), notInboxes: ((d.watch?.notInboxes ?? []) as string[]).map((f) => path.resolve(baseDir, f)) },
    worker: { concurrency: 2, attempts: 8, backoffMs: 1000, shutdownTimeoutMs: 20000, lockDurationMs: 30000, maxInFlightMb: 128, ...(d.worker ?? {}) },
    metrics: { port: 9464, host: '127.0.0.1', workerPort: 9465, ...(d.metrics ?? {}) },
    dashboard: { port: 3000, host: '127.0.0.1', readOnly: true, ...(d.dashboard ?? {}) },
    reconcile: { cron: '0 30 2 * * *', stuckProcessingMinutes: 60, catchUpDays: 7, flowLookbackDays: 31, transfersMoveOutputs: false, ...(d.reconcile ?? {}) },
    retention: { processedMarksDays: 400, ...(d.retention ?? {}) },
  };
}

const UNREADABLE: Record<string, string> = {
  ENOENT: 'the file does not exist: give --config the path of your configuration (config/example.json is one to start from)',
  EACCES: 'the file cannot be read: permission denied to the user running chorus-flux',
  EISDIR: 'this is a folder: give --config the configuration file itself',
};

/** The first comment (// or /*) outside a JSON string, as an offset; -1 when none. */
function firstComment(text: string): number {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) return i;
  }
  return -1;
}

function lineAndColumn(text: string, at: number): string {
  const before = text.slice(0, at);
  return `line ${before.split('\n').length}, column ${at - before.lastIndexOf('\n')}`;
}

/**
 * JSON.parse's words with the line and column an editor shows, and the usual cause named: a
 * comment, as in the README's annotated example (JSON has none). Node gives a position for
 * some mistakes only ("Unexpected token '/'" has none): a comment is looked for first.
 */
/** Where a comma stands before a closing bracket, outside strings; -1 when none does. */
function trailingComma(text: string): number {
  let inString = false;
  let comma = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') {
      inString = true;
      comma = -1;
    } else if (c === ',') comma = i;
    else if ((c === ']' || c === '}') && comma >= 0) return comma;
    else if (!/\s/.test(c)) comma = -1;
  }
  return -1;
}

export function jsonProblem(text: string, message: string): string {
  if (text.trim() === '') return 'the file is empty: write the configuration in it as JSON (config/example.json is one to start from)';
  // UTF-16 (a Windows editor's "Unicode"): every other byte a NUL once read as UTF-8
  if (text.includes('\u0000')) return 'the file is not UTF-8 (it reads as UTF-16, with NUL bytes): save it as UTF-8';
  // after any "#" comment lines, as YAML files often begin
  if (/^\s*(?:#[^\n]*\n\s*)*(?:---|[A-Za-z_][\w-]*\s*:)/.test(text)) return 'not valid JSON: this reads as YAML (`key: value`); chorus-flux reads JSON only (config/example.json shows the form)';
  const comment = firstComment(text);
  if (comment >= 0) return `not valid JSON at ${lineAndColumn(text, comment)}: a comment; JSON has none (remove the // and /* */ notes of an annotated example)`;
  const m = /position (\d+)/.exec(message);
  // Node gives no position for "[1,]", and for "{…,}" points at the "}" as a missing key: found here
  let trailing = trailingComma(text);
  if (m && trailing >= 0 && (Number(m[1]) <= trailing || text.slice(trailing + 1, Number(m[1])).trim() !== '')) trailing = -1;
  if (trailing >= 0) return `not valid JSON at ${lineAndColumn(text, trailing)}: a comma before a closing ] or }; JSON allows none there`;
  // Node quotes the text around the mistake, over several lines: one line is enough
  const words = message
    .replace(/,? ?(after |in )?JSON at position \d+.*$/s, '')
    .replace(/,? "[\s\S]*"(?:\.\.\.)? is not valid JSON$/, '')
    .replace(/,? \.\.\."[\s\S]*$/, '')
    .replace(/\s+/g, ' ');
  return m ? `not valid JSON at ${lineAndColumn(text, Number(m[1]))}: ${words}` : `not valid JSON: ${words}`;
}

/**
 * Why `bytes` cannot be read as UTF-8, or undefined when they can. Read as UTF-8 regardless, a
 * file an editor saved as "ANSI" (Latin-1, Windows-1252) had each accented letter turned into
 * "\ufffd" without a word, and written so in every flow: "Op\ufffdrateur" as the Emetteur's
 * Libelle, an inbox path that names no folder.
 */
function encodingProblem(bytes: Buffer): string | undefined {
  if (isUtf8(bytes)) return undefined;
  // UTF-16 (a Windows editor's "Unicode"): every other byte a NUL; said by jsonProblem
  if (bytes.includes(0)) return undefined;
  const lossy = bytes.toString('utf8');
  // the first "\ufffd" that is no "\ufffd" written in the file (the bytes EF BF BD) stands for the first bad byte
  for (let i = lossy.indexOf('\ufffd'); i >= 0; i = lossy.indexOf('\ufffd', i + 1)) {
    const at = Buffer.byteLength(lossy.slice(0, i));
    if (bytes[at] === 0xef && bytes[at + 1] === 0xbf && bytes[at + 2] === 0xbd) continue;
    const byte = bytes[at].toString(16).toUpperCase().padStart(2, '0');
    return `the file is not UTF-8: at ${lineAndColumn(lossy, i)}, the byte 0x${byte} is no UTF-8 (saved as "ANSI", Latin-1 or Windows-1252? there it is "${Buffer.from([bytes[at]]).toString('latin1')}"): save the file as UTF-8`;
  }
  return 'the file is not UTF-8: save it as UTF-8';
}

/** Reads and validates a configuration file (or the bundled example when `file` is undefined). */
export function loadConfig(file: string | undefined, overrides: { out?: string } = {}): Config {
  const p = path.resolve(file ?? bundledConfigPath());
  let bytes: Buffer;
  try {
    bytes = readFileSync(p);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code !== undefined ? UNREADABLE[code] : undefined;
    throw new ConfigError([why ?? `cannot read the file: ${code ?? (e as Error).message}`], p);
  }
  const badEncoding = encodingProblem(bytes);
  if (badEncoding) throw new ConfigError([badEncoding], p);
  let text = bytes.toString('utf8');
  // a byte-order mark (Windows Notepad saves UTF-8 with one) is no content: read past it
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError([jsonProblem(text, (e as Error).message)], p);
  }
  const twice = duplicateKeys(text);
  if (twice.length) throw new ConfigError(twice.map((k) => `${k}: written twice; JSON keeps only the last, so the first would be dropped without a word: keep one`), p);
  return configFromObject(raw, path.dirname(p), file === undefined ? `${p} (bundled example)` : p, overrides);
}

/** True for the configuration `loadConfig` fell back to (no --config): its inboxes are the bundled fixtures. */
export function isBundledExample(config: Config): boolean {
  return config.source.endsWith(' (bundled example)');
}

/**
 * How to name where an output root came from when it is not there: without --config (and
 * --out) it is the bundled example's, a folder of the project, not the operator's paths.out.
 */
export function outputRootOrigin(config: Config, outGiven: boolean, key = 'paths.out'): string {
  return isBundledExample(config) && !outGiven ? `no --config, so the bundled example's output root, not yours: give --config <your file>, or --out` : `check --out or ${key}`;
}

export function findRecipient(config: Config, siret: string | undefined): Recipient | undefined {
  if (siret === undefined) return undefined;
  return config.recipients.find((r) => r.siret === siret);
}

export function findPartner(config: Config, id: string): Partner | undefined {
  return config.partners.find((p) => p.id === id);
}
