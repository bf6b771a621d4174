/**
 * `chorus-flux reject`: an invoice chorus-flux suspended on deposit that its supplier never
 * completed was reported `suspended-past-deadline` every night for ever, and nothing could
 * refuse it (a finance SI's 05 is refused: CPRO-STATUT-NON-TRANSMISE). The real pipeline
 * suspends it, the command line rejects it: REJETEE in the lifecycle, the depositor told
 * (CPPStatut 05 valid against the official XSD, CDAR 213 against the D22B XSD and the BR-FR-CDV
 * schematron), journaled; the reconciliation clean with no orphan, trace telling it; run again
 * it writes nothing twice, and after a kill at each of its steps it finishes with one flow.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { configFromObject, type Config } from '../../src/config/config';
import { readJournalDay, type JournalLine } from '../../src/journal/journal';
import type { LifecycleRecord } from '../../src/lifecycle/record';
import { LifecycleStore } from '../../src/lifecycle/store';
import { addDays } from '../../src/reconcile/day';
import type { ReconcileReport } from '../../src/reconcile/types';
import { dayOf } from '../../src/util/clock';
import { sha256 } from '../../src/util/hash';
import { checkCdar } from '../cdar/oracle';
import { cli } from '../helpers/cli';
import { SCHEMAS } from '../helpers/corpus';
import { FIXTURES_INBOX, listFiles, tempDir } from '../helpers/run';
import { siStatusFlow } from '../helpers/statut';
import { validateFiles } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';
import { at, batch, dayConfigObject, drop, lyceeWithoutEngagement, papeterie } from '../reconcile/day-builder';

const TZ = 'Europe/Paris';
const LYCEE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/avoir-e1-lycee.xml'), 'utf8');
const today = () => dayOf(new Date(), TZ);
/** Words longer than a flow may carry (IPM4-009: 300 characters), kept whole in the journal. */
const REASON = `Numéro d'engagement jamais fourni malgré trois relances (${'courriel du fournisseur resté sans réponse ; '.repeat(8)}fin).`;

/** The bundled example with op-alpha asking for CPPStatut and CDAR, written as a file the command line reads. */
function setUp(): { root: string; out: string; file: string; config: Config } {
  const root = tempDir('cf-reject-');
  const out = path.join(root, 'out');
  mkdirSync(out, { recursive: true });
  const raw = dayConfigObject(root) as Record<string, any>;
  for (const p of raw.partners) if (p.id === 'op-alpha') p.statusFormats = ['CPPStatut', 'CDAR'];
  raw.paths = { out };
  const file = path.join(root, 'config.json');
  writeFileSync(file, JSON.stringify(raw, null, 2));
  return { root, out, file, config: configFromObject(raw, root, file) };
}

const reject = (cfg: string, ...args: string[]) => cli(['reject', ...args, '--config', cfg], { timeoutMs: 60_000 });

async function record(config: Config, supplierId: string, number: string): Promise<LifecycleRecord> {
  const [r] = await new LifecycleStore(path.join(config.paths.state, 'invoices')).read(supplierId, number);
  return r;
}

async function journalLines(out: string, day = today()): Promise<JournalLine[]> {
  return (await readJournalDay(path.join(out, 'journal'), day)).lines;
}

/** An invoice the pipeline suspends on deposit (no engagement number), deposited by a run of its own: its IdCPRO. */
async function suspendedOnDeposit(s: ReturnType<typeof setUp>, number: string): Promise<string> {
  const inbox = path.join(s.root, 'inbox');
  mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
  writeFileSync(path.join(inbox, 'op-alpha', 'avoir-sans-ej.xml'), lyceeWithoutEngagement(number));
  expect((await cli(['run', inbox, '--config', s.file, '-q', '--no-progress'], { timeoutMs: 60_000 })).code).toBe(0);
  return (await record(s.config, '99746507500015', number)).idCpro;
}

const rejections = (lines: JournalLine[]) => lines.filter((l): l is Extract<JournalLine, { event: 'invoice-rejected' }> => l.event === 'invoice-rejected');

