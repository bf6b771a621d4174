/**
 * Flow statuses a finance SI sends back about the pivots chorus-flux sent it (CPPFluxStatuts
 * in its CPPStatut): 92 received, 94 refused with its error lines, 96 partly integrated.
 *
 * They used to be read and dropped: the SI's file ended `status-applied` with nothing in the
 * journal, the log or the reconciliation, so a pivot the recipient's accounts refused (its
 * invoices never reached them) went unnoticed. Now each line is judged (code, moment, flow
 * named), matched to the pivot it names while that is still in the outbox, recorded on the
 * outcome line, logged (an error for a refusal), counted in `run`'s summary and on /metrics,
 * and listed by the reconciliation, which stays clean: nothing was lost on this side.
 */
import { readFileSync, readdirSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { createDeps } from '../../src/runner/deps';
import { runEmbedded } from '../../src/runner/embedded';
import { summaryTable } from '../../src/cli/summary';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { dayOf } from '../../src/util/clock';
import type { Config } from '../../src/config/config';
import { cli } from '../helpers/cli';
import { corpus, SCHEMAS } from '../helpers/corpus';
import { bundledConfig, FIXTURES_INBOX, runOnce, tempDir } from '../helpers/run';
import { siFlowStatusFlow } from '../helpers/statut';
import { validateFiles, validateStrings } from '../helpers/xsd';

const PAPETERIE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
const invoice = (i: number) => PAPETERIE.replace(/F-2026-0101/g, `F-2026-FS${i}`);

function drop(inbox: string, partner: string, name: string, content: string): void {
  mkdirSync(path.join(inbox, partner), { recursive: true });
  writeFileSync(path.join(inbox, partner, name), content);
}

/** A run whose log lines are kept. */
async function runLogged(inbox: string, config: Config) {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  const summary = await runEmbedded({ inbox, deps: createDeps(config, { logger }) });
  return { summary, lines };
}

describe('flow statuses from a finance SI', () => {
  it('are judged, matched to the pivots they name, journaled, logged, summed up and reconciled', async () => {
    const root = tempDir('cf-flow-statuses-');
    const config = bundledConfig(path.join(root, 'out'));
    const out = config.paths.out;
    const inbox0 = path.join(root, 'inbox-0');
    for (let i = 0; i < 3; i++) drop(inbox0, 'op-alpha', `f${i}.xml`, invoice(i));
    const first = await runOnce(inbox0, config);
    expect(first.results.map((r) => r.outcome)).toEqual(['accepted', 'accepted', 'accepted']);
    const pivots = readdirSync(path.join(out, 'pivot', 'VALM01')).sort();
    expect(pivots).toHaveLength(3);
    const idFlxOf = (name: string) => /^FEN0036A_CFX001_(.+)\.xml$/.exec(name)?.[1] as string;

    const acks = siFlowStatusFlow('SI-ACK-1', [
      // by flow id, as the pivot's IdFlx parameter says
      { idStatut: '92', idFlux: idFlxOf(pivots[0]), commentaire: 'Intégré' },
      // by file name, with the SI's error lines
      { idStatut: '94', idFlux: pivots[1], commentaire: 'Rejet à l’intégration', errors: [{ code: 'E042', libelle: 'Tiers inconnu du référentiel', description: 'SIRET 99746507500015' }] },
      { idStatut: '96', idFlux: idFlxOf(pivots[2]), commentaire: '1 facture sur 2 intégrée' },
      // a flow nobody here sent (or gone from the outbox): recorded, not matched
      { idStatut: '90', idFlux: 'INCONNU-0001' },
      // a name that would leave the outbox is never looked up
      { idStatut: '93', idFlux: '../../state/ids.json' },
      // a code that is no flow status: this line is refused, the others stand (96 back)
      { idStatut: '97', idFlux: idFlxOf(pivots[0]) },
    ]);
    // schema-valid but for the one value the XSD's enumeration refuses too (values are the rules' business)
    expect(validateStrings(SCHEMAS.statut, [acks])[0].errors).toEqual([expect.stringMatching(/'97' is not an element of the set/)]);
    const inbox1 = path.join(root, 'inbox-1');
    drop(inbox1, 'si-valmont', 'acquittements.xml', acks);
    // a file of refused lines only is refused whole (93 back)
    drop(inbox1, 'si-valmont', 'acquittements-illisibles.xml', siFlowStatusFlow('SI-ACK-2', [{ idStatut: 'OK', idFlux: idFlxOf(pivots[0]) }]));
    // AIFE's own sample of a flow status: an SI saying its software took the invoice in
    drop(inbox1, 'si-valmont', 'Example04-FactureStatut-ko.xml', readFileSync(corpus('chorus-samples/statut/Example04-FactureStatut-ko.xml'), 'utf8'));
    const { summary, lines } = await runLogged(inbox1, config);
    const aife = summary.results.find((x) => x.file.endsWith('Example04-FactureStatut-ko.xml'));
    expect([aife?.outcome, aife?.flows]).toEqual(['status-applied', [{ index: 0, idFlux: '1000000000', idStatut: '92', verdict: 'acknowledged', at: '2018-02-22T16:06:38', reason: 'La facture est bien reçue et prise en charge dans le logiciel ELISE.' }]]);
    expect(summary.failures).toEqual([]);
    const r = summary.results.find((x) => x.file.endsWith('acquittements.xml'));
    const whole = summary.results.find((x) => x.file.endsWith('illisibles.xml'));
    expect(r?.outcome).toBe('status-applied');
    expect(r?.flows).toEqual([
      { index: 0, idFlux: idFlxOf(pivots[0]), idStatut: '92', verdict: 'acknowledged', at: '2026-11-21T08:00:00+01:00', flow: `pivot/VALM01/${pivots[0]}`, reason: 'Intégré' },
      { index: 1, idFlux: pivots[1], idStatut: '94', verdict: 'rejected', at: '2026-11-21T08:00:00+01:00', flow: `pivot/VALM01/${pivots[1]}`, reason: 'Rejet à l’intégration | E042 Tiers inconnu du référentiel SIRET 99746507500015' },
      { index: 2, idFlux: idFlxOf(pivots[2]), idStatut: '96', verdict: 'partial', at: '2026-11-21T08:00:00+01:00', flow: `pivot/VALM01/${pivots[2]}`, reason: '1 facture sur 2 intégrée' },
      { index: 3, idFlux: 'INCONNU-0001', idStatut: '90', verdict: 'acknowledged', at: '2026-11-21T08:00:00+01:00' },
      { index: 4, idFlux: '../../state/ids.json', idStatut: '93', verdict: 'rejected', at: '2026-11-21T08:00:00+01:00' },
    ]);
    expect(r?.findings.map((f) => [f.rule, f.path])).toEqual([['CPRO-STATUT-CODE', '/CPPStatut/CPPFluxStatuts/CPPFluxStatutUnitaire[6]']]);
    // the SI is told which line was not taken, in a 96 that passes its XSD
    const told = (r?.outputs ?? []).filter((o) => o.kind === 'statut').map((o) => path.join(out, o.path));
    expect(told).toHaveLength(1);
    expect(readFileSync(told[0], 'utf8')).toMatch(/<IdStatut>96<\/IdStatut>[^]*CPRO-STATUT-CODE/);
    expect(validateFiles(SCHEMAS.statut, told).flatMap((v) => v.errors)).toEqual([]);
    expect([whole?.outcome, whole?.findings.map((f) => f.rule), whole?.flows]).toEqual(['refused', ['CPRO-STATUT-CODE'], undefined]);

    // the journal's outcome line carries them, as the result does
    const day = dayOf(new Date(), config.timezone);
    const journal = readdirSync(path.join(out, 'journal', day)).flatMap((f) => readFileSync(path.join(out, 'journal', day, f), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)));
    const line = journal.find((l) => l.event === 'outcome' && String(l.file).endsWith('acquittements.xml'));
    expect(line.flows).toEqual(r?.flows);

    // a refusal is an error in the log, naming the flow and the SI's words; an acknowledgement is info
    const errors = lines.filter((l) => l.level === 50 && typeof l.idFlux === 'string').map((l) => l.msg as string);
    expect(errors).toEqual([
      expect.stringMatching(new RegExp(`^partner si-valmont refused flow pivot/VALM01/${pivots[1].replace(/\./g, '\\.')}: 94 Erreur réception destinataire final — Rejet à l’intégration \\| E042 .*; its invoices need an operator$`)),
      expect.stringMatching(/^partner si-valmont integrated only part of flow pivot\/VALM01\/.*: 96 Reçu - intégration partielle — 1 facture sur 2 intégrée; its invoices need an operator$/),
      expect.stringMatching(/^partner si-valmont refused flow \.\.\/\.\.\/state\/ids\.json \(not in its outbox any more, or not one chorus-flux sent\): 93 Erreur réception/),
    ]);
    expect(lines.filter((l) => l.level === 30 && typeof l.idFlux === 'string' && l.idFlux !== '1000000000').map((l) => l.msg)).toEqual([
      `partner si-valmont acknowledged flow pivot/VALM01/${pivots[0]}: 92 Reçu destinataire final`,
      'partner si-valmont acknowledged flow INCONNU-0001 (not in its outbox any more, or not one chorus-flux sent): 90 Reçu',
    ]);
    // run's summary says it
    expect(summaryTable(summary)).toContain('flows sent, as their receivers say: 2 refused, 1 partly integrated, 3 acknowledged');

    // the reconciliation lists every refusal and stays clean
    const rec = await reconcileDay({ config, date: day, reportDir: path.join(root, 'reports') });
    // and the command says it, with the way to the invoices
    const said = await cli(['reconcile', '--date', day, '--out', out, '--reports', path.join(root, 'reports-cli')]);
    expect(said.code).toBe(0);
    expect(said.stdout).toContain('flows sent, as their receivers say: 3 acknowledged, 2 refused, 1 partly integrated');
    // where each refused flow came from, found again in the journal
    const sentOf = (name: string) => {
      const src = first.results.find((x) => x.outputs.some((o) => o.path === `pivot/VALM01/${name}`));
      const inv = src?.invoices[0];
      return { day, output: `pivot/VALM01/${name}`, file: src?.file, partner: 'op-alpha', sha256: src?.sha256, sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), invoiceCount: 1, invoices: [{ idCpro: inv?.idCpro, number: inv?.number, supplierId: inv?.supplierId }] };
    };
    const sent1 = sentOf(pivots[1]);
    expect(sent1.invoices[0].number).toMatch(/^F-2026-FS[0-2]$/);
    expect(said.stdout).toContain(
      `! si-valmont refused flow pivot/VALM01/${pivots[1]} (94: Rejet à l’intégration | E042 Tiers inconnu du référentiel SIRET 99746507500015) — its invoices need an operator: chorus-flux trace ${pivots[1]}\n` +
        `      written ${(rec.report?.flowStatuses.refusals.find((x) => x.idStatut === '94')?.sent?.sentAt ?? '?')} from ${sent1.file}; 1 invoice(s): ${sent1.invoices[0].number} IdCPRO ${sent1.invoices[0].idCpro}\n`,
    );
    expect(said.stdout).toContain("! si-valmont refused flow ../../state/ids.json (93) — its invoices need an operator: chorus-flux trace ../../state/ids.json\n      not found in the journal of the last 31 day(s) before the report's day: not a flow chorus-flux sent, or an older one (reconcile.flowLookbackDays)\n");
    const html = readFileSync(rec.files?.html ?? '?', 'utf8');
    expect(html).toContain('<h2>Flows sent, as their receivers say</h2><p>3 acknowledged, 2 refused, 1 partly integrated.</p>');
    expect(html).toContain(`<td>pivot/VALM01/${pivots[1]}<div class="sub">written `);
    expect(html).toMatch(new RegExp(`<td>pivot/VALM01/${pivots[1].replace(/\./g, '\\.')}<div class="sub">written [^<]*; 1 invoice\\(s\\): F-2026-FS[0-2] IdCPRO \\d+</div></td><td>94 refused`));
    expect([rec.report?.anomalies, rec.exitCode]).toEqual([[], 0]);
    const fs = rec.report?.flowStatuses;
    // sorted by partner, file and flow, as every list of the report
    expect(fs?.refusals.map((x) => x.idFlux)).toEqual([...(fs?.refusals ?? [])].map((x) => x.idFlux).sort());
    expect({ ...fs, refusals: [...(fs?.refusals ?? [])].sort((a, b) => a.idStatut.localeCompare(b.idStatut)) }).toEqual({
      acknowledged: 3,
      rejected: 2,
      partial: 1,
      lookbackDays: 31,
      refusals: [
        { partner: 'si-valmont', file: 'si-valmont/acquittements.xml', sha256: r?.sha256, idFlux: '../../state/ids.json', idStatut: '93', verdict: 'rejected', at: '2026-11-21T08:00:00+01:00' },
        { partner: 'si-valmont', file: 'si-valmont/acquittements.xml', sha256: r?.sha256, idFlux: pivots[1], idStatut: '94', verdict: 'rejected', at: '2026-11-21T08:00:00+01:00', flow: `pivot/VALM01/${pivots[1]}`, reason: 'Rejet à l’intégration | E042 Tiers inconnu du référentiel SIRET 99746507500015', sent: sent1 },
        { partner: 'si-valmont', file: 'si-valmont/acquittements.xml', sha256: r?.sha256, idFlux: idFlxOf(pivots[2]), idStatut: '96', verdict: 'partial', at: '2026-11-21T08:00:00+01:00', flow: `pivot/VALM01/${pivots[2]}`, reason: '1 facture sur 2 intégrée', sent: sentOf(pivots[2]) },
      ],
    });
  });
});
