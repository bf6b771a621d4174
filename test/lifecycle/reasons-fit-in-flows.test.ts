/**
 * What a status flow tells of several reasons at once, each cut at 300 characters (IPM4-009):
 * - a suspension for an engagement number AND an attachment both missing, for a recipient with a
 *   long name: both reasons joined whole were cut at 300 and the second was lost (the supplier
 *   never heard the attachment was missing);
 * - a multi-invoice flow's line names its invoice ("Facture <number> : …"): a number far too long
 *   (what CPRO-LONGUEUR-NUMERO refuses) filled the 300 characters before the reason.
 * Every output through the official oracle.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { outputOracle } from '../helpers/output-oracle';
import { FIXTURES_INBOX, resultOf, runFilesOnce, tempDir } from '../helpers/run';

const LYCEE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/avoir-e1-lycee.xml'), 'utf8');
const LAPOSTE = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml'), 'utf8');
const EXAMPLE = JSON.parse(readFileSync(path.resolve(__dirname, '../../config/example.json'), 'utf8'));
/** 72 characters, as a real establishment's full name can be */
const LONG_NAME = 'Lycée polyvalent régional Jean Moulin et section d’enseignement professionnel';

describe('reasons that share a status flow', () => {
  const root = tempDir('cf-reasons-fit-');
  const out = path.join(root, 'out');
  const configFile = path.join(root, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      ...EXAMPLE,
      paths: { out },
      partners: EXAMPLE.partners.map(({ inbox: _, ...p }: { inbox?: string }) => p),
      recipients: EXAMPLE.recipients.map((r: { recepteurId: string }) => (r.recepteurId === 'LYCJM01' ? { ...r, name: LONG_NAME, requiredAttachment: true } : r)),
    }),
  );
  const config = loadConfig(configFile);
  const run = async (partner: string, name: string, content: string) => resultOf(await runFilesOnce(root, config, [[partner, name, content]]), `${partner}/${name}`);
  const statutTo = (r: Awaited<ReturnType<typeof run>>, folder: string) =>
    r.outputs.filter((o) => o.kind === 'statut' && o.path.startsWith(`statut/${folder}/`)).map((o) => readFileSync(path.join(out, o.path), 'utf8')).join('\n');

  it('a suspension for two missing pieces tells both to the depositor', async () => {
    const noEngagementNoPj = LYCEE.replace(/\s*<cac:OrderReference>\s*<cbc:ID>BC-LYC-2026-112<\/cbc:ID>\s*<\/cac:OrderReference>/, '');
    expect(noEngagementNoPj).not.toContain('OrderReference');
    const r = await run('op-alpha', 'lycee.xml', noEngagementNoPj);
    expect([r.outcome, r.findings.map((f) => f.rule).sort()]).toEqual(['suspended', ['CPRO-ENGAGEMENT', 'CPRO-PJ-REQUISE']]);
    const told = statutTo(r, 'op-alpha');
    expect(told).toContain('<IdStatut>06</IdStatut>');
    expect(told).toContain('requires an engagement number');
    expect(told).toContain('requires a complementary attachment (BG-24)');
  }, 30_000);

  it("a multi-invoice flow's line for an invoice number far too long still says the rule's facts", async () => {
    const longNumber = `LP-${'9'.repeat(397)}`;
    const r = await run('op-beta', 'laposte.xml', LAPOSTE.replace('<Id>LP-2026-558813</Id>', `<Id>${longNumber}</Id>`));
    expect([r.outcome, r.findings.map((f) => f.rule)]).toEqual(['partial', expect.arrayContaining(['CPRO-LONGUEUR-NUMERO'])]);
    const told = statutTo(r, 'op-beta');
    expect(told).toContain('<IdStatut>96</IdStatut>');
    expect(told).toMatch(/Facture LP-9{17}… : The invoice number \(BT-1, DonneesFacture\/Id\) is at most 20 characters in the CPPFacturePivot V2_02; it has 400/);
  }, 30_000);

  it('every output passes the official oracle', async () => {
    const report = await outputOracle(out, { facturx: config.facturx?.enabled ?? false, statusFormats: Object.fromEntries(config.partners.map((p) => [p.id, [...p.statusFormats]])) });
    expect(report.problems).toEqual([]);
  }, 120_000);
});