/** The status flows to op-alpha that carry an invoice status `code` (CPPStatut) or a CDAR `status`. */
function statutFlows(out: string, code: string): string[] {
  return listFiles(out).filter((f) => f.startsWith('statut/op-alpha/') && xpath(path.join(out, f), 'string(//CPPFactureStatutUnitaire/DonneesStatut/IdStatut)') === code);
}
function cdarFlows(out: string, status: string): string[] {
  return listFiles(out).filter((f) => f.startsWith('cdar/op-alpha/') && xpath(path.join(out, f), "string(//*[local-name()='ReferenceReferencedDocument']/*[local-name()='ProcessConditionCode'])") === status);
}

function report(out: string, day: string): ReconcileReport {
  return JSON.parse(readFileSync(path.join(out, 'reports', `reconcile-${day}.json`), 'utf8')) as ReconcileReport;
}

describe('an invoice suspended on deposit 40 days ago, never completed, rejected by the operator', () => {
  const s = setUp();
  const deposited = addDays(today(), -40);
  let idCpro: string;
  let depositSha: string;

  beforeAll(async () => {
    // the real pipeline, its clock 40 days back: the recipient requires an engagement number, none is given
    const inbox = path.join(s.root, 'inbox');
    drop(inbox, 'op-alpha', 'avoir-sans-ej.xml', lyceeWithoutEngagement('A-2026-0042'), at(deposited, '09:00'));
    const run = await batch(s.config, inbox, 'node-a', at(deposited, '09:30'));
    expect(run.results[0]).toMatchObject({ outcome: 'suspended', invoices: [{ outcome: 'suspended' }] });
    idCpro = run.results[0].invoices[0].idCpro as string;
    depositSha = run.results[0].sha256;
  }, 60_000);

  it('before: the reconciliation reports it suspended past its deadline, every night', async () => {
    const r = await cli(['reconcile', '--date', today(), '--config', s.file, '-q'], { timeoutMs: 60_000 });
    expect(r.code).toBe(1);
    const anomalies = report(s.out, today()).anomalies;
    expect(anomalies.map((a) => [a.type, a.invoices?.[0]?.idCpro])).toEqual([['suspended-past-deadline', idCpro]]);
  }, 60_000);

  it('reject: REJETEE by the operator, op-alpha told by a CPPStatut 05 and a CDAR 213, both valid; journaled with their SHA-256', async () => {
    const r = await reject(s.file, idCpro, '--reason', REASON, '--out', s.out);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`rejected invoice A-2026-0042 of supplier 99746507500015 (IdCPRO ${idCpro}): REJETEE; partner op-alpha told:`);
    expect(r.stdout).toContain('refused as a duplicate (DOUBLON)');

    const rec = await record(s.config, '99746507500015', 'A-2026-0042');
    expect(rec.state).toBe('REJETEE');
    expect(rec.suspendedAt).toBeUndefined();
    expect(rec.history[rec.history.length - 1]).toMatchObject({ state: 'REJETEE', by: 'operator', reason: REASON });
    expect(rec.operatorRejection).toMatchObject({ reason: REASON, journaled: true });

    const [flow] = statutFlows(s.out, '05');
    expect(statutFlows(s.out, '05')).toHaveLength(1);
    const abs = path.join(s.out, flow);
    expect(validateFiles(SCHEMAS.statut, [abs])).toEqual([{ file: abs, valid: true, errors: [] }]);
    const v = (e: string) => xpath(abs, `string(//CPPFactureStatutUnitaire/${e})`);
    expect([v('DonneesStatut/IdFacture'), v('DonneesStatut/DateFacture'), v('DonneesStatut/ComplementStatut'), v('Fournisseur/Identifiant'), v('Debiteur/Identifiant')]).toEqual(['A-2026-0042', '2026-11-05', 'Rejetée', '99746507500015', '19494032600011']);
    const said = v('DonneesStatut/Commentaire');
    expect([...said].length).toBeLessThanOrEqual(300);
    expect(said.endsWith('…')).toBe(true);
    expect(REASON.startsWith(said.slice(0, -1).trimEnd())).toBe(true);
    expect(xpath(abs, 'string(//Partenaires/Recepteur/Id)')).toBe('OPALPHA');

    const cdars = cdarFlows(s.out, '213');
    expect(cdars).toHaveLength(1);
    const cdar = path.join(s.out, cdars[0]);
    const oracle = checkCdar({}, { rejet: cdar }).get('rejet')!;
    expect({ xsd: oracle.xsdValid, errors: oracle.xsdErrors, fatal: oracle.fatal }).toEqual({ xsd: true, errors: [], fatal: [] });
    const c = (e: string) => xpath(cdar, `string(//*[local-name()='${e}'])`);
    expect([c('IssuerAssignedID'), c('ReasonCode')]).toEqual(['A-2026-0042', 'REJ_CONT_B2G']);
    expect([...c('Reason')].length).toBeLessThanOrEqual(300);

    const [line] = rejections(await journalLines(s.out));
    expect(rejections(await journalLines(s.out))).toHaveLength(1);
    expect(line).toMatchObject({ by: 'operator', sha256: depositSha, file: 'op-alpha/avoir-sans-ej.xml', partner: 'op-alpha', invoices: [{ idCpro, number: 'A-2026-0042', outcome: 'rejected', state: 'REJETEE', reason: REASON }] });
    expect(line.outputs.map((o) => [o.path, o.sha256]).sort()).toEqual([flow, cdars[0]].map((f) => [f, sha256(readFileSync(path.join(s.out, f)))]).sort());
  }, 120_000);

  it('the reconciliation of the day: no suspended-past-deadline, its flows known (no orphan), the rejection said; the deposit day clean too', async () => {
    for (const day of [today(), deposited]) {
      const r = await cli(['reconcile', '--date', day, '--config', s.file, '-q'], { timeoutMs: 60_000 });
      expect({ day, code: r.code, stderr: r.stderr }).toEqual({ day, code: 0, stderr: '' });
      expect(report(s.out, day).anomalies).toEqual([]);
    }
    const rep = report(s.out, today());
    expect(rep.outputs).toMatchObject({ checked: 2, orphan: 0, missing: 0, tampered: 0, byKind: { statut: 1, cdar: 1 } });
    expect(rep.notes.find((n) => n.includes('rejected by the operator'))).toContain(`A-2026-0042 of supplier 99746507500015 (IdCPRO ${idCpro}, partner op-alpha)`);
  }, 120_000);

  it('trace <IdCPRO> shows the rejection, its flows and the lifecycle, even with the deposit older than the days read', async () => {
    const r = await cli(['trace', idCpro, '--config', s.file], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('rejected by the operator (chorus-flux reject)');
    expect(r.stdout).toMatch(/statut +statut\/op-alpha\/FEN1200A_/);
    expect(r.stdout).toMatch(/REJETEE by operator: Numéro d'engagement jamais fourni/);
    const all = await cli(['trace', idCpro, '--config', s.file, '--since', deposited], { timeoutMs: 60_000 });
    expect(all.stdout).toContain('outcome: suspended');
    expect(all.stdout).toContain('rejected by the operator (chorus-flux reject)');
  }, 60_000);

  it('run again: says it was rejected already, writes nothing, journals nothing', async () => {
    const before = listFiles(s.out, ['logs', 'reports']).map((f) => [f, readFileSync(path.join(s.out, f), 'base64')]);
    const r = await reject(s.file, idCpro, '--reason', 'autre chose');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`was already rejected by the operator at`);
    expect(r.stdout).toContain('the reason given now is not used');
    const after = listFiles(s.out, ['logs', 'reports']).map((f) => [f, readFileSync(path.join(s.out, f), 'base64')]);
    expect(after).toEqual(before);
  }, 60_000);

  it('a later deposit of the invoice by its supplier, completed, is refused as a duplicate (DOUBLON), as after a finance SI rejected it', async () => {
    const inbox = path.join(s.root, 'inbox-late');
    mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
    writeFileSync(path.join(inbox, 'op-alpha', 'avoir-complete.xml'), LYCEE.replace('<cbc:ID>A-2026-0007</cbc:ID>', '<cbc:ID>A-2026-0042</cbc:ID>'));
    const r = await cli(['run', inbox, '--config', s.file, '-q', '--no-progress'], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const outcome = (await journalLines(s.out)).find((l) => l.event === 'outcome' && l.file === 'op-alpha/avoir-complete.xml') as Extract<JournalLine, { event: 'outcome' }>;
    expect(outcome.outcome).toBe('duplicate');
    expect(outcome.findings?.[0]?.message).toContain(`is already known (IdCPRO ${idCpro}, state REJETEE)`);
    expect(listFiles(s.out).filter((f) => f.startsWith('pivot/'))).toEqual([]);
    expect((await record(s.config, '99746507500015', 'A-2026-0042')).state).toBe('REJETEE');
  }, 60_000);
});

describe('what reject refuses', () => {
  const s = setUp();
  let accepted: string;
  let byPipeline: string;

  beforeAll(async () => {
    const inbox = path.join(s.root, 'inbox');
    mkdirSync(path.join(inbox, 'op-alpha'), { recursive: true });
    writeFileSync(path.join(inbox, 'op-alpha', 'facture.xml'), papeterie('F-2026-0101'));
    writeFileSync(path.join(inbox, 'op-alpha', 'avoir-sans-ej.xml'), lyceeWithoutEngagement('A-2026-0043'));
    expect((await cli(['run', inbox, '--config', s.file, '-q', '--no-progress'], { timeoutMs: 60_000 })).code).toBe(0);
    accepted = (await record(s.config, '99746507500015', 'F-2026-0101')).idCpro;
    byPipeline = (await record(s.config, '99746507500015', 'A-2026-0043')).idCpro;
  }, 60_000);

  it('an unknown IdCPRO: exit 1, said', async () => {
    const r = await reject(s.file, '987654', '--reason', 'x');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('chorus-flux reject: No invoice has IdCPRO 987654');
  }, 60_000);

  it('an invoice sent to its finance SI: exit 1, the SI alone can reject it', async () => {
    const r = await reject(s.file, accepted, '--reason', 'x');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`(IdCPRO ${accepted}) is MISE_A_DISPOSITION: it went to its finance SI (VALM01), which alone can reject it (a 05 REJETEE status flow)`);
  }, 60_000);

  it('an invoice its finance SI suspended: exit 1, that SI rejects it itself with a 05', async () => {
    const inbox = path.join(s.root, 'inbox-si');
    mkdirSync(path.join(inbox, 'si-valmont'), { recursive: true });
    writeFileSync(path.join(inbox, 'si-valmont', 'suspendre.xml'), siStatusFlow('SI-1', [{ supplierId: '99746507500015', buyerSiret: '21787789300016', idStatut: '06', idFacture: 'F-2026-0101', commentaire: 'BL manquant' }]));
    expect((await cli(['run', inbox, '--config', s.file, '-q', '--no-progress'], { timeoutMs: 60_000 })).code).toBe(0);
    expect((await record(s.config, '99746507500015', 'F-2026-0101')).state).toBe('SUSPENDUE');
    const r = await reject(s.file, accepted, '--reason', 'x');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('was suspended by its finance SI (its status flow si-valmont/suspendre.xml');
    expect(r.stderr).toContain('that finance SI rejects it itself, with a 05 REJETEE status flow');
    expect((await record(s.config, '99746507500015', 'F-2026-0101')).state).toBe('SUSPENDUE');
  }, 60_000);

  it('usage problems: exit 2 (no IdCPRO of digits, no reason, a blank reason)', async () => {
    const cases: [string[], string][] = [
      [['F-2026-0101', '--reason', 'x'], '"F-2026-0101" is no IdCPRO: give the invoice\'s IdCPRO, an integer'],
      [[byPipeline], "required option '-r, --reason <text>' not specified"],
      [[byPipeline, '--reason', '   '], 'give --reason "<text>": it goes to the supplier\'s side with the rejection'],
    ];
    for (const [args, said] of cases) {
      const r = await reject(s.file, ...args);
      expect({ args, code: r.code, said: r.stderr.includes(said) }).toEqual({ args, code: 2, said: true });
    }
  }, 60_000);

  it('refused, nothing was changed nor written', async () => {
    expect(statutFlows(s.out, '05')).toEqual([]);
    expect(cdarFlows(s.out, '213')).toEqual([]);
    expect(rejections(await journalLines(s.out))).toEqual([]);
    expect((await record(s.config, '99746507500015', 'A-2026-0043')).state).toBe('SUSPENDUE');
  });
});

