/**
 * A flow a finance SI refuses has usually left its outbox by then (the SFTP transfer took it),
 * so the worker cannot match the refusal to it. The nightly report looks the flow up in the
 * journal of the last reconcile.flowLookbackDays days and names the output, the inbound file
 * and the invoices it carried: what an operator needs to send them again.
 */
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { reconcileDay } from '../../src/reconcile/reconcile-day';
import { findSentFlows, lookbackDays } from '../../src/reconcile/sent-flows';
import { fixedClock } from '../../src/util/clock';
import { bundledConfig, FIXTURES_INBOX, runOnce, tempDir } from '../helpers/run';
import { siFlowStatusFlow } from '../helpers/statut';

function drop(inbox: string, partner: string, name: string, content: string | Buffer): void {
  mkdirSync(path.join(inbox, partner), { recursive: true });
  writeFileSync(path.join(inbox, partner, name), content);
}

describe('refused flows in the reconciliation', () => {
  it('are found in the journal of earlier days once gone from their outbox, with the invoices they carried', async () => {
    const root = tempDir('cf-refused-flows-');
    const config = bundledConfig(path.join(root, 'out'));
    const out = config.paths.out;
    // 16 November: a UBL invoice and a pivot of three invoices (two accepted, to two recipients)
    const inbox0 = path.join(root, 'inbox-0');
    drop(inbox0, 'op-alpha', 'papeterie.xml', readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml')));
    mkdirSync(path.join(inbox0, 'op-beta'), { recursive: true });
    copyFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml'), path.join(inbox0, 'op-beta/laposte.xml'));
    const first = await runOnce(inbox0, config, { clock: fixedClock('2026-11-16T10:00:00Z') });
    expect(first.results.map((r) => r.outcome).sort()).toEqual(['accepted', 'partial']);
    const pivotsOf = (file: string) => first.results.find((r) => r.file === file)?.outputs.filter((o) => o.kind === 'pivot' && o.recepteurId === 'VALM01') ?? [];
    const [ubl] = pivotsOf('op-alpha/papeterie.xml');
    const [lp] = pivotsOf('op-beta/laposte.xml');
    expect([ubl?.path, lp?.path]).toEqual([expect.stringMatching(/^pivot\/VALM01\//), expect.stringMatching(/^pivot\/VALM01\//)]);
    // the SI's transfer takes them from the outbox
    rmSync(path.join(out, 'pivot'), { recursive: true });

    // 27 November: the SI refuses both (one by flow id, one by file name) and a flow nobody sent
    const idFlx = (p: string) => /_(CFX[0-9A-F]+)\.xml$/.exec(p)?.[1] as string;
    const inbox1 = path.join(root, 'inbox-1');
    drop(
      inbox1,
      'si-valmont',
      'refus.xml',
      siFlowStatusFlow('SI-REFUS-1', [
        { idStatut: '93', idFlux: idFlx(ubl.path), commentaire: 'Flux illisible' },
        { idStatut: '94', idFlux: path.basename(lp.path), commentaire: 'Tiers inconnu' },
        { idStatut: '95', idFlux: 'CFX00000000000000000000' },
      ]),
    );
    const second = await runOnce(inbox1, config, { clock: fixedClock('2026-11-27T09:00:00Z') });
    const flows = second.results[0]?.flows ?? [];
    // the worker could not tell which flows they were: not in the outbox any more
    expect(flows.map((f) => [f.idStatut, f.verdict, f.flow])).toEqual([
      ['93', 'rejected', undefined],
      ['94', 'rejected', undefined],
      ['95', 'rejected', undefined],
    ]);

    const at = fixedClock('2026-11-28T06:00:00Z');
    const rec = await reconcileDay({ config, date: '2026-11-27', reportDir: path.join(root, 'reports'), clock: at });
    expect([rec.exitCode, rec.report?.anomalies]).toEqual([0, []]);
    const refusals = rec.report?.flowStatuses.refusals ?? [];
    const byCode = (c: string) => refusals.find((r) => r.idStatut === c);
    const ublInv = first.results.find((r) => r.file === 'op-alpha/papeterie.xml')?.invoices[0];
    expect(byCode('93')?.sent).toEqual({
      day: '2026-11-16',
      output: ubl.path,
      file: 'op-alpha/papeterie.xml',
      partner: 'op-alpha',
      sha256: first.results.find((r) => r.file === 'op-alpha/papeterie.xml')?.sha256,
      sentAt: expect.stringMatching(/^2026-11-16T10:00:00/),
      invoiceCount: 1,
      invoices: [{ idCpro: ublInv?.idCpro, number: 'F-2026-0101', supplierId: ublInv?.supplierId }],
    });
    // the pivot of a multi-invoice flow carried only its recipient's invoice, not the file's three
    expect(byCode('94')?.sent).toMatchObject({ output: lp.path, file: 'op-beta/laposte.xml', invoiceCount: 1, invoices: [{ number: 'LP-2026-558812', idCpro: lp.idCpro?.[0] }] });
    expect(byCode('95')?.sent).toBeUndefined();
    const html = readFileSync(rec.files?.html ?? '?', 'utf8');
    expect(html).toContain(`<td>${ubl.path}<div class="sub">written 2026-11-16T10:00:00.000Z from op-alpha/papeterie.xml; 1 invoice(s): F-2026-0101 IdCPRO ${ublInv?.idCpro}</div></td>`);
    expect(html).toContain('<td>CFX00000000000000000000<div class="sub">not found in the journal of the last 31 day(s)');

    // a shorter look back does not reach the 16th: said, not guessed
    const short = await reconcileDay({ config: { ...config, reconcile: { ...config.reconcile, flowLookbackDays: 10 } }, date: '2026-11-27', write: false, clock: at });
    expect(short.report?.flowStatuses.refusals.map((r) => r.sent)).toEqual([undefined, undefined, undefined]);
    expect(short.report?.flowStatuses.lookbackDays).toBe(10);
    expect(lookbackDays('2026-11-27', 11).at(-1)).toBe('2026-11-16');
    // a path or a file name names the same flow as its id
    const found = await findSentFlows(path.join(out, 'journal'), [ubl.path, path.basename(ubl.path), idFlx(ubl.path)], lookbackDays('2026-11-27', 11));
    expect([...found.values()].map((s) => s.output)).toEqual([ubl.path, ubl.path, ubl.path]);
  });
});
