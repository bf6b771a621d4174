/**
 * The embedded runner over the bundled fixtures: every file ends in exactly one outcome,
 * every pivot and status flow validates against the official XSD, the journal records
 * each step, and a second run over the same inbox emits nothing new.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readJournalDay, type JournalLine } from '../../src/journal/journal';
import { dayOf } from '../../src/util/clock';
import { SCHEMAS } from '../helpers/corpus';
import { bundledConfig, FIXTURES_INBOX, listFiles, runOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';

const EXPECTED: Record<string, { outcome: string; rules?: string[] }> = {
  'op-alpha/avoir-e1-lycee.xml': { outcome: 'accepted' },
  'op-alpha/decompte-travaux-a4.xml': { outcome: 'accepted' },
  'op-alpha/destinataire-inconnu.xml': { outcome: 'refused', rules: ['CPRO-DESTINATAIRE-INCONNU'] },
  'op-alpha/facture-e1-papeterie.xml': { outcome: 'accepted' },
  'op-beta/facture-cii-hopital.xml': { outcome: 'accepted' },
  'op-beta/facture-e2-maintenance.xml': { outcome: 'accepted' },
  'op-beta/pivot-laposte-3-factures.xml': { outcome: 'partial', rules: ['CPRO-DESTINATAIRE-INCONNU'] },
  'op-gamma/binaire.bin': { outcome: 'refused', rules: ['FLUX-ENCODING'] },
  'op-gamma/milliard-de-rires.xml': { outcome: 'refused', rules: ['FLUX-DTD'] },
  'op-gamma/racine-inconnue.xml': { outcome: 'refused', rules: ['FLUX-ROOT'] },
  'op-gamma/tronque.xml': { outcome: 'refused', rules: ['FLUX-MALFORMED'] },
  'op-gamma/vide.xml': { outcome: 'refused', rules: ['FLUX-EMPTY'] },
  'op-gamma/xxe-entite-externe.xml': { outcome: 'refused', rules: ['FLUX-DTD'] },
};

describe('run over fixtures/inbox', () => {
  const out = tempDir();
  const config = bundledConfig(out);
  let first: Awaited<ReturnType<typeof runOnce>>;
  let lines: JournalLine[];

  beforeAll(async () => {
    first = await runOnce(FIXTURES_INBOX, config);
    lines = (await readJournalDay(path.join(out, 'journal'), dayOf(new Date(), config.timezone))).lines;
  });

  it('gives every file exactly one outcome, the expected one', () => {
    expect(first.failures).toEqual([]);
    const got = Object.fromEntries(first.results.map((r) => [r.file, r.outcome]));
    expect(got).toEqual(Object.fromEntries(Object.entries(EXPECTED).map(([f, e]) => [f, e.outcome])));
  });

  it('refuses bad input with the rule id, keeps the original untouched with a reason', () => {
    for (const r of first.results) {
      const want = EXPECTED[r.file].rules;
      if (!want) continue;
      expect(r.findings.filter((f) => f.severity === 'fatal').map((f) => f.rule)).toEqual(expect.arrayContaining(want));
      if (r.outcome !== 'refused') continue;
      const kept = r.outputs.find((o) => o.kind === 'error');
      expect(kept).toBeDefined();
      expect(readFileSync(path.join(out, kept!.path))).toEqual(readFileSync(path.join(FIXTURES_INBOX, r.file)));
      const reason = JSON.parse(readFileSync(path.join(out, `${kept!.path}.reason.json`), 'utf8'));
      expect(reason.findings.map((f: { rule: string }) => f.rule)).toEqual(expect.arrayContaining(want));
    }
  });

  it('archives every accepted original byte for byte', () => {
    for (const r of first.results.filter((x) => x.outcome === 'accepted' || x.outcome === 'partial')) {
      const kept = r.outputs.find((o) => o.kind === 'archive');
      expect(readFileSync(path.join(out, kept!.path))).toEqual(readFileSync(path.join(FIXTURES_INBOX, r.file)));
    }
  });

  it('emits pivots that validate against CPPFacturePivot_V2_02.xsd', () => {
    const pivots = listFiles(out).filter((f) => f.startsWith('pivot/')).map((f) => path.join(out, f));
    expect(pivots.length).toBe(7);
    for (const r of validateFiles(SCHEMAS.pivot, pivots)) expect(r).toEqual({ file: r.file, valid: true, errors: [] });
  });

  it('emits status flows that validate against CPPStatutPivot_V1_19.xsd', () => {
    const flows = listFiles(out).filter((f) => f.startsWith('statut/')).map((f) => path.join(out, f));
    expect(flows.length).toBeGreaterThanOrEqual(8);
    for (const r of validateFiles(SCHEMAS.statut, flows)) expect(r).toEqual({ file: r.file, valid: true, errors: [] });
  });

  it('partial integration of a multi-invoice pivot: valid invoices go on, 96 + 05 for the bad one', () => {
    const r = first.results.find((x) => x.file === 'op-beta/pivot-laposte-3-factures.xml')!;
    expect(r.invoices.map((i) => i.outcome)).toEqual(['accepted', 'accepted', 'refused']);
    const statut = r.outputs.filter((o) => o.kind === 'statut').map((o) => path.join(out, o.path));
    const flux = statut.find((f) => xpath(f, "string(//*[local-name()='CPPFluxStatutUnitaire']//*[local-name()='IdStatut'])") === '96');
    expect(flux).toBeDefined();
    const inv = statut.find((f) => xpath(f, "string(//*[local-name()='CPPFactureStatutUnitaire']//*[local-name()='IdStatut'])") === '05');
    expect(inv).toBeDefined();
    expect(xpath(inv!, "string(//*[local-name()='IdFacture'])")).toBe('LP-2026-558814');
  });

  it('routes the works invoice (cadre A4) to the MOE with CSMOE and DateMiseADispositionMOE', () => {
    const r = first.results.find((x) => x.file === 'op-alpha/decompte-travaux-a4.xml')!;
    const pivot = path.join(out, r.outputs.find((o) => o.kind === 'pivot')!.path);
    expect(pivot).toContain(`${path.sep}MOEMOR01${path.sep}`);
    expect(xpath(pivot, "string(//ParametreIndiv[Code='CSMOE']/Valeurparametre)")).toBe('MOE01');
    expect(xpath(pivot, 'string(//DateMiseADispositionMOE)')).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('journals received and outcome for every file, with contiguous sequence numbers', () => {
    for (const r of first.results) {
      expect(lines.filter((l) => l.event === 'received' && l.sha256 === r.sha256)).toHaveLength(1);
      expect(lines.filter((l) => l.event === 'outcome' && l.sha256 === r.sha256)).toHaveLength(1);
    }
    const seqs = lines.map((l) => l.seq);
    expect(seqs).toEqual(seqs.map((_, k) => k + 1));
  });

  it('run twice: the second run emits nothing and reports every file as already processed', async () => {
    const before = listFiles(out, ['journal', 'logs']).map((f) => [f, readFileSync(path.join(out, f)).toString('base64')]);
    const second = await runOnce(FIXTURES_INBOX, config);
    expect(second.failures).toEqual([]);
    expect(second.results.map((r) => r.outcome)).toEqual(second.results.map(() => 'already-processed'));
    expect(second.results).toHaveLength(first.results.length);
    const after = listFiles(out, ['journal', 'logs']).map((f) => [f, readFileSync(path.join(out, f)).toString('base64')]);
    expect(after).toEqual(before);
  });
});
