/**
 * A status line that names an invoice number its supplier used more than once (other years),
 * without DateFacture: only the invoices the sender may change count. A partner that is the
 * finance SI of none of them is refused CPRO-STATUT-EMETTEUR, and learns neither how many
 * there are nor when they were issued (an operator's probe was told "2 invoices … exist
 * (issued 2026-11-02, 2025-11-02)"); a finance SI whose recipient has one of them gets its
 * status applied to that one, where it was refused as ambiguous because of another SI's invoice.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundledConfig, FIXTURES_INBOX, runOnce, tempDir } from '../helpers/run';
import { siStatusFlow } from '../helpers/statut';
import { SCHEMAS } from '../helpers/corpus';
import { validateFiles } from '../helpers/xsd';

const PAPETERIE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
const SUPPLIER = '99746507500015';
const VALMONT = '21787789300016';
const LYCEE = '19494032600011';

function drop(inbox: string, partner: string, name: string, content: string): void {
  mkdirSync(path.join(inbox, partner), { recursive: true });
  writeFileSync(path.join(inbox, partner, name), content);
}

const issued = (year: string, buyer = VALMONT) =>
  PAPETERIE.replace(/2026-(1[12])-02/g, `${year}-$1-02`).replace(/21787789300016/g, buyer).replace('Commune de Valmont-sur-Loire', buyer === VALMONT ? 'Commune de Valmont-sur-Loire' : 'Lycée Jean Moulin');

it('counts only the invoices the sender may change when a status line names a number used in several years', async () => {
  const inbox = tempDir('cf-inbox-');
  const out = tempDir('cf-out-');
  const config = bundledConfig(out);
  drop(inbox, 'op-alpha', 'f2026.xml', issued('2026'));
  drop(inbox, 'op-alpha', 'f2025-lycee.xml', issued('2025', LYCEE));
  drop(inbox, 'op-alpha', 'f2024.xml', issued('2024'));
  expect((await runOnce(inbox, config)).results.map((r) => r.outcome)).toEqual(['accepted', 'accepted', 'accepted']);
  const run = async (partner: string, name: string, idStatut: string) => {
    drop(inbox, partner, name, siStatusFlow(name, [{ supplierId: SUPPLIER, buyerSiret: VALMONT, idStatut, idFacture: 'F-2026-0101' }]));
    return (await runOnce(inbox, config)).results.find((r) => r.file === `${partner}/${name}`)!;
  };

  // an operator probing: refused as not the finance SI, told nothing of the invoices
  const probe = await run('op-gamma', 'probe.xml', '10');
  expect([probe.outcome, probe.findings.map((f) => f.rule)]).toEqual(['refused', ['CPRO-STATUT-EMETTEUR']]);
  const back = probe.outputs.filter((o) => o.kind === 'statut').map((o) => readFileSync(path.join(out, o.path), 'utf8')).join('\n');
  expect(back).toContain('CPRO-STATUT-EMETTEUR');
  expect(back).not.toMatch(/202[456]-11-02|invoices F-2026-0101/);

  // Valmont's SI holds two of them (2026, 2024): ambiguous, naming only those two
  const valmont = await run('si-valmont', 'valmont.xml', '07');
  expect(valmont.findings.map((f) => f.rule)).toEqual(['CPRO-STATUT-AMBIGU']);
  expect(valmont.findings[0].message).toMatch(/2 invoices F-2026-0101 of supplier \d+ exist \(issued 202[46]-11-02, 202[46]-11-02\)/);
  expect(valmont.findings[0].message).not.toContain('2025');

  // the Lycée's SI holds one of them: its status applies to that one
  const lycee = await run('LYCJM01', 'lycee.xml', '07');
  expect(lycee.outcome).toBe('status-applied');
  expect(lycee.invoices.map((i) => [i.outcome, i.state])).toEqual([['status', 'SERVICE_FAIT']]);
  const forwarded = lycee.outputs.filter((o) => o.kind === 'statut' && o.path.startsWith('statut/op-alpha/'));
  expect(forwarded).toHaveLength(1);
  const xml = readFileSync(path.join(out, forwarded[0].path), 'utf8');
  expect(xml).toContain('<DateFacture>2025-11-02</DateFacture>');
  expect(validateFiles(SCHEMAS.statut, [path.join(out, forwarded[0].path)]).map((r) => r.errors)).toEqual([[]]);
}, 120000);