describe.each(['after-reject-lifecycle', 'after-reject-flows', 'after-reject-journal'])('reject killed (SIGKILL) at %s', (fault) => {
  it('run again, it finishes with one status flow of each kind and one journal line', async () => {
    const s = setUp();
    const idCpro = await suspendedOnDeposit(s, 'A-2026-0044');

    const killed = await cli(['reject', idCpro, '--reason', 'Engagement jamais fourni', '--config', s.file], { env: { CHORUS_FLUX_FAULT: fault }, timeoutMs: 60_000 });
    expect(killed.signal).toBe('SIGKILL');
    const cut = await record(s.config, '99746507500015', 'A-2026-0044');
    expect(cut.state).toBe('REJETEE');
    expect(cut.operatorRejection?.journaled).toBeUndefined();

    const again = await reject(s.file, idCpro, '--reason', 'un autre motif');
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
    expect(again.stdout).toContain('by a run cut short: what it owed is written now');
    expect(again.stdout).toContain('the reason given now is not used');

    expect(statutFlows(s.out, '05')).toHaveLength(1);
    expect(cdarFlows(s.out, '213')).toHaveLength(1);
    expect(xpath(path.join(s.out, statutFlows(s.out, '05')[0]), 'string(//Commentaire)')).toBe('Engagement jamais fourni');
    expect(listFiles(s.out).filter((f) => /\.tmp|\.cf-tmp/.test(path.basename(f)))).toEqual([]);
    const lines = rejections(await journalLines(s.out));
    expect(lines).toHaveLength(1);
    expect(lines[0].outputs.map((o) => o.path).sort()).toEqual([...statutFlows(s.out, '05'), ...cdarFlows(s.out, '213')].sort());
    expect((await record(s.config, '99746507500015', 'A-2026-0044')).operatorRejection?.journaled).toBe(true);

    const third = await reject(s.file, idCpro, '--reason', 'Engagement jamais fourni');
    expect(third.code).toBe(0);
    expect(third.stdout).toContain('was already rejected by the operator');
    expect(rejections(await journalLines(s.out))).toHaveLength(1);

    // the day reconciled: the flows known, nothing lost nor orphan
    await cli(['reconcile', '--date', today(), '--config', s.file, '-q'], { timeoutMs: 60_000 });
    const rep = report(s.out, today());
    expect(rep.anomalies).toEqual([]);
    expect(rep.outputs.orphan).toBe(0);
    expect(readdirSync(path.join(s.out, 'journal'))).toEqual([today()]);
  }, 180_000);
});

