/**
 * The element structure of UBL, CII, pivot and CPPStatut inputs against the official XSDs
 * (transform/validate/structure): the tables are the XSDs' own (rebuilt from the corpus
 * here), the official examples keep to them, and on seeded structural mutations of those
 * examples — an element dropped, doubled, moved, unknown, text among elements, an element in
 * a text — the check refuses exactly the documents xmllint refuses with the official schema.
 * Then the pipeline: such a flux is refused as FLUX-SCHEMA, with the line, where it used to
 * be accepted and forwarded to the finance system with its original.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { buildCii, buildPivot, buildStatut, buildUbl, STRUCTURE_FILES } from '../../src/transform/validate/structure/build-content-model';
import { checkStructure } from '../../src/transform/validate/structure/structure';
import { STRUCTURE } from '../../src/transform/validate/structure/models';
import { parseFlux } from '../../src/transform/parse/flux';
import { FluxError } from '../../src/model/flux-error';
import { liftBlobs } from '../../src/xml/document';
import { prng } from '../helpers/hostile';
import { validateStrings } from '../helpers/xsd';
import { serializeStatut } from '../../src/emit/statut/serialize';

const CORPUS = path.resolve(__dirname, '../../../shared/corpus');
const SCHEMAS = path.join(CORPUS, 'schemas');
const XSD = {
  UBL_INVOICE: path.join(SCHEMAS, 'ubl-2.1/maindoc/UBL-Invoice-2.1.xsd'),
  UBL_CREDIT_NOTE: path.join(SCHEMAS, 'ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd'),
  CII: path.join(SCHEMAS, 'cii-d16b/CrossIndustryInvoice_100pD16B.xsd'),
  PIVOT: path.join(SCHEMAS, 'chorus/CPPFacturePivot_V2_02.xsd'),
  STATUT: path.join(SCHEMAS, 'chorus/CPPStatutPivot_V1_19.xsd'),
};

interface Example {
  file: string;
  text: string;
  family: 'UBL' | 'CII' | 'PIVOT' | 'STATUT';
  xsd: string;
}

function examples(): Example[] {
  const out: Example[] = [];
  for (const [dir, family] of [['ubl-examples', 'UBL'], ['cii-examples', 'CII']] as const) {
    for (const f of readdirSync(path.join(CORPUS, 'en16931', dir)).filter((n) => /\.xml$/i.test(n)).sort()) {
      const text = readFileSync(path.join(CORPUS, 'en16931', dir, f), 'utf8');
      const xsd = family === 'CII' ? XSD.CII : /<(\w+:)?CreditNote[\s>]/.test(text.slice(0, 2000)) ? XSD.UBL_CREDIT_NOTE : XSD.UBL_INVOICE;
      out.push({ file: f, text, family, xsd });
    }
  }
  // the pivots a partner may send: AIFE's samples and the project's La Poste fixture
  const pivots = path.join(CORPUS, 'chorus-samples', 'pivot');
  for (const f of readdirSync(pivots).sort()) out.push({ file: f, text: readFileSync(path.join(pivots, f), 'utf8'), family: 'PIVOT', xsd: XSD.PIVOT });
  const laPoste = path.resolve(__dirname, '../../fixtures/inbox/op-beta/pivot-laposte-3-factures.xml');
  out.push({ file: path.basename(laPoste), text: readFileSync(laPoste, 'utf8'), family: 'PIVOT', xsd: XSD.PIVOT });
  // the status flows a finance SI sends: AIFE's samples (Example03's Horodatage, a month 15,
  // is a value error: put right, as values are not this check's business) and flow statuses
  // as chorus-flux writes them, with the optional parts the serializer leaves out
  const statuts = path.join(CORPUS, 'chorus-samples', 'statut');
  for (const f of readdirSync(statuts).sort()) {
    out.push({ file: f, text: readFileSync(path.join(statuts, f), 'utf8').replace('2018-15-18T', '2018-05-18T'), family: 'STATUT', xsd: XSD.STATUT });
  }
  const party = { id: 'SIVALMON', label: 'SI de Valmont' };
  const flux = serializeStatut({
    dtPrd: '2026-11-20',
    idFlx: 'SI-0001',
    recepteur: party,
    emetteur: { id: 'CFLUX001' },
    flux: [
      { idStatut: '93', horodatage: '2026-11-20T10:00:00+01:00', idFlux: 'F1.xml', commentaire: 'Rejet', errors: [{ nature: 'F', code: 'FLUX-SCHEMA', libelle: 'hors schéma', description: 'ligne 3' }, { nature: 'F', code: 'X', libelle: 'y' }] },
      { idStatut: '90', horodatage: '2026-11-20T10:00:01Z', idFlux: 'F2.xml' },
    ],
  }).replace(/(<\/Horodatage>)/, '$1<IdProducteur>SIVALMON</IdProducteur><Producteur/>');
  out.push({ file: 'flux-statuts.xml', text: flux, family: 'STATUT', xsd: XSD.STATUT });
  const factures = serializeStatut({
    dtPrd: '2026-11-20',
    idFlx: 'SI-0002',
    recepteur: party,
    emetteur: { id: 'CFLUX001' },
    factures: [1, 2].map((n) => ({ supplier: { typeId: '1', id: '99746507500015', name: 'Papeterie', country: 'FR' }, buyer: { id: '21787789300016', name: 'Valmont', codeService: 'FIN', serviceName: 'Finances' }, idStatut: '07', complement: 'Service fait', commentaire: 'ok', horodatage: '2026-11-20T10:00:00Z', idFacture: `F-${n}`, dateFacture: '2026-11-02', idMandatDP: 'M1' })),
  }).replace(/(<\/Horodatage>)/g, '$1<Producteur Id="SI-VALMONT"/>');
  out.push({ file: 'facture-statuts.xml', text: factures, family: 'STATUT', xsd: XSD.STATUT });
  // UBL invoices with extensions, whose content is checked laxly: an element of another
  // vocabulary is not looked into, one UBL declares (a party, a note) is, wherever it stands
  const EXT = 'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2';
  const extensions = `<ext:UBLExtensions xmlns:ext="${EXT}"><ext:UBLExtension><cbc:ID>EXT-1</cbc:ID><ext:ExtensionURI>urn:exemple:f</ext:ExtensionURI><ext:ExtensionContent><f:Donnees xmlns:f="urn:exemple:f" version="1"><f:Valeur>1</f:Valeur><cac:PartyName><cbc:Name>Valmont</cbc:Name></cac:PartyName><f:Liste><f:Article code="A">texte</f:Article></f:Liste></f:Donnees></ext:ExtensionContent></ext:UBLExtension><ext:UBLExtension><ext:ExtensionContent><cac:Party><cbc:EndpointID schemeID="0009">21787789300016</cbc:EndpointID><cac:PartyName><cbc:Name>Valmont</cbc:Name></cac:PartyName></cac:Party></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>`;
  for (const e of out.filter((x) => x.family === 'UBL' && /xmlns:cac=/.test(x.text) && /<cbc:(UBLVersionID|CustomizationID)>/.test(x.text)).slice(0, 3)) {
    out.push({ ...e, file: `${e.file} (extended)`, text: e.text.replace(/(<cbc:(?:UBLVersionID|CustomizationID)>)/, `${extensions}$1`) });
  }
  return out;
}

interface Span {
  start: number; // of the start tag
  openEnd: number; // just after the start tag
  closeStart: number; // of the end tag (= openEnd for an empty element)
  end: number; // after the end tag
  name: string;
  prefix: string;
  depth: number;
}

/** Every element of a (well-formed) document, outside comments, with its extent. */
function spans(text: string): Span[] {
  const out: Span[] = [];
  const stack: Span[] = [];
  const tag = /<(\/?)([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)(?:\s[^>]*?)?(\/?)>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!\[CDATA\[[\s\S]*?\]\]>/g;
  for (let m = tag.exec(text); m; m = tag.exec(text)) {
    if (!m[2]) continue;
    if (m[1]) {
      const s = stack.pop() as Span;
      s.closeStart = m.index;
      s.end = tag.lastIndex;
      continue;
    }
    const c = m[2].indexOf(':');
    const s: Span = { start: m.index, openEnd: tag.lastIndex, closeStart: tag.lastIndex, end: tag.lastIndex, name: m[2], prefix: c < 0 ? '' : m[2].slice(0, c + 1), depth: stack.length };
    out.push(s);
    if (!m[3]) stack.push(s);
  }
  return out;
}

type Mutation = 'drop' | 'double' | 'swap' | 'unknown' | 'text' | 'nest' | 'attribute' | 'unattributed';
const MUTATIONS: Mutation[] = ['drop', 'double', 'swap', 'unknown', 'text', 'nest', 'attribute', 'unattributed'];

/** One structural mutation of `text` (values untouched); undefined when it found nothing to do. */
function mutateStructure(text: string, rnd: () => number, kind: Mutation, within?: { start: number; end: number }): string | undefined {
  const all = spans(text).filter((s) => s.depth > 0 && !/Extension/.test(s.name) && (!within || (s.start >= within.start && s.end <= within.end)));
  if (all.length === 0) return undefined;
  const s = all[Math.floor(rnd() * all.length)];
  const el = text.slice(s.start, s.end);
  switch (kind) {
    case 'drop':
      return text.slice(0, s.start) + text.slice(s.end);
    case 'double':
      return text.slice(0, s.end) + el + text.slice(s.end);
    case 'swap': {
      // with its next sibling
      const next = all.find((o) => o.start >= s.end && o.depth === s.depth);
      const between = next ? text.slice(s.end, next.start) : '';
      if (!next || /\S/.test(between.replace(/<!--[\s\S]*?-->/g, ''))) return undefined;
      return text.slice(0, s.start) + text.slice(next.start, next.end) + between + el + text.slice(next.end);
    }
    case 'unknown':
      return text.slice(0, s.end) + `<${s.prefix}Remarque>inconnue</${s.prefix}Remarque>` + text.slice(s.end);
    case 'text': {
      // text among the elements of an aggregate (an element holding elements)
      const parents = all.filter((p) => all.some((c) => c.depth === p.depth + 1 && c.start > p.start && c.end <= p.closeStart));
      if (parents.length === 0) return undefined;
      const p = parents[Math.floor(rnd() * parents.length)];
      return text.slice(0, p.openEnd) + 'texte égaré' + text.slice(p.openEnd);
    }
    case 'attribute': {
      // an attribute the schema does not declare (on a leaf or an aggregate)
      const at = s.start + 1 + s.name.length;
      return text.slice(0, at) + ` motif="x"` + text.slice(at);
    }
    case 'unattributed': {
      // one attribute removed (a required one, as an amount's currencyID, or an optional one)
      const withAttrs = all.filter((o) => /\s(?!xmlns)[\w:]+\s*=/.test(text.slice(o.start, o.openEnd)));
      if (withAttrs.length === 0) return undefined;
      const o = withAttrs[Math.floor(rnd() * withAttrs.length)];
      const tag = text.slice(o.start, o.openEnd).replace(/\s(?!xmlns)[\w:]+\s*=\s*("[^"]*"|'[^']*')/, '');
      return text.slice(0, o.start) + tag + text.slice(o.openEnd);
    }
    case 'nest': {
      // an element inside a leaf (an element holding text only)
      const leaves = all.filter((l) => l.closeStart > l.openEnd && !text.slice(l.openEnd, l.closeStart).includes('<'));
      if (leaves.length === 0) return undefined;
      const l = leaves[Math.floor(rnd() * leaves.length)];
      return text.slice(0, l.openEnd) + `<${l.prefix}Note>x</${l.prefix}Note>` + text.slice(l.openEnd);
    }
  }
}

describe('the element structure of UBL and CII inputs (official XSDs)', () => {
  const all = examples();

  it('the tables are the XSDs of the corpus (schemas/*.structure.json is rebuilt and compared)', () => {
    const built = { ubl: buildUbl(SCHEMAS), cii: buildCii(SCHEMAS), pivot: buildPivot(SCHEMAS), statut: buildStatut(SCHEMAS) };
    for (const which of ['ubl', 'cii', 'pivot', 'statut'] as const) {
      const committed = JSON.parse(readFileSync(path.resolve(__dirname, '../../schemas', STRUCTURE_FILES[which]), 'utf8'));
      expect(committed).toEqual(JSON.parse(JSON.stringify(built[which])));
    }
    expect(Object.keys(built.ubl.roots).map((k) => k.split(':')[1])).toEqual(['Invoice', 'CreditNote']);
    expect(built.cii.choices.length).toBeGreaterThanOrEqual(3); // DateTime, Date, Indicator
    // CPPStatut: Enveloppe, then CPPFluxStatuts or CPPFactureStatuts, once (a choice in the sequence)
    const root = built.statut.types[built.statut.roots['0:CPPStatut']];
    expect(root.map((p) => [p[0], p[1], p[2]])).toEqual([['0:Enveloppe', 1, 1], ['#group:0:CPPFluxStatuts|0:CPPFactureStatuts', 1, 1]]);
    expect(built.statut.choices).toContain(root[1][3]);
  });

  it('the official examples keep to it, as xmllint says', () => {
    expect(all.length).toBeGreaterThanOrEqual(37);
    expect(all.filter((e) => e.family === 'PIVOT').length).toBeGreaterThanOrEqual(7);
    expect(all.filter((e) => e.family === 'STATUT').length).toBeGreaterThanOrEqual(6);
    for (const e of all) expect([e.file, checkStructure(liftBlobs(Buffer.from(e.text)).text, STRUCTURE[e.family])]).toEqual([e.file, undefined]);
    const byXsd = new Map<string, Example[]>();
    for (const e of all) byXsd.set(e.xsd, [...(byXsd.get(e.xsd) ?? []), e]);
    for (const [xsd, es] of byXsd) for (const r of validateStrings(xsd, es.map((e) => e.text))) expect(r.errors).toEqual([]);
  });

  it.each([1, 2, 3, 4])('refuses what xmllint refuses on seeded structural mutations (seed %i), and only that', (seed) => {
    const rnd = prng(seed * 7919);
    const cases: { example: Example; kind: Mutation; text: string }[] = [];
    for (const example of all) {
      for (const kind of MUTATIONS) {
        const text = mutateStructure(example.text, rnd, kind);
        if (text !== undefined) cases.push({ example, kind, text });
        // an extended invoice is also mutated inside its extensions' content
        const start = example.text.indexOf('<ext:UBLExtensions');
        if (start < 0) continue;
        const inside = mutateStructure(example.text, rnd, kind, { start, end: example.text.indexOf('</ext:UBLExtensions>') });
        if (inside !== undefined) cases.push({ example, kind, text: inside });
      }
    }
    const verdicts = new Map<string, boolean>();
    const byXsd = new Map<string, typeof cases>();
    for (const c of cases) byXsd.set(c.example.xsd, [...(byXsd.get(c.example.xsd) ?? []), c]);
    const disagreements: string[] = [];
    let refused = 0;
    for (const [xsd, cs] of byXsd) {
      const results = validateStrings(xsd, cs.map((c) => c.text));
      cs.forEach((c, k) => {
        const ours = checkStructure(liftBlobs(Buffer.from(c.text)).text, STRUCTURE[c.example.family]);
        const theirs = results[k];
        verdicts.set(`${c.example.file} ${c.kind}`, theirs.valid);
        if (!theirs.valid) refused++;
        if ((ours === undefined) !== theirs.valid) disagreements.push(`${c.example.file} (${c.kind}): ours ${ours?.message ?? 'valid'}; xmllint ${theirs.errors[0] ?? 'valid'}`);
      });
    }
    expect(disagreements).toEqual([]);
    expect(cases.length).toBeGreaterThan(200);
    expect(cases.filter((c) => c.example.family === 'STATUT').length).toBeGreaterThan(35);
    for (const kind of MUTATIONS) expect([kind, cases.filter((c) => c.kind === kind).length > 10]).toEqual([kind, true]);
    expect(refused).toBeGreaterThan(cases.length / 2); // most mutations break the structure; some (a doubled repeatable element) do not
    expect(refused).toBeLessThan(cases.length);
  });

  it('takes CPPStatut’s choice and empty content as xmllint does', () => {
    const facture = all.find((e) => e.file === 'facture-statuts.xml') as Example;
    const flux = all.find((e) => e.file === 'flux-statuts.xml') as Example;
    const fluxPart = /<CPPFluxStatuts[^]*<\/CPPFluxStatuts>/.exec(flux.text)?.[0] as string;
    const facturePart = /<CPPFactureStatuts[^]*<\/CPPFactureStatuts>/.exec(facture.text)?.[0] as string;
    const cases: [string, string, RegExp | undefined][] = [
      ['both alternatives', facture.text.replace('</CPPStatut>', `${fluxPart}</CPPStatut>`), /<CPPFluxStatuts> appears in <CPPStatut> more often than the CPPStatut V1_19 schema allows \(one of CPPFluxStatuts or CPPFactureStatuts, once\)/],
      ['neither', facture.text.replace(facturePart, ''), /<CPPStatut> ends without <CPPFluxStatuts or CPPFactureStatuts>/],
      ['the choice twice', facture.text.replace(facturePart, facturePart + facturePart), /<CPPFactureStatuts> appears in <CPPStatut> more often than the CPPStatut V1_19 schema allows \(one of/],
      ['the choice first', facture.text.replace(/(<Enveloppe>[^]*<\/Enveloppe>)([^]*)(<CPPFactureStatuts[^]*<\/CPPFactureStatuts>)/, '$3$2$1'), /<CPPFactureStatuts> is not allowed in <CPPStatut> here: the CPPStatut V1_19 schema expects Enveloppe \(in this order\)/],
      ['the other alternative', flux.text, undefined],
      ['white space in empty content', flux.text.replace('<Producteur/>', '<Producteur> </Producteur>'), /<Producteur> holds text, where the CPPStatut V1_19 schema allows nothing/],
      ['text in empty content', facture.text.replace('<Producteur Id="SI-VALMONT"/>', '<Producteur Id="SI-VALMONT">SI</Producteur>'), /<Producteur> holds text/],
      ['an element in empty content', flux.text.replace('<Producteur/>', '<Producteur><Id>1</Id></Producteur>'), /<Producteur> holds an element <Id>, where the CPPStatut V1_19 schema allows nothing/],
      ['a comment in empty content', flux.text.replace('<Producteur/>', '<Producteur><!-- rien --></Producteur>'), undefined],
      ['an attribute empty content does not declare', flux.text.replace('<Producteur/>', '<Producteur Id="x"/>'), /<Producteur> has an attribute Id/],
    ];
    const theirs = validateStrings(XSD.STATUT, cases.map((c) => c[1]));
    cases.forEach(([what, text, want], k) => {
      expect(text).not.toBe(what === 'the other alternative' ? '' : facture.text);
      const ours = checkStructure(text, STRUCTURE.STATUT);
      expect([what, theirs[k].valid, ours?.message]).toEqual([what, want === undefined, want === undefined ? undefined : expect.stringMatching(want)]);
    });
  });

  it('looks into a UBL extension’s content as xmllint does: one element of another namespace, checked where the schemas declare it', () => {
    const ubl = all.find((e) => e.family === 'UBL' && e.xsd === XSD.UBL_INVOICE) as Example;
    const EXT = 'urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2';
    const SIG = 'urn:oasis:names:specification:ubl:schema:xsd:CommonSignatureComponents-2';
    // an invoice with UBLExtensions first, holding `content` (the cbc and cac prefixes are the example's)
    const withExtensions = (content: string) => {
      const text = ubl.text.replace(/(<(?:cbc:)?(?:UBLVersionID|CustomizationID)>)/, `<ext:UBLExtensions xmlns:ext="${EXT}">${content}</ext:UBLExtensions>$1`);
      expect(text).not.toBe(ubl.text);
      return text;
    };
    const inContent = (inner: string) => withExtensions(`<ext:UBLExtension><ext:ExtensionContent>${inner}</ext:ExtensionContent></ext:UBLExtension>`);
    const cases: [string, string, RegExp | undefined][] = [
      ['an element of its own', inContent('<f:Donnee xmlns:f="urn:exemple:f"><f:Valeur>1</f:Valeur></f:Donnee>'), undefined],
      ['a comment and white space beside it', inContent('\n  <!-- note --> <f:Donnee xmlns:f="urn:exemple:f"/>\n'), undefined],
      ['an element of no namespace (xmllint takes it)', inContent('<Donnee/>'), undefined],
      ['an undeclared attribute on an element the schemas do not declare', inContent('<f:Donnee xmlns:f="urn:exemple:f" motif="x"/>'), undefined],
      ['a UBL element that keeps to its declaration', inContent('<cbc:Note>extension</cbc:Note>'), undefined],
      ['nothing', inContent(''), /<ext:ExtensionContent> ends empty, where the UBL 2.1 schema requires one element in it/],
      ['nothing, self-closed', withExtensions('<ext:UBLExtension><ext:ExtensionContent/></ext:UBLExtension>'), /<ext:ExtensionContent> is empty, where the UBL 2.1 schema requires one element in it/],
      ['two elements', inContent('<f:A xmlns:f="urn:exemple:f"/><f:B xmlns:f="urn:exemple:f"/>'), /<f:B> is not allowed in <ext:ExtensionContent>: the UBL 2.1 schema allows one element there, once/],
      ['text', inContent('texte <f:A xmlns:f="urn:exemple:f"/>'), /<ext:ExtensionContent> holds text, where the UBL 2.1 schema allows only elements/],
      ['an element of the extension’s own namespace', inContent('<ext:Donnee/>'), /<ext:Donnee> is not allowed in <ext:ExtensionContent>: the UBL 2.1 schema expects there an element of another namespace/],
      ['a UBL leaf holding an element', inContent('<cbc:Note><b>gras</b></cbc:Note>'), /<cbc:Note> holds an element <b>, where the UBL 2.1 schema allows only text/],
      ['a UBL leaf with an undeclared attribute', inContent('<cbc:Note motif="x">n</cbc:Note>'), /<cbc:Note> has an attribute motif/],
      ['a UBL aggregate out of its schema, deep in an unknown element', inContent('<f:A xmlns:f="urn:exemple:f"><f:B><cac:Party><cbc:Inconnu/></cac:Party></f:B></f:A>'), /<cbc:Inconnu> in <cac:Party> is not an element the UBL 2.1 schema allows in it/],
      ['an Invoice inside, empty', inContent(`<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>`), /<Invoice> is empty, where the UBL 2.1 schema requires <ID> in it/],
      ['UBLExtensions nested in an unknown element, wrong', inContent('<f:A xmlns:f="urn:exemple:f"><ext:UBLExtensions><ext:Faux/></ext:UBLExtensions></f:A>'), /<ext:Faux> is not allowed in <ext:UBLExtensions> here/],
      ['UBLExtension without ExtensionContent', withExtensions('<ext:UBLExtension><cbc:ID>1</cbc:ID></ext:UBLExtension>'), /<ext:UBLExtension> ends without <ExtensionContent>/],
    ];
    const theirs = validateStrings(XSD.UBL_INVOICE, cases.map((c) => c[1]));
    cases.forEach(([what, text, want], k) => {
      const ours = checkStructure(text, STRUCTURE.UBL);
      expect([what, theirs[k].valid, ours?.message]).toEqual([what, want === undefined, want === undefined ? undefined : expect.stringMatching(want)]);
    });
    // the signature schemas (UBL's sig, sac, sbc; xmldsig; XAdES) are not read: a signature's
    // content is not looked into, where xmllint checks it — the one place this check takes
    // more than xmllint (docs/VALIDATION.md)
    const brokenSignature = inContent(`<sig:UBLDocumentSignatures xmlns:sig="${SIG}"/>`);
    expect(validateStrings(XSD.UBL_INVOICE, [brokenSignature])[0].valid).toBe(false);
    expect(checkStructure(brokenSignature, STRUCTURE.UBL)).toBeUndefined();
  });

  it('refuses such a flux as FLUX-SCHEMA with the line, in the pipeline’s reader', async () => {
    const ubl = all.find((e) => e.family === 'UBL' && e.xsd === XSD.UBL_INVOICE) as Example;
    const misplaced = ubl.text.replace(/(<cbc:IssueDate>[^<]*<\/cbc:IssueDate>)/, '$1<cbc:IssueDate>2026-01-01</cbc:IssueDate>');
    expect(misplaced).not.toBe(ubl.text);
    const err = await parseFlux(Buffer.from(misplaced)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FluxError);
    expect((err as FluxError).rule).toBe('FLUX-SCHEMA');
    expect((err as FluxError).message).toMatch(/^At line \d+, <cbc:IssueDate> appears in <Invoice> more often than the UBL 2.1 schema allows \(1\)\.$/);
    expect((err as FluxError).message.length).toBeLessThanOrEqual(300);
    // a 2 MB element name is cut in the message
    const huge = ubl.text.replace(/<\/Invoice>\s*$/, `<cbc:${'N'.repeat(100_000)}/></Invoice>`);
    const big = (await parseFlux(Buffer.from(huge)).catch((e: unknown) => e)) as FluxError;
    expect(big.rule).toBe('FLUX-SCHEMA');
    expect(big.message.length).toBeLessThanOrEqual(300);
    // an extension with nothing in it, which the reader used to take
    const emptyExtension = ubl.text.replace(/(<cbc:CustomizationID>)/, '<ext:UBLExtensions xmlns:ext="urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"><ext:UBLExtension><ext:ExtensionContent></ext:ExtensionContent></ext:UBLExtension></ext:UBLExtensions>$1');
    expect(emptyExtension).not.toBe(ubl.text);
    const ext = (await parseFlux(Buffer.from(emptyExtension)).catch((e: unknown) => e)) as FluxError;
    expect(ext.rule).toBe('FLUX-SCHEMA');
    expect(ext.message).toMatch(/^At line \d+, <ext:ExtensionContent> ends empty, where the UBL 2.1 schema requires one element in it/);
    const cii = all.find((e) => e.family === 'CII') as Example;
    const text = cii.text.replace(/(<ram:SellerTradeParty>)/, '$1des mots');
    expect(text).not.toBe(cii.text);
    const ciiErr = (await parseFlux(Buffer.from(text)).catch((e: unknown) => e)) as FluxError;
    expect(ciiErr.rule).toBe('FLUX-SCHEMA');
    expect(ciiErr.message).toMatch(/<ram:SellerTradeParty> holds text, where the CII D16B schema allows only elements/);
    // a partner's pivot with a stray element (it used to be accepted; the pivot written out is rebuilt, the original archived)
    const pivot = all.find((e) => e.family === 'PIVOT' && /laposte/.test(e.file)) as Example;
    const stray = pivot.text.replace(/(<\/Enveloppe>)/, '<Commentaire>hors schéma</Commentaire>$1');
    expect(stray).not.toBe(pivot.text);
    const pivotErr = (await parseFlux(Buffer.from(stray)).catch((e: unknown) => e)) as FluxError;
    expect(pivotErr.rule).toBe('FLUX-SCHEMA');
    expect(pivotErr.message).toMatch(/<Commentaire> in <Enveloppe> is not an element the CPPFacturePivot V2_02 schema allows in it/);
    // a finance SI's status flow with a status line's element doubled (the reader took the first)
    const statut = all.find((e) => e.file === 'facture-statuts.xml') as Example;
    const doubled = statut.text.replace(/(<IdStatut>07<\/IdStatut>)/, '$1<IdStatut>10</IdStatut>');
    expect(doubled).not.toBe(statut.text);
    const statutErr = (await parseFlux(Buffer.from(doubled)).catch((e: unknown) => e)) as FluxError;
    expect(statutErr.rule).toBe('FLUX-SCHEMA');
    expect(statutErr.message).toMatch(/^At line \d+, <IdStatut> appears in <DonneesStatut> more often than the CPPStatut V1_19 schema allows \(1\)\.$/);
    expect((await parseFlux(Buffer.from(statut.text))).kind).toBe('CPPStatut');
  });
});

// found by an audit: an element with the right local name in the wrong namespace was told
// "<Note> is not allowed here: the UBL 2.1 schema expects Note, …" — what the partner sent
describe('an element in the wrong namespace', () => {
  const BASE = readFileSync(path.resolve(__dirname, '../../fixtures/inbox/op-alpha/facture-e1-papeterie.xml'), 'utf8');
  const CBC = 'urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2';
  it.each([
    ['without a prefix, in the document namespace', BASE.replace(/<cbc:Note>([^<]*)<\/cbc:Note>/, '<Note>$1</Note>'), '<Note> in <Invoice> is in the namespace "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"'],
    ['under a prefix bound to another UBL namespace', BASE.replace(/<cbc:Note>([^<]*)<\/cbc:Note>/, '<cbc:Note xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2">$1</cbc:Note>'), '<cbc:Note> in <Invoice> is in the namespace "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"'],
  ])('names the namespace it is in and the one the schema expects: %s', async (_how, xml, said) => {
    expect(validateStrings(XSD.UBL_INVOICE, [xml])[0].valid).toBe(false);
    let e: unknown;
    await parseFlux(Buffer.from(xml)).catch((x: unknown) => (e = x));
    expect(e).toBeInstanceOf(FluxError);
    const { rule, message } = e as FluxError;
    expect(rule).toBe('FLUX-SCHEMA');
    expect(message).toContain(said);
    expect(message).toContain(`where the UBL 2.1 schema expects its Note in "${CBC}"`);
    expect(message.length).toBeLessThanOrEqual(300);
  });
});
