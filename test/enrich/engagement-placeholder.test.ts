/**
 * UBL's cac:OrderReference/cbc:ID is mandatory once the group is written: an invoice giving its
 * sales order reference (BT-14) and no purchase order writes "NA" there (EN 16931-3-2). That is
 * no numéro d'engagement: a recipient requiring one took "NA" for it (the invoice went out, with
 * NumeroEngagement NA) where the supplier should have been asked to complete it (SUSPENDU).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMAS } from '../helpers/corpus';
import { bundledConfig, FIXTURES_INBOX, runFileOnce, tempDir } from '../helpers/run';
import { validateFiles } from '../helpers/xsd';
import { ln, xpath } from '../helpers/xpath';

const BASE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
const ENGAGEMENT = '<cbc:ID>EJ-2026-000781</cbc:ID>';
const PLACEHOLDER = '<cbc:ID>NA</cbc:ID>\n    <cbc:SalesOrderID>CMD-77</cbc:SalesOrderID>';
/** The fixture addressed to the Lycée Jean Moulin, whose routing entry requires an engagement number. */
const LYCEE = BASE.replace(/21787789300016/g, '19494032600011').replace('<cbc:BuyerReference>FINANCES</cbc:BuyerReference>\n', '');

describe('an engagement number given as UBL\'s placeholder NA', () => {
  const root = tempDir('cf-engagement-na-');
  const config = bundledConfig(path.join(root, 'out'));
  const out = config.paths.out;
  let step = 0;
  const run = async (xml: string) => {
    const r = await runFileOnce(root, config, 'op-alpha', `f${++step}.xml`, xml);
    const files = (kind: string) => r.outputs.filter((o) => o.kind === kind).map((o) => path.join(out, o.path));
    return { r, pivot: files('pivot'), statut: files('statut') };
  };

  it('suspends the invoice for a recipient requiring one, then its completion goes out with the engagement', async () => {
    const na = LYCEE.replace(ENGAGEMENT, PLACEHOLDER).replace(/F-2026-0101/g, 'NA-1');
    const s = await run(na);
    expect(s.r.outcome).toBe('suspended');
    expect(s.pivot).toEqual([]);
    expect((s.r.invoices[0].findings ?? []).filter((f) => f.severity === 'fatal').map((f) => f.rule)).toEqual(['CPRO-ENGAGEMENT']);
    expect(validateFiles(SCHEMAS.statut, s.statut).flatMap((v) => v.errors)).toEqual([]);
    expect(xpath(s.statut[0], `string(${ln('DonneesStatut/IdStatut')})`)).toBe('06');
    expect(xpath(s.statut[0], `string(${ln('DonneesStatut/Commentaire')})`)).toContain('"NA" in OrderReference/ID is UBL\'s placeholder for no purchase order');

    const c = await run(LYCEE.replace(/F-2026-0101/g, 'NA-1'));
    expect(c.r.invoices[0].outcome).toBe('completed');
    expect(validateFiles(SCHEMAS.pivot, c.pivot).flatMap((v) => v.errors)).toEqual([]);
    expect(xpath(c.pivot[0], `string(${ln('Engagement/NumeroEngagement')})`)).toBe('EJ-2026-000781');
    expect(xpath(c.pivot[0], `string(${ln('DonneesFacture/Renvoi')})`)).toBe('Complétée');
  });

  it('writes no NumeroEngagement NA for a recipient that does not require one', async () => {
    const { r, pivot } = await run(BASE.replace(ENGAGEMENT, PLACEHOLDER).replace(/F-2026-0101/g, 'NA-2'));
    expect(r.outcome).toBe('accepted');
    expect(validateFiles(SCHEMAS.pivot, pivot).flatMap((v) => v.errors)).toEqual([]);
    expect(xpath(pivot[0], `count(${ln('Engagement/NumeroEngagement')})`)).toBe('0');
    expect(xpath(pivot[0], `string(${ln('Engagement/NumeroMarche')})`)).toBe('MARCHE-2025-014');
  });

  it('keeps a real purchase order reference', async () => {
    const { r, pivot } = await run(LYCEE.replace(/F-2026-0101/g, 'NA-3'));
    expect(r.outcome).toBe('accepted');
    expect(xpath(pivot[0], `string(${ln('Engagement/NumeroEngagement')})`)).toBe('EJ-2026-000781');
  });
});
