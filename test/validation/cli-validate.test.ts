/**
 * `chorus-flux validate <file…> [--profile en16931|chorus] [--json] [--config <file>]`, run as
 * an operator runs it (child process): exit 0 valid, 1 invalid (rules or XSD structure), 2 unreadable; every finding
 * with rule, severity, path and message; a multi-invoice pivot reported per invoice.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cli } from '../helpers/cli';
import { corpus } from '../helpers/corpus';
import { FIXTURES_INBOX } from '../helpers/run';
import { sub } from './support/mutations';

const VALID_UBL = corpus('en16931/ubl-examples/ubl-tc434-example1.xml');
const VALID_CII = corpus('en16931/cii-examples/CII_example4.xml');
const E2 = path.join(FIXTURES_INBOX, 'op-beta/facture-e2-maintenance.xml');
const PIVOT = path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml');
const TRUNCATED = path.join(FIXTURES_INBOX, 'op-gamma/tronque.xml');

interface Report {
  file: string;
  invoice?: number;
  number?: string;
  valid: boolean;
  findings: { rule: string; severity: string; path?: string; line?: number; message: string }[];
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'cf-validate-'));
const BROKEN = path.join(dir, 'broken.xml');
writeFileSync(BROKEN, sub(readFileSync(VALID_UBL, 'utf8'), '<cbc:TaxInclusiveAmount currencyID="EUR">250.33', '<cbc:TaxInclusiveAmount currencyID="EUR">250.34'));

describe('chorus-flux validate', () => {
  it('exit 0 on valid UBL and CII (profile en16931), one line per file', async () => {
    const r = await cli(['validate', '--profile', 'en16931', VALID_UBL, VALID_CII]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${VALID_UBL}: valid`);
    expect(r.stdout).toContain(`${VALID_CII}: valid`);
  });

  it('exit 1 on an invalid invoice; --json gives {file, valid, findings[{rule, severity, path, line, message}]}', async () => {
    const r = await cli(['validate', '--profile', 'en16931', '--json', VALID_UBL, BROKEN]);
    expect(r.code).toBe(1);
    const reports = JSON.parse(r.stdout) as Report[];
    expect(reports.map((x) => [x.file, x.valid])).toEqual([
      [VALID_UBL, true],
      [BROKEN, false],
    ]);
    const fatal = reports[1].findings.filter((f) => f.severity === 'fatal');
    expect(fatal.map((f) => f.rule).sort()).toEqual(['BR-CO-15', 'BR-CO-16']);
    for (const f of fatal) {
      expect(f.path).toMatch(/^\/Invoice\/cac:LegalMonetaryTotal\/cbc:/);
      expect(f.message.length).toBeGreaterThan(20);
    }
  });

  it('exit 2 when a file is unreadable, its refusal reported as a finding with the line', async () => {
    const r = await cli(['validate', '--json', VALID_UBL, TRUNCATED]);
    expect(r.code).toBe(2);
    const reports = JSON.parse(r.stdout) as Report[];
    const bad = reports.find((x) => x.file === TRUNCATED)!;
    expect(bad.valid).toBe(false);
    expect(bad.findings).toHaveLength(1);
    expect(bad.findings[0]).toMatchObject({ rule: 'FLUX-MALFORMED', severity: 'fatal' });
    expect(bad.findings[0].line).toBeGreaterThan(0);
    const missing = await cli(['validate', path.join(dir, 'does-not-exist.xml')]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toContain('FLUX-READ');
  });

  it('exit 1 for a document that leaves its official XSD (FLUX-SCHEMA): read, and invalid; the en16931 profile judges the rules alone', async () => {
    const doubled = path.join(dir, 'doubled-issue-date.xml');
    writeFileSync(doubled, readFileSync(VALID_UBL, 'utf8').replace(/(<cbc:IssueDate>[^<]*<\/cbc:IssueDate>)/, '$1$1'));
    const r = await cli(['validate', doubled]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${doubled}: INVALID (1 fatal, 0 warnings)`);
    expect(r.stdout).toMatch(/FATAL {3}FLUX-SCHEMA at line \d+: At line \d+, <cbc:IssueDate> appears in <Invoice> more often than the UBL 2.1 schema allows \(1\)\./);
    expect((await cli(['validate', '--profile', 'en16931', doubled])).code).toBe(0);
    // a finance SI's status flow: no invoice to judge, but its structure is checked
    const statut = corpus('chorus-samples/statut/Example01-FactureStatut-ok.xml');
    const ok = await cli(['validate', '--json', statut]);
    expect([ok.code, (JSON.parse(ok.stdout) as Report[])[0].findings.map((f) => f.rule)]).toEqual([0, ['FLUX-STATUT']]);
    // its lines are judged as the pipeline judges them before reading the lifecycle: AIFE's
    // samples, a status code 17 (Example02), a month 15 (Example03), a flow status 92 (Example04)
    const samples = ['01-FactureStatut-ok', '02-FactureStatut-ko', '03-FactureStatut-ko', '04-FactureStatut-ko'].map((n) => corpus(`chorus-samples/statut/Example${n}.xml`));
    const lines = await cli(['validate', '--json', ...samples]);
    expect(lines.code).toBe(1);
    const reports = JSON.parse(lines.stdout) as Report[];
    expect(reports.map((x) => [x.valid, x.findings.map((f) => f.rule)])).toEqual([
      [true, ['FLUX-STATUT']],
      [false, ['FLUX-STATUT', 'CPRO-STATUT-CODE']],
      [false, ['FLUX-STATUT', 'CPRO-STATUT-HORODATAGE']],
      [true, ['FLUX-STATUT']],
    ]);
    expect(reports[1].findings[1]).toMatchObject({ path: '/CPPStatut/CPPFactureStatuts/CPPFactureStatutUnitaire[1]', message: expect.stringMatching(/the status code "17" is not an invoice status/) });
    const stray = path.join(dir, 'statut-stray.xml');
    writeFileSync(stray, readFileSync(statut, 'utf8').replace('</Enveloppe>', '</Enveloppe><Enveloppe/>'));
    const bad = await cli(['validate', '--json', stray]);
    expect(bad.code).toBe(1);
    expect((JSON.parse(bad.stdout) as Report[])[0].findings).toEqual([expect.objectContaining({ rule: 'FLUX-SCHEMA', message: expect.stringMatching(/<Enveloppe> appears in <CPPStatut> more often than the CPPStatut V1_19 schema allows \(1\)/) })]);
  });

  it('chorus profile (default, bundled routing table): a multi-invoice pivot is reported per invoice', async () => {
    const r = await cli(['validate', '--json', PIVOT]);
    expect(r.code).toBe(1);
    const reports = JSON.parse(r.stdout) as Report[];
    expect(reports.map((x) => x.invoice)).toEqual([1, 2, 3]);
    expect(reports.map((x) => x.valid)).toEqual([true, true, false]);
    expect(reports[2].number).toBe('LP-2026-558814');
    expect(reports[2].findings.map((f) => f.rule)).toContain('CPRO-DESTINATAIRE-INCONNU');
  });

  it('UBL-SR-43 is fatal for EN 16931 but a warning for Chorus Pro flows (attachments typed by DocumentTypeCode)', async () => {
    const en = JSON.parse((await cli(['validate', '--json', '--profile', 'en16931', E2])).stdout) as Report[];
    expect(en[0].valid).toBe(false);
    expect(en[0].findings.filter((f) => f.severity === 'fatal').map((f) => f.rule)).toEqual(['UBL-SR-43']);
    const ch = await cli(['validate', '--json', '--profile', 'chorus', '--config', path.resolve(__dirname, '../../config/example.json'), E2]);
    expect(ch.code).toBe(0);
    const reports = JSON.parse(ch.stdout) as Report[];
    expect(reports[0].findings.find((f) => f.rule === 'UBL-SR-43')?.severity).toBe('warning');
  });

  it('a folder stands for every file under it, but for what an inbox never takes; a count of files ends the text', async () => {
    const folder = path.join(dir, 'batch');
    mkdirSync(path.join(folder, 'sous-dossier'), { recursive: true });
    copyFileSync(VALID_UBL, path.join(folder, 'a-valide.xml'));
    copyFileSync(BROKEN, path.join(folder, 'b-fausse.xml'));
    copyFileSync(VALID_CII, path.join(folder, 'sous-dossier', 'c-cii.xml'));
    // never taken from an inbox, so not validated either: an upload under way, a hidden file, a marker, a link
    writeFileSync(path.join(folder, 'd-en-cours.xml.part'), '<Invoice');
    writeFileSync(path.join(folder, '.cache.xml'), 'x');
    writeFileSync(path.join(folder, 'a-valide.xml.done'), '');
    symlinkSync(TRUNCATED, path.join(folder, 'e-lien.xml'));
    const r = await cli(['validate', '--profile', 'en16931', folder]);
    expect(r.code).toBe(1);
    const verdicts = r.stdout.split('\n').filter((l) => /^\S.*: (valid|INVALID|UNREADABLE)/.test(l));
    expect(verdicts).toEqual([
      `${path.join(folder, 'a-valide.xml')}: valid`,
      expect.stringMatching(new RegExp(`^${path.join(folder, 'b-fausse.xml')}: INVALID`)),
      `${path.join(folder, 'sous-dossier', 'c-cii.xml')}: valid`,
    ]);
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('3 files: 2 valid, 1 invalid, 0 unreadable');
    // a folder with nothing to validate is said so (exit 2), and --json lists the files it holds
    const empty = path.join(dir, 'vide');
    mkdirSync(empty);
    writeFileSync(path.join(empty, 'x.tmp'), 'x');
    const none = await cli(['validate', empty]);
    expect(none.code).toBe(2);
    expect(none.stdout).toMatch(/: UNREADABLE[^]*FLUX-READ: The folder .* holds no file to validate/);
    // a link to a folder, given as the argument, is that folder
    symlinkSync(path.join(folder, 'sous-dossier'), path.join(dir, 'lien-dossier'));
    const json = await cli(['validate', '--profile', 'en16931', '--json', path.join(dir, 'lien-dossier'), VALID_UBL]);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as Report[]).map((x) => [x.file, x.valid])).toEqual([[path.join(dir, 'lien-dossier', 'c-cii.xml'), true], [VALID_UBL, true]]);
  });

  it('white space around a value: refused with the official rule id where the official XSLT refuses it, accepted where it does not', async () => {
    const cii = readFileSync(VALID_CII, 'utf8');
    // `ram:CategoryCode = 'S'` fails on "S " (BR-S-08); a code list reads normalize-space(.), so " 380 " passes
    const category = path.join(dir, 'category-padded.xml');
    writeFileSync(category, sub(cii, '<ram:CategoryCode>S</ram:CategoryCode>', '<ram:CategoryCode>S </ram:CategoryCode>'));
    const typeCode = path.join(dir, 'type-code-padded.xml');
    writeFileSync(typeCode, sub(cii, '<ram:TypeCode>380</ram:TypeCode>', '<ram:TypeCode> 380 </ram:TypeCode>'));
    const r = await cli(['validate', '--profile', 'en16931', '--json', category, typeCode]);
    expect(r.code).toBe(1);
    const [bad, good] = JSON.parse(r.stdout) as Report[];
    expect(bad.valid).toBe(false);
    expect(bad.findings.filter((f) => f.severity === 'fatal').map((f) => f.rule)).toEqual(['BR-S-08']);
    // the official message and the breakdown it judges
    expect(bad.findings[0]).toMatchObject({ rule: 'BR-S-08', path: expect.stringContaining('ram:ApplicableTradeTax'), message: expect.stringContaining('VAT category code') });
    expect(good).toMatchObject({ valid: true, findings: [] });
  });

  it('refuses an unknown profile with exit 2', async () => {
    const r = await cli(['validate', '--profile', 'xrechnung', VALID_UBL]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--profile must be one of en16931, chorus');
  });
});
