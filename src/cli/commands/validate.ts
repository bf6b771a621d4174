/**
 * `chorus-flux validate <file…> [--profile en16931|chorus] [--json] [--config <file>]`
 *
 * Each finding with its rule id, severity, path (and line when known) and message.
 * Exit code: 0 every file valid, 1 some file invalid (an invoice failing its rules, or a
 * document leaving its official XSD: FLUX-SCHEMA, FLUX-NAMESPACE), 2 some file unreadable (a
 * refusal of the whole flux by the parser: bad bytes, bad XML, DTD, unknown root… reported as
 * a finding).
 * A folder stands for every file under it (subfolders too, in name order), but for what an
 * inbox never takes: temporary names, dotfiles, `.done` markers, symbolic links. With more
 * than one file the text ends with a count of valid, invalid and unreadable files.
 * A multi-invoice pivot is reported per invoice. With --json: an array of
 * `{file, valid, findings: [{rule, severity, path, line, message}]}` (plus `invoice` and
 * `number` for the invoices of a multi-invoice flux).
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { isIgnoredName } from '../../ingest/scan';
import { UsageError } from '../../util/usage-error';
import { printable } from '../../util/printable';
import { InputFileError, readInputFile } from '../../util/read-input-file';
import { isBundledExample, loadConfig } from '../../config/config';
import type { Finding } from '../../model/finding';
import { isFluxError, unexpectedParseFailure } from '../../model/flux-error';
import { parseFlux } from '../../transform/parse/flux';
import { parseStatut } from '../../transform/parse/statut';
import { statusLineProblems } from '../../lifecycle/status-line-checks';
import { validateInvoice } from '../../transform/validate/engine';
import type { ChorusContext, Profile } from '../../transform/validate/rule';

export interface ValidateCommandOptions {
  profile?: string;
  json?: boolean;
  config?: string;
}

export interface ValidateReport {
  file: string;
  /** 1-based position of the invoice in a multi-invoice flux */
  invoice?: number;
  /** BT-1 of that invoice */
  number?: string;
  valid: boolean;
  unreadable?: boolean;
  findings: { rule: string; severity: Finding['severity']; path?: string; line?: number; message: string }[];
}

export const PROFILES: readonly Profile[] = ['en16931', 'chorus'];

/** The rules judged by the routing table (`recipients`) of the configuration. */
const ROUTING_RULES = new Set(['CPRO-DESTINATAIRE-INCONNU', 'CPRO-CODE-SERVICE', 'CPRO-CODE-SERVICE-INCONNU', 'CPRO-ENGAGEMENT', 'CPRO-PJ-REQUISE']);

/** Refusals of a document that was read, for leaving its official schema: invalid, not unreadable. */
const SCHEMA_REFUSALS = new Set(['FLUX-SCHEMA', 'FLUX-NAMESPACE']);

export { UsageError };

function finding(f: Finding): ValidateReport['findings'][number] {
  const out: ValidateReport['findings'][number] = { rule: f.rule, severity: f.severity, message: f.message };
  if (f.path !== undefined) out.path = f.path;
  if (f.line !== undefined) out.line = f.line;
  return out;
}

/** Validates one file; never throws for bad input (an unreadable file is a report). */
export async function validateFile(file: string, profile: Profile, chorus?: ChorusContext): Promise<ValidateReport[]> {
  let bytes: Buffer;
  try {
    bytes = await readInputFile(file, chorus?.limits.maxInvoiceBytes);
  } catch (e) {
    const rule = e instanceof InputFileError ? e.rule : 'FLUX-READ';
    return [{ file, valid: false, unreadable: true, findings: [{ rule, severity: 'fatal', message: (e as Error).message }] }];
  }
  let flux;
  try {
    // en16931 judges as the official schematron alone does; chorus as the pipeline (with the XSD's structure)
    flux = await parseFlux(bytes, { schemaStructure: profile !== 'en16931', maxEmbeddedBytes: chorus?.limits.maxInvoiceBytes });
  } catch (e) {
    if (!isFluxError(e)) {
      // one file's fault in the reader must not stop the files after it
      process.stderr.write(`chorus-flux validate: ${file}: unexpected fault while reading: ${(e as Error).stack ?? e}\n`);
      return [{ file, valid: false, unreadable: true, findings: [unexpectedParseFailure()] }];
    }
    const f: ValidateReport['findings'][number] = { rule: e.rule, severity: 'fatal', message: e.message };
    if (e.path !== undefined) f.path = e.path;
    if (e.line !== undefined) f.line = e.line;
    return [SCHEMA_REFUSALS.has(e.rule) ? { file, valid: false, findings: [f] } : { file, valid: false, unreadable: true, findings: [f] }];
  }
  if (flux.kind === 'CPPStatut') {
    // its lines as the pipeline judges them before reading any lifecycle (which invoice a line
    // names, and whether the change is allowed, depend on the invoices deposited)
    const parsed = parseStatut(flux.xml.node);
    const lines = parsed.invoices.length + parsed.flux.length;
    const problems = statusLineProblems(parsed).map(finding);
    const note = { rule: 'FLUX-STATUT', severity: 'warning' as const, message: `The file is a CPPStatut status flow of ${lines} line(s): they were checked as lines (codes, dates, what they name); whether each applies depends on the invoices deposited, which validate does not read.` };
    return [{ file, valid: problems.length === 0, findings: [note, ...problems] }];
  }
  const multi = flux.invoices.length > 1;
  return flux.invoices.map((invoice, k) => {
    const findings = validateInvoice({ invoice, chorus }, profile).map(finding);
    const r: ValidateReport = { file, valid: !findings.some((f) => f.severity === 'fatal'), findings };
    if (multi) {
      r.invoice = k + 1;
      if (invoice.number !== undefined) r.number = invoice.number;
    }
    return r;
  });
}

