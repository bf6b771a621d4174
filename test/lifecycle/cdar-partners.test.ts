/**
 * Partners who asked for CDAR D22B get the lifecycle as CDAR messages — 200/203 on delivery,
 * 213 or 501 on refusal, 213 DOUBLON, 208 on suspension, 209 on completion toward the finance
 * SI — each valid against the CDAR D22B XSD and with no fatal failure under the BR-FR-CDV
 * schematron (Saxon-HE), alongside (or instead of) CPPStatut.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { bundledConfigPath, configFromObject } from '../../src/config/config';
import { createDeps } from '../../src/runner/deps';
import { runEmbedded } from '../../src/runner/embedded';
import { checkCdar } from '../cdar/oracle';
import { FIXTURES_INBOX, listFiles, runOnce, tempDir } from '../helpers/run';
import { siStatusFlow } from '../helpers/statut';
import { withAttachments } from '../helpers/ubl-attachments';
import { xpath } from '../helpers/xpath';

const PAPETERIE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
const BL_PDF = /<cbc:EmbeddedDocumentBinaryObject[^>]*>([^<]+)</.exec(readFileSync(path.join(FIXTURES_INBOX, 'op-beta/facture-e2-maintenance.xml'), 'utf8'))![1];

function drop(inbox: string, partner: string, name: string, content: string | Buffer): void {
  mkdirSync(path.join(inbox, partner), { recursive: true });
  writeFileSync(path.join(inbox, partner, name), content);
}

it('writes a valid CDAR message for every step of the lifecycle', async () => {
  const inbox = tempDir('cf-inbox-');
  const out = tempDir('cf-out-');
  const raw = JSON.parse(readFileSync(bundledConfigPath(), 'utf8'));
  for (const p of raw.partners) {
    if (p.id === 'op-alpha') Object.assign(p, { statusFormats: ['CDAR'], notifyAccepted: true });
    if (p.id === 'si-valmont') Object.assign(p, { statusFormats: ['CPPStatut', 'CDAR'] });
  }
  const config = configFromObject(raw, path.dirname(bundledConfigPath()), '(test)', { out });

  drop(inbox, 'op-alpha', '1-facture.xml', PAPETERIE);
  drop(inbox, 'op-alpha', '2-inconnu.xml', readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/destinataire-inconnu.xml')));
  drop(inbox, 'op-alpha', '3-vide.xml', '');
  await runOnce(inbox, config);
  drop(inbox, 'si-valmont', '4-suspendue.xml', siStatusFlow('SI-9', [{ supplierId: '99746507500015', buyerSiret: '21787789300016', idStatut: '06', idFacture: 'F-2026-0101', dateFacture: '2026-11-02', commentaire: 'Bon de livraison manquant' }]));
  await runOnce(inbox, config);
  drop(inbox, 'op-alpha', '5-completion.xml', withAttachments([{ id: 'BL', name: 'BL.pdf', mime: 'application/pdf', data: BL_PDF }]));
  await runOnce(inbox, config);
  drop(inbox, 'op-alpha', '6-doublon.xml', PAPETERIE.replace('Fournitures scolaires', 'Fournitures'));
  await runOnce(inbox, config);
  // statuses that are no refusal, with the SI's words: their reason code is the neutral AUTRE
  // (it was REJ_SEMAN, a rejection's code, on an approval)
  const status7 = { supplierId: '99746507500015', buyerSiret: '21787789300016', idFacture: 'F-2026-0101', dateFacture: '2026-11-02' };
  drop(inbox, 'si-valmont', '7-service-fait.xml', siStatusFlow('SI-10', [{ ...status7, idStatut: '07', commentaire: 'Service fait constaté le 3 décembre' }]));
  await runOnce(inbox, config);
  drop(inbox, 'si-valmont', '8-paiement.xml', siStatusFlow('SI-11', [{ ...status7, idStatut: '11', commentaire: 'Virement émis le 10 décembre' }]));
  await runOnce(inbox, config);

  const files = listFiles(out).filter((f) => f.startsWith('cdar/'));
  // op-alpha asked for CDAR only: no CPPStatut for it
  expect(listFiles(out).filter((f) => f.startsWith('statut/op-alpha/'))).toEqual([]);
  const status = (f: string) => xpath(path.join(out, f), "string(//*[local-name()='ReferenceReferencedDocument']/*[local-name()='ProcessConditionCode'])");
  const byStatus = new Map<string, string[]>();
  for (const f of files) byStatus.set(status(f), [...(byStatus.get(status(f)) ?? []), f]);
  expect([...byStatus.keys()].sort()).toEqual(['200', '203', '205', '208', '209', '211', '213', '501']);
  for (const code of ['205', '211']) {
    const [f] = byStatus.get(code)!;
    expect({ code, reason: xpath(path.join(out, f), "string(//*[local-name()='ReasonCode'])") }).toEqual({ code, reason: 'AUTRE' });
  }
  expect(byStatus.get('209')!.every((f) => f.startsWith('cdar/si-valmont/'))).toBe(true);
  expect(byStatus.get('208')!.every((f) => f.startsWith('cdar/op-alpha/'))).toBe(true);
  expect(byStatus.get('213')!.map((f) => xpath(path.join(out, f), "count(//*[local-name()='ReasonCode'][.='DOUBLON'])")).sort()).toEqual(['0', '1']);

  const docs = Object.fromEntries(files.map((f, k) => [`m${k}`, path.join(out, f)]));
  const results = checkCdar({}, docs);
  for (const [name, r] of results) {
    expect({ file: docs[name], xsd: r.xsdErrors, fatal: r.fatal }).toEqual({ file: docs[name], xsd: [], fatal: [] });
    expect(r.xsdValid).toBe(true);
  }
}, 120000);

it('tells a CDAR-only depositor of a refused invoice whose seller CDAR cannot name (501, not silence)', async () => {
  // a private-person supplier (TypeIdentifiant 7) has no identifier BR-FR-CDV-13 accepts: the
  // 213 cannot be written, and a partner that asked for CDAR only heard nothing of the refusal
  const inbox = tempDir('cf-inbox-');
  const out = tempDir('cf-out-');
  const raw = JSON.parse(readFileSync(bundledConfigPath(), 'utf8'));
  for (const p of raw.partners) if (p.id === 'op-beta') Object.assign(p, { statusFormats: ['CDAR'], notifyAccepted: false });
  const config = configFromObject(raw, path.dirname(bundledConfigPath()), '(test)', { out });
  const pivot = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml'), 'utf8').replace(
    /<TypeIdentifiant>1<\/TypeIdentifiant>\s*<Identifiant>35600000000010<\/Identifiant>/g,
    '<TypeIdentifiant>7</TypeIdentifiant><Identifiant>DURAND JEAN</Identifiant>',
  );
  expect(pivot).toContain('DURAND JEAN');
  drop(inbox, 'op-beta', 'particulier.xml', pivot);
  const run = await runOnce(inbox, config);
  expect(run.results.map((r) => r.outcome)).toEqual(['partial']);

  const files = listFiles(out).filter((f) => f.startsWith('cdar/') || f.startsWith('statut/'));
  expect(files).toHaveLength(1);
  expect(files[0]).toMatch(/^cdar\/op-beta\/CDV-501_Irrecevable_/);
  const file = path.join(out, files[0]);
  const x = (q: string) => xpath(file, `string(//*[local-name()='${q}'])`);
  expect([x('IssuerAssignedID'), x('ProcessConditionCode'), x('ReasonCode')]).toEqual(['LP-2026-558814', '501', 'IRR_SYNTAX']);
  expect(x('Reason')).toMatch(/^CPRO-DESTINATAIRE-INCONNU : /);
  // addressed to the depositor's platform by its status recepteur id
  expect(xpath(file, "string(//*[local-name()='ExchangedDocument']/*[local-name()='RecipientTradeParty']/*[local-name()='GlobalID'])")).toBe('OPBETA');
  const r = checkCdar({}, { m: file }).get('m')!;
  expect({ xsd: r.xsdErrors, fatal: r.fatal }).toEqual({ xsd: [], fatal: [] });
}, 120000);

it('names a seller outside the EU the same way at deposit and in the statuses its finance SI sends later', async () => {
  // a UBL seller in Switzerland with a VAT number: 200/203 named it 0227 "CHSwiss Precision",
  // the 205 built from the lifecycle record 0227 "CHE123456789" (the pivot's Fournisseur/Identifiant):
  // the depositor's platform could not match the approval to the invoice it knew
  const inbox = tempDir('cf-inbox-');
  const out = tempDir('cf-out-');
  const raw = JSON.parse(readFileSync(bundledConfigPath(), 'utf8'));
  for (const p of raw.partners) if (p.id === 'op-alpha') Object.assign(p, { statusFormats: ['CDAR'], notifyAccepted: true });
  const config = configFromObject(raw, path.dirname(bundledConfigPath()), '(test)', { out });
  const swiss = PAPETERIE.replace('<cbc:EndpointID schemeID="0009">99746507500015</cbc:EndpointID>', '<cbc:EndpointID schemeID="0088">7612345000004</cbc:EndpointID>')
    .replace('<cbc:IdentificationCode>FR</cbc:IdentificationCode>', '<cbc:IdentificationCode>CH</cbc:IdentificationCode>')
    .replace('<cbc:CompanyID>FR42997465075</cbc:CompanyID>', '<cbc:CompanyID>CHE123456789</cbc:CompanyID>')
    .replace('<cbc:CompanyID schemeID="0009">99746507500015</cbc:CompanyID>', '')
    .replace(/Papeterie Lemoine SAS/g, 'Swiss Precision Instruments SA');
  drop(inbox, 'op-alpha', 'swiss.xml', swiss);
  expect((await runOnce(inbox, config)).results.map((r) => r.outcome)).toEqual(['accepted']);
  const si = siStatusFlow('SI-CH', [{ supplierId: 'CHE123456789', buyerSiret: '21787789300016', idStatut: '07', idFacture: 'F-2026-0101', dateFacture: '2026-11-02', commentaire: 'Service fait' }]);
  drop(inbox, 'si-valmont', 'service-fait.xml', si.replace('<TypeIdentifiant>1</TypeIdentifiant>\n        <Identifiant>CHE', '<TypeIdentifiant>3</TypeIdentifiant>\n        <Identifiant>CHE'));
  expect((await runOnce(inbox, config)).results.find((r) => r.file.endsWith('service-fait.xml'))?.outcome).toBe('status-applied');

  const files = listFiles(out).filter((f) => f.startsWith('cdar/op-alpha/'));
  const seller = (f: string) => xpath(path.join(out, f), "string(//*[local-name()='ReferenceReferencedDocument']/*[local-name()='IssuerTradeParty']/*[local-name()='GlobalID'])");
  const status = (f: string) => xpath(path.join(out, f), "string(//*[local-name()='ProcessConditionCode'])");
  expect(files.map((f) => [status(f), seller(f)]).sort()).toEqual([
    ['200', 'CHE123456789'],
    ['203', 'CHE123456789'],
    ['205', 'CHE123456789'],
  ]);
  const results = checkCdar({}, Object.fromEntries(files.map((f, k) => [`m${k}`, path.join(out, f)])));
  for (const r of results.values()) expect({ xsd: r.xsdErrors, fatal: r.fatal }).toEqual({ xsd: [], fatal: [] });
}, 120000);

it('tells a CDAR-only depositor of a refused invoice that has no number (501 naming it by its file), not silence', async () => {
  // an invoice without BT-1 cannot be named in a 213 (MDT-87): the event was dropped without a
  // word, so a partner that asked for CDAR only never heard its file was refused
  const inbox = tempDir('cf-inbox-');
  const out = tempDir('cf-out-');
  const raw = JSON.parse(readFileSync(bundledConfigPath(), 'utf8'));
  for (const p of raw.partners) if (p.id === 'op-beta') Object.assign(p, { statusFormats: ['CDAR'], notifyAccepted: false });
  const config = configFromObject(raw, path.dirname(bundledConfigPath()), '(test)', { out });
  drop(inbox, 'op-beta', 'sans-numero.xml', PAPETERIE.replace('<cbc:ID>F-2026-0101</cbc:ID>', '<cbc:ID></cbc:ID>'));
  // a multi-invoice flow whose second invoice has no number (the third is refused too, by its number)
  const pivot = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml'), 'utf8').replace('<Id>LP-2026-558813</Id>', '<Id></Id>');
  drop(inbox, 'op-beta', 'pivot-sans-numero.xml', pivot);
  const run = await runOnce(inbox, config);
  expect(run.results.map((r) => [path.basename(r.file), r.outcome]).sort()).toEqual([
    ['pivot-sans-numero.xml', 'partial'],
    ['sans-numero.xml', 'refused'],
  ]);

  const files = listFiles(out).filter((f) => f.startsWith('cdar/'));
  const x = (f: string, q: string) => xpath(path.join(out, f), `string(//*[local-name()='ReferenceReferencedDocument']/*[local-name()='${q}'])`);
  expect(files.map((f) => [x(f, 'ProcessConditionCode'), x(f, 'IssuerAssignedID')]).sort()).toEqual([
    ['213', 'LP-2026-558814'],
    ['501', 'pivot-sans-numero.xml#2'],
    ['501', 'sans-numero.xml'],
  ]);
  const results = checkCdar({}, Object.fromEntries(files.map((f, k) => [`m${k}`, path.join(out, f)])));
  for (const r of results.values()) expect({ xsd: r.xsdErrors, fatal: r.fatal }).toEqual({ xsd: [], fatal: [] });
}, 120000);

it("addresses the statuses a finance SI sends later to the seller's electronic address its deposit's messages used", async () => {
  // a seller with a French routing address (BT-34, scheme 0225) of its own: the 200/203 went to
  // 0225 "997465075_FACTURES", the 205 built from the lifecycle record to the bare SIREN 0225
  // "997465075", an address its platform may not know: the approval went astray
  const inbox = tempDir('cf-inbox-');
  const out = tempDir('cf-out-');
  const raw = JSON.parse(readFileSync(bundledConfigPath(), 'utf8'));
  for (const p of raw.partners) if (p.id === 'op-alpha') Object.assign(p, { statusFormats: ['CDAR'], notifyAccepted: true });
  const config = configFromObject(raw, path.dirname(bundledConfigPath()), '(test)', { out });
  const routed = PAPETERIE.replace('<cbc:EndpointID schemeID="0009">99746507500015</cbc:EndpointID>', '<cbc:EndpointID schemeID="0225">997465075_FACTURES</cbc:EndpointID>');
  expect(routed).toContain('997465075_FACTURES');
  drop(inbox, 'op-alpha', 'adresse.xml', routed);
  expect((await runOnce(inbox, config)).results.map((r) => r.outcome)).toEqual(['accepted']);
  const line = { supplierId: '99746507500015', buyerSiret: '21787789300016', idFacture: 'F-2026-0101', dateFacture: '2026-11-02' };
  drop(inbox, 'si-valmont', 'service-fait.xml', siStatusFlow('SI-ADR', [{ ...line, idStatut: '07' }]));
  expect((await runOnce(inbox, config)).results.find((r) => r.file.endsWith('service-fait.xml'))?.outcome).toBe('status-applied');

  const files = listFiles(out).filter((f) => f.startsWith('cdar/op-alpha/'));
  const uri = (f: string) => xpath(path.join(out, f), "string(//*[local-name()='ExchangedDocument']/*[local-name()='RecipientTradeParty']/*[local-name()='URIUniversalCommunication']/*[local-name()='URIID'])");
  const status = (f: string) => xpath(path.join(out, f), "string(//*[local-name()='ProcessConditionCode'])");
  expect(files.map((f) => [status(f), uri(f)]).sort()).toEqual([
    ['200', '997465075_FACTURES'],
    ['203', '997465075_FACTURES'],
    ['205', '997465075_FACTURES'],
  ]);
  const results = checkCdar({}, Object.fromEntries(files.map((f, k) => [`m${k}`, path.join(out, f)])));
  for (const r of results.values()) expect({ xsd: r.xsdErrors, fatal: r.fatal }).toEqual({ xsd: [], fatal: [] });
}, 120000);

it("says in the log when a CDAR partner cannot be told of a suspension: the seller has no identifier CDAR accepts", async () => {
  // a private-person supplier (TypeIdentifiant 7) of an invoice suspended for its missing
  // engagement number: no 208 can name the seller (BR-FR-CDV-13), and the message was dropped
  // without a line in the log, so neither the CDAR-only depositor nor the operator knew
  const inbox = tempDir('cf-inbox-');
  const out = tempDir('cf-out-');
  const raw = JSON.parse(readFileSync(bundledConfigPath(), 'utf8'));
  for (const p of raw.partners) if (p.id === 'op-beta') Object.assign(p, { statusFormats: ['CDAR'], notifyAccepted: false });
  const config = configFromObject(raw, path.dirname(bundledConfigPath()), '(test)', { out });
  const pivot = readFileSync(path.join(FIXTURES_INBOX, 'op-beta/pivot-laposte-3-factures.xml'), 'utf8')
    .replace(/<TypeIdentifiant>1<\/TypeIdentifiant>\s*<Identifiant>35600000000010<\/Identifiant>/g, '<TypeIdentifiant>7</TypeIdentifiant><Identifiant>DURAND JEAN</Identifiant>')
    // the third invoice goes to the Lycée, which requires an engagement number, without one
    .replace('11921527500015', '19494032600011')
    .replace('<CodeService>COMPTA</CodeService>', '')
    .replace(/<Engagement>\s*<NumeroEngagement>SI-2026-0001<\/NumeroEngagement>\s*<\/Engagement>/, '');
  expect(pivot).not.toContain('SI-2026-0001');
  drop(inbox, 'op-beta', 'particulier.xml', pivot);
  const lines: { level: number; msg: string; status?: string; invoice?: string; partner?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  const run = await runEmbedded({ inbox, deps: createDeps(config, { logger }) });
  expect(run.results.map((r) => r.outcome)).toEqual(['accepted']);
  expect(run.results[0].invoices?.map((i) => i.outcome)).toEqual(['accepted', 'accepted', 'suspended']);

  expect(listFiles(out).filter((f) => f.startsWith('cdar/'))).toEqual([]);
  const told = lines.filter((l) => l.level === 40 && l.msg.startsWith('CDAR message not written'));
  expect(told.map((l) => [l.partner, l.status, l.invoice])).toEqual([['op-beta', '208', 'LP-2026-558814']]);
}, 120000);
