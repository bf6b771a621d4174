/**
 * Writes docs/MAPPING.md from the mapping tables themselves (the pivot tree, the payment
 * means table, the attachment categories), so the documentation cannot drift from the code.
 * `npm run docs:mapping` regenerates it; a test fails when the committed file is stale.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import categories from '../../schemas/attachment-categories.json';
import paymentMeans from '../../schemas/payment-means.json';
import { PIVOT_INVOICE, type PNode } from '../emit/pivot/mapping';
import { projectRoot } from '../util/project-root';

function rows(nodes: PNode<never>[] | PNode<unknown>[], prefix: string, out: string[]): void {
  for (const n of nodes as PNode<unknown>[]) {
    const p = `${prefix}/${n.el}`;
    if (n.kind === 'leaf') out.push(`| \`${p}\` | ${n.required ? 'yes' : ''} | ${n.from} |`);
    else {
      out.push(`| \`${p}\`${n.kind === 'repeat' ? ' (repeated)' : ''} | | ${n.from} |`);
      rows(n.children as PNode<unknown>[], p, out);
    }
  }
}

export function mappingMarkdown(): string {
  const out: string[] = [];
  out.push('# EN 16931 → CPPFacturePivot V2_02 mapping');
  out.push('');
  out.push('Generated from `src/emit/pivot/mapping.ts`, `schemas/payment-means.json` and');
  out.push('`schemas/attachment-categories.json` by `npm run docs:mapping`. Do not edit by hand.');
  out.push('');
  out.push('Amounts are written exactly as the source wrote them (decimal strings, no float arithmetic).');
  out.push('"required" elements are always written; validation refuses an invoice before emission when');
  out.push('one of them would be empty.');
  out.push('');
  out.push('## Envelope');
  out.push('');
  out.push('| pivot | value |');
  out.push('|---|---|');
  out.push('| `Enveloppe/…/ParametreIndiv[Code=DtPrd]` | day the inbound file was received (configured time zone) |');
  out.push('| `Enveloppe/…/ParametreIndiv[Code=IdFlx]` | `CFX` + 21 hex digits derived from the inbound file SHA-256, the route and the invoices: unique, and the same when the same file is processed again |');
  out.push('| `Enveloppe/…/ParametreIndiv[Code=CSMOE]` | the MOE code service, works invoices routed to a MOE only (project convention, IPM4-043) |');
  out.push('| `Partenaires/Recepteur/Id` | `recepteurId` of the routing-table entry matching the buyer SIRET (or the MOE\'s) |');
  out.push('| `Partenaires/Emetteur/Id` | `emitter.id` of the configuration |');
  out.push('');
  out.push('Output file: `pivot/<Recepteur Id>/FEN0036A_<Emetteur Id>_<IdFlx>.xml`.');
  out.push('');
  out.push('## Invoice (`CPPFactures/CPPFacturePivotUnitaire`)');
  out.push('');
  out.push('| pivot element | always written | source (EN 16931 business term or rule) |');
  out.push('|---|---|---|');
  rows(PIVOT_INVOICE, '', out);
  out.push('');
  out.push('## BT-81 payment means → `ModePaiement/Code`');
  out.push('');
  out.push(`The pivot accepts ${Object.keys(paymentMeans.pivotCodes).join(', ')}. Codes missing from this table map to ${paymentMeans.default}.`);
  out.push('');
  out.push('| UNTDID 4461 | meaning | pivot code |');
  out.push('|---|---|---|');
  for (const [code, m] of Object.entries(paymentMeans.map)) out.push(`| ${code} | ${m.untdid} | ${m.pivot} (${(paymentMeans.pivotCodes as Record<string, string>)[m.pivot]}) |`);
  out.push('');
  out.push('## Invoice notes (BG-1)');
  out.push('');
  out.push('- The pivot V2_02 has no element for an invoice note: `DonneesFacture` has none, the `Note` of');
  out.push('  `Enveloppe`/`Partenaires` is about the flow and `Commentaire` belongs to the validation cycle.');
  out.push('  The notes (BT-21 subject code, BT-22 text, and the line notes BT-127) reach the finance SI in');
  out.push('  the invoice document (`TypePJ` 01: the inbound XML or PDF, as sent) and in the generated');
  out.push('  Factur-X (`DUPLICATA_FACTUR-X`): `ram:IncludedNote` (`Content`, `SubjectCode`), every note,');
  out.push('  whole (no pivot length applies), and on its pages, each line of a note on its own line');
  out.push('  (at most 5,000 characters of one note drawn, then `[…]`; the XML has it whole).');
  out.push('- UBL has no subject code element: BT-21 is the prefix of `cbc:Note`, `#AAB#Pas d\'escompte`');
  out.push('  (the form the French rules BR-FR-05/06 read). A note that starts with `#` + a UNCL 4451 code');
  out.push('  (the BR-CL-08 list) + `#`, followed by text, is read as subject code and text; any other note');
  out.push('  (`Ordered through our website#Ordering information`, an unknown code) is text as written.');
  out.push('  A CII note keeps its `ram:SubjectCode`; its several `ram:Content` (D16B allows them, EN 16931 and');
  out.push('  Factur-X have one) are one text, one per line.');
  out.push('');
  out.push('## Attachments (IPM4-001)');
  out.push('');
  out.push('- `TypePJ` 01 is the invoice document itself: the PDF of an E2 flow (the first embedded PDF —');
  out.push('  a PDF by its bytes, whatever its declared type or name — whose `cbc:DocumentTypeCode` is an');
  out.push('  invoice or credit-note code of UNTDID 1001, or the first embedded PDF of an invoice without');
  out.push('  lines), the inbound PDF of a Factur-X flow, or — for E1 and CII flows — the inbound XML');
  out.push('  itself — left out when over the attachment limit and the pivot carries its Factur-X (warning');
  out.push('  CPRO-PJ-FACTURE, README). One per invoice; everything else is 02. The generated Factur-X is 02 with');
  out.push(`  category \`${categories.facturx}\`.`);
  out.push('- `MimeTypePJ` comes from the content (magic bytes, `schemas/mime-magic.json`); a declared');
  out.push('  `mimeCode` that disagrees gives warning CPRO-PJ-MIME and the content wins — in a Factur-X');
  out.push('  that holds the bytes too (BT-125 `mimeCode`, `chorus-flux facturx`), where the content\'s type is one EN 16931 allows (BR-CL-24), else the');
  out.push('  declared one, else (a CII may leave it out) the file name\'s extension\'s.');
  out.push('- `NomPJ`: the file name reduced to letters, digits, `.`, `-`, `_` (accents folded), at most 50');
  out.push('  characters with its extension — the content\'s when the given one is not allowed by Chorus Pro or');
  out.push('  contradicts the bytes (a PNG named `photo.pdf` is `photo.png`) —, made unique within the invoice (`_2`, `_3`…). A name');
  out.push('  never becomes a path.');
  out.push('- `NomPJOrigine`: the name as sent, control characters removed, at most 50 characters with its extension;');
  out.push('  not for the invoice document (TypePJ 01), as the V2_02 XSD says ("sauf facture originale").');
  out.push('- A longer name loses its middle (`_` in `NomPJ`, `…` in `NomPJOrigine`): its start and its end,');
  out.push('  where the number that tells two documents apart often is, are kept, each cut between whole characters');
  out.push('  (never an accent without its letter, nor part of an emoji). Only the clusters near each end are');
  out.push('  looked at: a name of a megabyte (a value may be up to 1 MB) is cut as fast as a short one');
  out.push('  (segmenting it whole made `run` grow past 14 GB).');
  out.push('- A supporting document given by its reference alone (BT-122, no content, no address) is no `PJ`.');
  out.push('- A document attached to an invoice line (UBL `cac:InvoiceLine/cac:DocumentReference/cac:Attachment`,');
  out.push('  CII line `ram:AdditionalReferencedDocument` with bytes or an address) is no `PJ` either: EN 16931 has');
  out.push('  supporting documents at document level only (UBL-CR-544); warning CPRO-PJ-LIGNE names it.');
  out.push('');
  out.push('### `CategoriePJ`');
  out.push('');
  out.push(`The invoice document: "${categories.invoiceDocument.pdf}" (PDF) or "${categories.invoiceDocument.other}". Then, first match wins:`);
  out.push('');
  out.push('| by `cbc:DocumentTypeCode` | category |');
  out.push('|---|---|');
  for (const r of categories.byTypeCode) out.push(`| ${r.codes.join(', ')} | ${r.category} |`);
  out.push('');
  out.push('| keywords in the description or file name (accents and case ignored) | category |');
  out.push('|---|---|');
  for (const r of categories.byKeyword) out.push(`| ${r.keywords.join(', ')} | ${r.category} |`);
  out.push(`| (none) | ${categories.default} |`);
  out.push('');
  return out.join('\n');
}

if (require.main === module) {
  const file = path.join(projectRoot(), 'docs', 'MAPPING.md');
  writeFileSync(file, mappingMarkdown());
  process.stdout.write(`wrote ${file}\n`);
}