/**
 * The files an argument names: itself when it is not a folder (reading it says what is wrong
 * with it), else every file under the folder that an inbox scan would take.
 */
export function filesNamed(arg: string): { files: string[]; problem?: ValidateReport } {
  let isFolder = false;
  try {
    // the argument itself is followed (a link to a folder is that folder), links inside are not
    isFolder = statSync(arg).isDirectory();
  } catch {
    return { files: [arg] };
  }
  if (!isFolder) return { files: [arg] };
  const files: string[] = [];
  const walk = (dir: string): string | undefined => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (e) {
      return `The folder cannot be read: ${dir} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`;
    }
    for (const e of entries) {
      if (isIgnoredName(e.name)) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        const problem = walk(p);
        if (problem) return problem;
      } else if (e.isFile()) files.push(p);
    }
    return undefined;
  };
  const problem = walk(arg);
  if (problem) return { files, problem: { file: arg, valid: false, unreadable: true, findings: [{ rule: 'FLUX-READ', severity: 'fatal', message: problem }] } };
  if (files.length === 0) {
    return { files, problem: { file: arg, valid: false, unreadable: true, findings: [{ rule: 'FLUX-READ', severity: 'fatal', message: `The folder ${arg} holds no file to validate (temporary names, dotfiles, .done markers and symbolic links are left out, as an inbox leaves them).` }] } };
  }
  return { files };
}

/** `N files: a valid, b invalid, c unreadable` (a file with one invalid invoice is invalid). */
function tally(reports: ValidateReport[]): string {
  const byFile = new Map<string, 'valid' | 'invalid' | 'unreadable'>();
  for (const r of reports) {
    const was = byFile.get(r.file);
    const now = r.unreadable ? 'unreadable' : r.valid ? 'valid' : 'invalid';
    if (was === undefined || was === 'valid' || (was === 'invalid' && now === 'unreadable')) byFile.set(r.file, now);
  }
  const count = (v: string) => [...byFile.values()].filter((x) => x === v).length;
  return `${byFile.size} files: ${count('valid')} valid, ${count('invalid')} invalid, ${count('unreadable')} unreadable`;
}

function text(reports: ValidateReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    // a partner's name or text on one line each: a name holding a newline printed a verdict of its own
    const who = printable(r.invoice !== undefined ? `${r.file} [invoice ${r.invoice}${r.number ? ` ${r.number}` : ''}]` : r.file);
    const fatal = r.findings.filter((f) => f.severity === 'fatal').length;
    const warnings = r.findings.length - fatal;
    const verdict = r.unreadable ? 'UNREADABLE' : r.valid ? 'valid' : 'INVALID';
    const counts = r.findings.length ? ` (${fatal} fatal, ${warnings} warning${warnings === 1 ? '' : 's'})` : '';
    lines.push(`${who}: ${verdict}${counts}`);
    for (const f of r.findings) {
      const where = [f.path, f.line !== undefined ? `line ${f.line}` : undefined].filter(Boolean).join(', ');
      lines.push(`  ${f.severity === 'fatal' ? 'FATAL  ' : 'warning'} ${f.rule}${where ? ` at ${printable(where)}` : ''}: ${printable(f.message)}`);
    }
  }
  return lines.join('\n');
}

export function exitCodeOf(reports: ValidateReport[]): number {
  if (reports.some((r) => r.unreadable)) return 2;
  if (reports.some((r) => !r.valid)) return 1;
  return 0;
}

export async function validateCommand(files: string[], opts: ValidateCommandOptions, out: (s: string) => void = (s) => process.stdout.write(s), err: (s: string) => void = (s) => process.stderr.write(s)): Promise<number> {
  const profile = (opts.profile ?? 'chorus') as Profile;
  if (!PROFILES.includes(profile)) throw new UsageError(`--profile must be one of ${PROFILES.join(', ')}; got "${opts.profile}".`);
  let chorus: ChorusContext | undefined;
  let bundled: string | undefined;
  if (profile === 'chorus') {
    const config = loadConfig(opts.config);
    chorus = { recipients: config.recipients, limits: config.limits };
    if (isBundledExample(config)) bundled = config.source.replace(/ \(bundled example\)$/, '');
  }
  const reports: ValidateReport[] = [];
  // in text, each file is printed once judged: a folder of thousands shows its progress
  const add = (some: ValidateReport[]) => {
    reports.push(...some);
    if (!opts.json && some.length > 0) out(`${text(some)}\n`);
  };
  for (const arg of files) {
    const named = filesNamed(arg);
    for (const file of named.files) add(await validateFile(file, profile, chorus));
    if (named.problem) add([named.problem]);
  }
  const several = new Set(reports.map((r) => r.file)).size > 1;
  if (opts.json) out(`${JSON.stringify(reports, null, 2)}\n`);
  else if (several) out(`${tally(reports)}\n`);
  // "not in the routing table" of the bundled example, not the operator's: said, or it misleads
  const routed = [...new Set(reports.flatMap((r) => r.findings.map((f) => f.rule)).filter((rule) => ROUTING_RULES.has(rule)))];
  if (bundled && routed.length) err(`chorus-flux validate: note: ${routed.join(', ')} judged by the routing table of the bundled example configuration (${bundled}), not yours: give --config <your file>\n`);
  return exitCodeOf(reports);
}
