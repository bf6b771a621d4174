/**
 * `chorus-flux facturx <invoice> -o <pdf> [--profile …] [--config <file>]` — one Factur-X (PDF/A-3b with
 * factur-x.xml) from a UBL, CII, pivot or Factur-X file.
 * Exit 0 written; 1 the invoice cannot make a valid Factur-X (the reasons are printed, nothing
 * is written); 2 the input cannot be read (or is not an invoice), a multi-invoice pivot lacks a
 * good --index, -o / --xml cannot take a file, or --config cannot be read.
 */
import { readInputFile } from '../../util/read-input-file';
import { sweepTempsOf, writeFileAtomic } from '../../emit/atomic-write';
import { makeFolders } from '../../util/make-folders';
import { statSync } from 'node:fs';
import path from 'node:path';
import { unwritableReason } from '../../config/folders';
import { realPath } from '../../util/real-path';
import { describeErrorCode } from '../../util/system-error-hint';
import { loadConfig, type Config } from '../../config/config';
import { isFluxError } from '../../model/flux-error';
import { partySiret } from '../../transform/chorus/siret';
import { findRecipientIn } from '../../transform/chorus/routing';
import { describeProblem } from '../../transform/facturx/cii-generate';
import type { KnownFacts } from '../../transform/facturx/complete';
import type { Invoice } from '../../model/invoice';
import { facturXData, makeFacturX } from '../../transform/facturx/make';
import { DEFAULT_PROFILE, parseProfile, PROFILES } from '../../transform/facturx/profiles';
import { parseFlux } from '../../transform/parse/flux';
import { validateInvoice } from '../../transform/validate/engine';

export interface FacturXCommandOptions {
  out: string;
  profile?: string;
  /** 1-based invoice of a multi-invoice pivot */
  index?: string;
  /** also write the embedded XML there */
  xml?: string;
  /** a configuration whose routing table names the buyer of a pivot without Debiteur/Nom (BT-44), as `run` does */
  config?: string;
}

export interface FacturXCommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const defaultIo: FacturXCommandIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

async function readInvoice(file: string, index: string | undefined, io: FacturXCommandIo): Promise<Invoice | number> {
  let bytes: Buffer;
  try {
    bytes = await readInputFile(file);
  } catch (e) {
    io.stderr(`chorus-flux facturx: ${file}: ${(e as Error).message}\n`);
    return 2;
  }
  let parsed;
  try {
    parsed = await parseFlux(bytes);
  } catch (e) {
    if (!isFluxError(e)) throw e;
    io.stderr(`chorus-flux facturx: ${file} is not a readable invoice: [${e.rule}] ${e.message}\n`);
    return 2;
  }
  if (parsed.kind === 'CPPStatut') {
    io.stderr(`chorus-flux facturx: ${file} is a CPPStatut status flow, not an invoice.\n`);
    return 2;
  }
  const invoices = parsed.invoices;
  if (index !== undefined) {
    const k = Number(index);
    if (!/^\s*\d+\s*$/.test(index) || k < 1) {
      io.stderr(`chorus-flux facturx: --index ${index}: a whole number of at least 1 is expected.\n`);
      return 2;
    }
    if (k > invoices.length) {
      io.stderr(`chorus-flux facturx: --index ${index}: ${file} holds ${invoices.length} invoice(s).\n`);
      return 2;
    }
    return invoices[k - 1];
  }
  if (invoices.length > 1) {
    const numbers = invoices.map((inv, k) => `${k + 1}: ${inv.number ?? '?'}`).join(', ');
    io.stderr(`chorus-flux facturx: ${file} holds ${invoices.length} invoices (${numbers}); choose one with --index <n>.\n`);
    return 2; // a missing argument, not an invoice that cannot make a Factur-X
  }
  return invoices[0];
}

/**
 * Where a write to `target` lands: the name itself in its real folder (the rename replaces a
 * link there, it does not write through it).
 */
function landsAt(target: string): string {
  const abs = path.resolve(target);
  return path.join(realPath(path.dirname(abs)), path.basename(abs));
}

/**
 * Why a path cannot take the file written there, checked before any work. `input`: the invoice
 * read, which an -o or --xml naming it replaced with the PDF (the invoice lost, exit 0); `other`:
 * the other output, which named alike left one file holding the last one written.
 */
function outputProblem(target: string, input: string, other?: { option: string; target: string }): string | undefined {
  if (target.trim() === '') return 'the path is empty.';
  // as validate refuses "-" for standard input: not a file named "-" made in the current folder
  if (target === '-') return 'standard output is not written to: name the file to write.';
  let st;
  try {
    st = statSync(target, { throwIfNoEntry: false });
  } catch (e) {
    // ENOTDIR (a file where a folder of the path should be) ended in a stack trace
    return `cannot be written (${describeErrorCode((e as NodeJS.ErrnoException).code ?? 'error')}: a folder on its path is a file, or cannot be read).`;
  }
  if (st?.isDirectory()) return 'is a directory: name the file to write.';
  if (st && !st.isFile()) return 'is not a regular file.';
  if (landsAt(target) === realPath(input)) return `is the invoice read (${input}): it would be replaced; name another file.`;
  if (other && other.target.trim() !== '' && landsAt(target) === landsAt(other.target)) return `is also ${other.option}: name two files.`;
  // found only once the Factur-X was made, a folder nobody may write ended in a stack trace and
  // "left in the inbox", as if a run had stopped
  const why = unwritableReason(path.dirname(path.resolve(target)));
  if (why) return `${why}.`;
  return undefined;
}

