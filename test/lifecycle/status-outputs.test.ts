/**
 * Status outputs as a partner reads them (found by an audit of every CDAR and CPPStatut the
 * pipeline writes):
 * - a finance SI's status file refused whole (FLUX-SCHEMA) is answered by a CPPStatut 93, never
 *   by a CDAR 501 "Irrecevable" naming the file as if it were an invoice;
 * - a partner's `statusRecepteurId` names it in every flow it gets: the COMPLETEE named the
 *   recipient's recepteurId instead;
 * - the CDAR forwarding an SI's status is issued when the SI's file was received, the status
 *   keeping the SI's Horodatage (both were the SI's time);
 * - a reason cut inside an emoji upstream carries no lone surrogate (it came out as U+FFFD).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundledConfigPath, configFromObject } from '../../src/config/config';
import { cutReason } from '../../src/util/reason';
import { checkWellFormed } from '../../src/xml/well-formed';
import { FIXTURES_INBOX, listFiles, resultOf, runOnce, tempDir } from '../helpers/run';
import { siStatusFlow } from '../helpers/statut';
import { withAttachments } from '../helpers/ubl-attachments';
import { SCHEMAS } from '../helpers/corpus';
import { validateFiles } from '../helpers/xsd';
import { xpath } from '../helpers/xpath';

const PAPETERIE = readFileSync(path.join(FIXTURES_INBOX, 'op-alpha/facture-e1-papeterie.xml'), 'utf8');
const BL_PDF = /<cbc:EmbeddedDocumentBinaryObject[^>]*>([^<]+)</.exec(readFileSync(path.join(FIXTURES_INBOX, 'op-beta/facture-e2-maintenance.xml'), 'utf8'))![1];

function drop(inbox: string, partner: string, name: string, content: string | Buffer): void {
  mkdirSync(path.join(inbox, partner), { recursive: true });
  writeFileSync(path.join(inbox, partner, name), content);
}

function configWith(out: string) {
  const raw = JSON.parse(readFileSync(bundledConfigPath(), 'utf8'));
  for (const p of raw.partners) {
    if (p.id === 'op-alpha') Object.assign(p, { statusFormats: ['CPPStatut', 'CDAR'] });
    if (p.id === 'si-valmont') Object.assign(p, { statusFormats: ['CPPStatut', 'CDAR'], statusRecepteurId: 'SIVALX1' });
  }
  return configFromObject(raw, path.dirname(bundledConfigPath()), '(test)', { out });
}

it("a finance SI's statuses: its refused file gets no CDAR, its own recepteur id on the COMPLETEE, CDAR issued at receipt", async () => {
  const inbox = tempDir('cf-inbox-');
  const out = tempDir('cf-out-');
  const config = configWith(out);
  const ref = { supplierId: '99746507500015', buyerSiret: '21787789300016', idFacture: 'F-2026-0101', dateFacture: '2026-11-02' };

  drop(inbox, 'op-alpha', '1-facture.xml', PAPETERIE);
  expect(resultOf(await runOnce(inbox, config), 'op-alpha/1-facture.xml').outcome).toBe('accepted');
  drop(inbox, 'si-valmont', '2-suspendue.xml', siStatusFlow('SI-1', [{ ...ref, idStatut: '06', horodatage: '2026-11-20T10:00:00+01:00', commentaire: 'Bon de livraison manquant' }]));
  const s2 = resultOf(await runOnce(inbox, config), 'si-valmont/2-suspendue.xml');
  expect(s2.outcome).toBe('status-applied');
  const forwarded = s2.outputs.filter((o) => o.path.startsWith('cdar/op-alpha/'));
  expect(forwarded).toHaveLength(1);
  const cdar = path.join(out, forwarded[0].path);
  // the status happened at the SI's Horodatage; the message was made when its file came in (today, not 2026-11-20)
  expect(xpath(cdar, "string(//*[local-name()='AcknowledgementDocument']/*[local-name()='IssueDateTime'])")).toBe('20261120100000');
  expect(xpath(cdar, "string(//*[local-name()='ExchangedDocument']/*[local-name()='IssueDateTime'])")).not.toBe('20261120100000');

  drop(inbox, 'op-alpha', '3-completion.xml', withAttachments([{ id: 'BL', name: 'BL.pdf', mime: 'application/pdf', data: BL_PDF }]));
  const s3 = resultOf(await runOnce(inbox, config), 'op-alpha/3-completion.xml');
  expect(s3.invoices.map((i) => i.outcome)).toEqual(['completed']);
  const completee = s3.outputs.filter((o) => o.path.startsWith('statut/si-valmont/'));
  expect(completee).toHaveLength(1);
  expect(xpath(path.join(out, completee[0].path), 'string(//Enveloppe//Recepteur/Id)')).toBe('SIVALX1');

  // a status file with an element its XSD does not have: refused whole, a 93 back, no CDAR 501
  const cdarBefore = listFiles(out).filter((f) => f.startsWith('cdar/si-valmont/'));
  drop(inbox, 'si-valmont', '4-schema.xml', siStatusFlow('SI-2', [{ ...ref, idStatut: '07' }]).replace('<DonneesStatut>', '<DonneesStatut><Bogus/>'));
  const s4 = resultOf(await runOnce(inbox, config), 'si-valmont/4-schema.xml');
  expect(s4.outcome).toBe('refused');
  expect(s4.findings.map((f) => f.rule)).toEqual(['FLUX-SCHEMA']);
  expect(s4.kind).toBe('CPPStatut');
  expect(listFiles(out).filter((f) => f.startsWith('cdar/si-valmont/'))).toEqual(cdarBefore);
  const reply = s4.outputs.filter((o) => o.path.startsWith('statut/si-valmont/'));
  expect(reply).toHaveLength(1);
  expect(xpath(path.join(out, reply[0].path), 'string(//IdStatut)')).toBe('93');
  expect(validateFiles(SCHEMAS.statut, [...completee, ...reply].map((o) => path.join(out, o.path))).flatMap((v) => v.errors)).toEqual([]);
}, 120_000);

it('a reason never carries half a character', () => {
  expect(cutReason('near "aaa\ud83d"')).toBe('near "aaa"');
  expect(cutReason('\udc00x\ufffe\uffffy 😀')).toBe('xy 😀');
  const bad = checkWellFormed(Buffer.from(`<a>< ${'a'.repeat(27)}😀😀</a>`).toString('utf8'));
  expect(bad?.message).toBeDefined();
  expect(bad!.message).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
});