// seen while building `killfuzz --kill reject`: a kill while a flow was being written left its temp file in
// the partner's folder for good (only `run` and a worker's start swept the outboxes)
const KILL_IN_TEMP_WRITE = path.resolve(__dirname, '../helpers/kill-in-temp-write.js');

describe.each(['statut', 'cdar'])('reject killed (SIGKILL) while writing its %s flow, the temp file written, not renamed', (kind) => {
  it('run again, it finishes with one flow of each kind and no temp file left', async () => {
    const s = setUp();
    const idCpro = await suspendedOnDeposit(s, 'A-2026-0045');
    const temps = () => listFiles(s.out).filter((f) => /^(statut|cdar)\//.test(f) && path.basename(f).startsWith('.'));

    const env = { KILL_IN_TEMP_WRITE: `/${kind}/op-alpha/`, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${KILL_IN_TEMP_WRITE}`.trim() };
    const killed = await cli(['reject', idCpro, '--reason', 'Engagement jamais fourni', '--config', s.file], { env, timeoutMs: 60_000 });
    expect(killed.signal).toBe('SIGKILL');
    expect(temps()).toHaveLength(1);

    const again = await reject(s.file, idCpro, '--reason', 'Engagement jamais fourni');
    expect({ code: again.code, stderr: again.stderr }).toEqual({ code: 0, stderr: '' });
    expect(again.stdout).toContain('by a run cut short: what it owed is written now');
    expect(temps()).toEqual([]);
    expect(statutFlows(s.out, '05')).toHaveLength(1);
    expect(cdarFlows(s.out, '213')).toHaveLength(1);
    expect(rejections(await journalLines(s.out))).toHaveLength(1);
  }, 180_000);
});