/** The fatal EN 16931 findings on the factur-x.xml as a reader parses it. */
async function ciiFatals(xml: Uint8Array): Promise<string[]> {
  let parsed;
  try {
    parsed = await parseFlux(xml);
  } catch (e) {
    return [isFluxError(e) ? `${e.rule}: ${e.message}` : (e as Error).message];
  }
  if (parsed.kind === 'CPPStatut') return ['the factur-x.xml does not read as an invoice'];
  return parsed.invoices.flatMap((inv) =>
    validateInvoice({ invoice: inv }, 'en16931')
      .filter((f) => f.severity === 'fatal')
      .map((f) => `${f.rule}: ${f.message}${f.path ? ` (${f.path})` : ''}`),
  );
}

export async function facturxCommand(input: string, opts: FacturXCommandOptions, io: FacturXCommandIo = defaultIo): Promise<number> {
  const profile = opts.profile === undefined ? DEFAULT_PROFILE : parseProfile(opts.profile);
  if (profile === undefined) {
    io.stderr(`chorus-flux facturx: --profile ${opts.profile}: must be one of ${PROFILES.join(', ')}.\n`);
    return 2;
  }
  for (const [option, target] of [['-o', opts.out], ['--xml', opts.xml]] as const) {
    const problem = target === undefined ? undefined : outputProblem(target, input, option === '--xml' ? { option: '-o', target: opts.out } : undefined);
    if (problem) {
      io.stderr(`chorus-flux facturx: ${option} ${target}: ${problem}\n`);
      return 2;
    }
  }
  let recipients: Config['recipients'] | undefined;
  if (opts.config !== undefined) {
    try {
      recipients = loadConfig(opts.config).recipients;
    } catch (e) {
      io.stderr(`chorus-flux facturx: --config ${opts.config}: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const invoice = await readInvoice(input, opts.index, io);
  if (typeof invoice === 'number') return invoice;
  // a pivot may leave Debiteur/Nom out; every profile needs BT-44: the routing table names the buyer, as in `run`
  const known: KnownFacts = recipients ? { buyerName: findRecipientIn(recipients, partySiret(invoice.buyer))?.name } : {};

  // what the profile needs that the invoice lacks, then the EN 16931 rules on the factur-x.xml
  // itself. It is written anew from the data, so the input's own syntax rules (UBL-SR-*: how the
  // UBL file was written) are not its, and a UBL E2 whose attachments carry a DocumentTypeCode
  // (UBL-SR-43) makes a valid Factur-X, as it does in `run`. The rules were run on the data
  // without the parser's facts before, which every EN 16931 rule needs: none ran, and totals
  // that did not add up (BR-CO-15) went out in a Factur-X, exit 0.
  const data = facturXData(invoice, profile, known);
  const reasons = data.problems.map((p) => `${describeProblem(p)} (${p.path})${/^BT-44\b/.test(p.bt) && invoice.syntax === 'PIVOT' && !recipients ? ': the pivot has no Debiteur/Nom; give --config so that the routing table names the buyer' : ''}`);
  if (reasons.length === 0 && profile !== 'MINIMUM' && profile !== 'BASIC WL') reasons.push(...(await ciiFatals(data.xmlBytes())));
  if (reasons.length > 0) {
    io.stderr(`chorus-flux facturx: invoice ${invoice.number ?? '(no number)'} cannot make a valid Factur-X ${profile}:\n${reasons.map((r) => `  - ${r}`).join('\n')}\n`);
    return 1;
  }
  const r = await makeFacturX(invoice, { profile, known });
  const out = path.resolve(opts.out);
  // atomic and durable, as every output: a reader never sees half a PDF
  for (const [option, target, bytes] of [['-o', out, r.pdf], ['--xml', opts.xml, r.xml]] as const) {
    if (target === undefined) continue;
    // its folder made one level at a time: Node's recursive mkdir, which the write would use,
    // loops for ever on a file system that takes no new folders (/proc)
    const refused = makeFolders(path.dirname(path.resolve(target)));
    if (refused) {
      io.stderr(`chorus-flux facturx: ${option} ${target}: cannot be written (${refused.refused}: ${refused.why}).\n`);
      return 2;
    }
    try {
      // the temp file of a facturx killed while writing this file: nothing else ever sweeps the operator's folder
      await sweepTempsOf(path.resolve(target));
      await writeFileAtomic(path.resolve(target), bytes);
    } catch (e) {
      // a full disk, a folder refused: the command's own failure, said plainly (exit 2)
      const code = (e as NodeJS.ErrnoException).code;
      if (code === undefined) throw e;
      io.stderr(`chorus-flux facturx: ${option} ${target}: cannot be written (${describeErrorCode(code)}${(e as NodeJS.ErrnoException).path ? `: ${(e as NodeJS.ErrnoException).path}` : ''}).\n`);
      return 2;
    }
  }
  io.stdout(`${out}: Factur-X ${profile}, invoice ${invoice.number ?? ''}, ${r.pages} page(s), ${r.pdf.length} bytes\n`);
  return 0;
}
