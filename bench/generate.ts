/**
 * A deterministic corpus of realistic French public-sector flows (seeded): UBL E1 with 1 to
 * 200 lines, UBL E2 with the invoice PDF, CII, multi-invoice pivots, about 5 % invalid, and
 * attachments of realistic sizes — with the routing table that routes them.
 *
 *   node dist/bench/generate.js <dir> [--invoices 10000] [--seed 42]
 *
 * Amounts are computed in integer cents, so every valid invoice's totals are exact.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

/** mulberry32: a small, fast, seeded PRNG (deterministic corpus). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function luhnOk(s: string): boolean {
  let t = 0;
  for (let i = 0; i < s.length; i++) {
    let d = s.charCodeAt(s.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    t += d;
  }
  return t % 10 === 0;
}

function siret(rnd: () => number, prefix: string): string {
  for (;;) {
    let siren = prefix;
    while (siren.length < 9) siren += Math.floor(rnd() * 10);
    if (!luhnOk(siren)) continue;
    for (let nic = 10; nic < 99999; nic++) {
      const s = siren + String(nic).padStart(5, '0');
      if (luhnOk(s)) return s;
    }
  }
}

const cents = (c: number) => `${c < 0 ? '-' : ''}${Math.floor(Math.abs(c) / 100)}.${String(Math.abs(c) % 100).padStart(2, '0')}`;
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

const ITEMS = ['Ramettes papier A4', 'Cartouches d\'encre', 'Maintenance informatique', 'Prestation de nettoyage', 'Repas restauration scolaire', 'Fournitures de bureau', 'Licence logicielle', 'Location de véhicule', 'Travaux de peinture', 'Entretien espaces verts', 'Formation des agents', 'Matériel médical', 'Produits d\'entretien', 'Mobilier scolaire', 'Abonnement documentation'];
const RATES: { rate: string; bp: number }[] = [
  { rate: '20', bp: 2000 },
  { rate: '10', bp: 1000 },
  { rate: '5.5', bp: 550 },
  { rate: '2.1', bp: 210 },
];

export interface Party {
  siret: string;
  name: string;
  city: string;
  postcode: string;
  vat?: string;
}

export interface RoutingEntry {
  siret: string;
  recepteurId: string;
  name: string;
  codeServices: string[];
}

export interface CorpusOptions {
  invoices: number;
  seed: number;
  /** no attachments and no pivots: small files only (the 100,000-file memory soak) */
  small?: boolean;
}

export interface CorpusSummary {
  dir: string;
  configFile: string;
  inbox: string;
  files: number;
  invoices: number;
  invalid: number;
  bytes: number;
  byKind: Record<string, number>;
}

function vatOf(siren: string): string {
  return `FR${String((12 + 3 * (Number(siren) % 97)) % 97).padStart(2, '0')}${siren}`;
}

/** A small but real PDF of `size` bytes (an uncompressed page + padding comment). */
export function pdfOf(title: string, size: number): Buffer {
  const content = `BT /F1 14 Tf 50 780 Td (${title.replace(/[()\\]/g, '')}) Tj ET`;
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, k) => {
    offsets.push(body.length);
    body += `${k + 1} 0 obj\n${o}\nendobj\n`;
  });
  const pad = Math.max(0, size - body.length - 200);
  // incompressible padding, as scanned pages are
  let padding = '';
  if (pad > 0) {
    const r = prng(size);
    const bytes = Buffer.alloc(Math.ceil(pad * 0.75));
    for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(r() * 256);
    padding = `% ${bytes.toString('base64').slice(0, pad)}\n`;
  }
  const xref = body.length + padding.length;
  let tail = `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) tail += `${String(o).padStart(10, '0')} 00000 n \n`;
  tail += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body + padding + tail, 'latin1');
}

interface Line {
  name: string;
  ref: string;
  qty: number;
  priceCents: number;
  rate: (typeof RATES)[number];
}

interface Totals {
  lines: (Line & { netCents: number })[];
  net: number;
  vat: { rate: (typeof RATES)[number]; base: number; tax: number }[];
  tax: number;
  total: number;
}

function totals(lines: Line[]): Totals {
  const withNet = lines.map((l) => ({ ...l, netCents: l.qty * l.priceCents }));
  const byRate = new Map<string, { rate: (typeof RATES)[number]; base: number }>();
  for (const l of withNet) {
    const g = byRate.get(l.rate.rate) ?? { rate: l.rate, base: 0 };
    g.base += l.netCents;
    byRate.set(l.rate.rate, g);
  }
  // VAT per rate, rounded half up to the cent (base in cents × basis points / 10000)
  const vat = [...byRate.values()].map((g) => ({ ...g, tax: Math.floor((g.base * g.rate.bp + 5000) / 10000) }));
  const net = withNet.reduce((s, l) => s + l.netCents, 0);
  const tax = vat.reduce((s, v) => s + v.tax, 0);
  return { lines: withNet, net, vat, tax, total: net + tax };
}

function ubl(number: string, issue: string, seller: Party, buyer: Party, codeService: string, engagement: string, t: Totals, attachments: { id: string; name: string; desc: string; code?: string; b64: string }[], defect?: string): string {
  const o: string[] = [];
  o.push('<?xml version="1.0" encoding="UTF-8"?>');
  o.push('<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">');
  o.push('<cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID><cbc:ProfileID>A1</cbc:ProfileID>');
  o.push(`<cbc:ID>${number}</cbc:ID><cbc:IssueDate>${issue}</cbc:IssueDate><cbc:DueDate>${issue}</cbc:DueDate><cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>`);
  o.push(`<cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode><cbc:BuyerReference>${codeService}</cbc:BuyerReference>`);
  o.push(`<cac:OrderReference><cbc:ID>${engagement}</cbc:ID></cac:OrderReference>`);
  for (const a of attachments) {
    o.push(`<cac:AdditionalDocumentReference><cbc:ID>${a.id}</cbc:ID>${a.code ? `<cbc:DocumentTypeCode>${a.code}</cbc:DocumentTypeCode>` : ''}<cbc:DocumentDescription>${esc(a.desc)}</cbc:DocumentDescription><cac:Attachment><cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="${esc(a.name)}">${a.b64}</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference>`);
  }
  const party = (p: Party, seller: boolean) =>
    `<cac:Party><cbc:EndpointID schemeID="0009">${p.siret}</cbc:EndpointID><cac:PostalAddress><cbc:CityName>${esc(p.city)}</cbc:CityName><cbc:PostalZone>${p.postcode}</cbc:PostalZone><cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode></cac:Country></cac:PostalAddress>${seller && p.vat ? `<cac:PartyTaxScheme><cbc:CompanyID>${p.vat}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>` : ''}<cac:PartyLegalEntity><cbc:RegistrationName>${esc(p.name)}</cbc:RegistrationName><cbc:CompanyID schemeID="0009">${p.siret}</cbc:CompanyID></cac:PartyLegalEntity></cac:Party>`;
  o.push(`<cac:AccountingSupplierParty>${party(seller, true)}</cac:AccountingSupplierParty>`);
  o.push(`<cac:AccountingCustomerParty>${party(buyer, false)}</cac:AccountingCustomerParty>`);
  o.push(`<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cac:PayeeFinancialAccount><cbc:ID>FR7630004000031234567890143</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>`);
  o.push('<cac:PaymentTerms><cbc:Note>Paiement à 30 jours</cbc:Note></cac:PaymentTerms>');
  o.push(`<cac:TaxTotal><cbc:TaxAmount currencyID="EUR">${cents(t.tax)}</cbc:TaxAmount>`);
  for (const v of t.vat) o.push(`<cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">${cents(v.base)}</cbc:TaxableAmount><cbc:TaxAmount currencyID="EUR">${cents(v.tax)}</cbc:TaxAmount><cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>${v.rate.rate}</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory></cac:TaxSubtotal>`);
  o.push('</cac:TaxTotal>');
  const payable = defect === 'total' ? t.total + 100 : t.total;
  o.push(`<cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">${cents(t.net)}</cbc:LineExtensionAmount><cbc:TaxExclusiveAmount currencyID="EUR">${cents(t.net)}</cbc:TaxExclusiveAmount><cbc:TaxInclusiveAmount currencyID="EUR">${cents(t.total)}</cbc:TaxInclusiveAmount><cbc:PayableAmount currencyID="EUR">${cents(payable)}</cbc:PayableAmount></cac:LegalMonetaryTotal>`);
  t.lines.forEach((l, k) => {
    o.push(`<cac:InvoiceLine><cbc:ID>${k + 1}</cbc:ID><cbc:InvoicedQuantity unitCode="C62">${l.qty}</cbc:InvoicedQuantity><cbc:LineExtensionAmount currencyID="EUR">${cents(l.netCents)}</cbc:LineExtensionAmount><cac:Item><cbc:Name>${esc(l.name)}</cbc:Name><cac:SellersItemIdentification><cbc:ID>${l.ref}</cbc:ID></cac:SellersItemIdentification><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>${l.rate.rate}</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item><cac:Price><cbc:PriceAmount currencyID="EUR">${cents(l.priceCents)}</cbc:PriceAmount></cac:Price></cac:InvoiceLine>`);
  });
  o.push('</Invoice>\n');
  const xml = o.join('\n');
  return defect === 'malformed' ? xml.slice(0, Math.floor(xml.length * 0.6)) : xml;
}

const d8 = (iso: string) => iso.replace(/-/g, '');

function cii(number: string, issue: string, seller: Party, buyer: Party, codeService: string, engagement: string, t: Totals): string {
  const o: string[] = [];
  o.push('<?xml version="1.0" encoding="UTF-8"?>');
  o.push('<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">');
  o.push('<rsm:ExchangedDocumentContext><ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>A1</ram:ID></ram:BusinessProcessSpecifiedDocumentContextParameter><ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>');
  o.push(`<rsm:ExchangedDocument><ram:ID>${number}</ram:ID><ram:TypeCode>380</ram:TypeCode><ram:IssueDateTime><udt:DateTimeString format="102">${d8(issue)}</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument>`);
  o.push('<rsm:SupplyChainTradeTransaction>');
  t.lines.forEach((l, k) => {
    o.push(`<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument><ram:LineID>${k + 1}</ram:LineID></ram:AssociatedDocumentLineDocument><ram:SpecifiedTradeProduct><ram:SellerAssignedID>${l.ref}</ram:SellerAssignedID><ram:Name>${esc(l.name)}</ram:Name></ram:SpecifiedTradeProduct><ram:SpecifiedLineTradeAgreement><ram:NetPriceProductTradePrice><ram:ChargeAmount>${cents(l.priceCents)}</ram:ChargeAmount></ram:NetPriceProductTradePrice></ram:SpecifiedLineTradeAgreement><ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">${l.qty}</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery><ram:SpecifiedLineTradeSettlement><ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>${l.rate.rate}</ram:RateApplicablePercent></ram:ApplicableTradeTax><ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>${cents(l.netCents)}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation></ram:SpecifiedLineTradeSettlement></ram:IncludedSupplyChainTradeLineItem>`);
  });
  const party = (p: Party, withVat: boolean) =>
    `<ram:Name>${esc(p.name)}</ram:Name><ram:SpecifiedLegalOrganization><ram:ID schemeID="0009">${p.siret}</ram:ID></ram:SpecifiedLegalOrganization><ram:PostalTradeAddress><ram:PostcodeCode>${p.postcode}</ram:PostcodeCode><ram:CityName>${esc(p.city)}</ram:CityName><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress><ram:URIUniversalCommunication><ram:URIID schemeID="0009">${p.siret}</ram:URIID></ram:URIUniversalCommunication>${withVat && p.vat ? `<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">${p.vat}</ram:ID></ram:SpecifiedTaxRegistration>` : ''}`;
  o.push(`<ram:ApplicableHeaderTradeAgreement><ram:BuyerReference>${codeService}</ram:BuyerReference><ram:SellerTradeParty>${party(seller, true)}</ram:SellerTradeParty><ram:BuyerTradeParty>${party(buyer, false)}</ram:BuyerTradeParty><ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>${engagement}</ram:IssuerAssignedID></ram:BuyerOrderReferencedDocument></ram:ApplicableHeaderTradeAgreement>`);
  o.push('<ram:ApplicableHeaderTradeDelivery/>');
  o.push(`<ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode><ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>58</ram:TypeCode><ram:PayeePartyCreditorFinancialAccount><ram:IBANID>FR7630004000031234567890143</ram:IBANID></ram:PayeePartyCreditorFinancialAccount></ram:SpecifiedTradeSettlementPaymentMeans>`);
  for (const v of t.vat) o.push(`<ram:ApplicableTradeTax><ram:CalculatedAmount>${cents(v.tax)}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode><ram:BasisAmount>${cents(v.base)}</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>${v.rate.rate}</ram:RateApplicablePercent></ram:ApplicableTradeTax>`);
  o.push(`<ram:SpecifiedTradePaymentTerms><ram:Description>Paiement à 30 jours</ram:Description></ram:SpecifiedTradePaymentTerms>`);
  o.push(`<ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:LineTotalAmount>${cents(t.net)}</ram:LineTotalAmount><ram:TaxBasisTotalAmount>${cents(t.net)}</ram:TaxBasisTotalAmount><ram:TaxTotalAmount currencyID="EUR">${cents(t.tax)}</ram:TaxTotalAmount><ram:GrandTotalAmount>${cents(t.total)}</ram:GrandTotalAmount><ram:DuePayableAmount>${cents(t.total)}</ram:DuePayableAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation>`);
  o.push('</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>\n');
  return o.join('\n');
}

function pivotUnit(k: number, number: string, issue: string, seller: Party, buyer: Party, codeService: string, engagement: string, t: Totals, pdfB64: string): string {
  const tvas = t.vat.map((v) => `<TVA><Taux>${v.rate.rate}</Taux><BaseHt>${cents(v.base)}</BaseHt><MontantTVA>${cents(v.tax)}</MontantTVA></TVA>`).join('');
  const lignes = t.lines.map((l, i) => `<Ligne NumOrdre="${i + 1}"><ReferenceProduit>${l.ref}</ReferenceProduit><PrixUnitaire>${cents(l.priceCents)}</PrixUnitaire><Quantite>${l.qty}</Quantite><MontantHT>${cents(l.netCents)}</MontantHT><TauxTVA>${l.rate.rate}</TauxTVA></Ligne>`).join('');
  return `<CPPFacturePivotUnitaire NumOrdre="${k}"><Fournisseur><TypeIdentifiant>1</TypeIdentifiant><Identifiant>${seller.siret}</Identifiant><RaisonSociale>${esc(seller.name)}</RaisonSociale><CodePays>FR</CodePays><ModeEmission>flux</ModeEmission></Fournisseur><Debiteur><TypeIdentifiant>1</TypeIdentifiant><Identifiant>${buyer.siret}</Identifiant><Nom>${esc(buyer.name)}</Nom><CodeService>${codeService}</CodeService></Debiteur><DonneesFacture><Id>${number}</Id><Type>380</Type><Cadre>A1</Cadre><DateEmissionFacture>${issue}</DateEmissionFacture><ModePaiement><Code>30</Code></ModePaiement><DateReception>${issue}</DateReception><Devise>EUR</Devise><Montants><MontantHT>${cents(t.net)}</MontantHT><MontantTTC>${cents(t.total)}</MontantTTC><MontantNetAPayer>${cents(t.total)}</MontantNetAPayer></Montants><TVAs>${tvas}</TVAs><Engagement><NumeroEngagement>${engagement}</NumeroEngagement></Engagement><Lignes>${lignes}</Lignes></DonneesFacture><PJ NumOrdre="1"><Contenu>${pdfB64}</Contenu><NomPJ>${number}.pdf</NomPJ><TypePJ>01</TypePJ><MimeTypePJ>application/pdf</MimeTypePJ></PJ></CPPFacturePivotUnitaire>`;
}

/** Generates the corpus and its configuration under `dir`. */
export function generateCorpus(dir: string, opts: CorpusOptions): CorpusSummary {
  const rnd = prng(opts.seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)];
  const CITIES: [string, string][] = [['Tours', '37000'], ['Nantes', '44000'], ['Lyon', '69001'], ['Lille', '59000'], ['Rennes', '35000'], ['Dijon', '21000'], ['Limoges', '87000'], ['Pau', '64000']];
  const suppliers: Party[] = Array.from({ length: 300 }, (_, k) => {
    const s = siret(rnd, '9');
    const [city, postcode] = pick(CITIES);
    return { siret: s, name: `Fournisseur ${k + 1} SAS`, city, postcode, vat: vatOf(s.slice(0, 9)) };
  });
  const routing: RoutingEntry[] = Array.from({ length: 40 }, (_, k) => ({
    siret: siret(rnd, pick(['21', '20', '26', '19', '11'])),
    recepteurId: `REC${String(k + 1).padStart(3, '0')}`,
    name: pick(['Commune', 'Département', 'Centre hospitalier', 'Lycée', 'Direction régionale']) + ` n°${k + 1}`,
    codeServices: ['FINANCES', 'ACHATS', 'TECHNIQUE'],
  }));
  const buyers: Party[] = routing.map((r) => {
    const [city, postcode] = pick(CITIES);
    return { siret: r.siret, name: r.name, city, postcode };
  });
  const inbox = path.join(dir, 'inbox');
  const partners = ['op-alpha', 'op-beta', 'op-gamma', 'op-delta'];
  for (const p of partners) mkdirSync(path.join(inbox, p), { recursive: true });
  const pdfCache = new Map<number, string>();
  const pdfB64 = (size: number, title: string) => {
    const key = Math.round(size / 4096);
    let b = pdfCache.get(key);
    if (!b) {
      b = pdfOf(title, key * 4096 + 2048).toString('base64');
      pdfCache.set(key, b);
    }
    return b;
  };
  const lineCount = () => {
    const r = rnd();
    return r < 0.55 ? int(1, 5) : r < 0.85 ? int(6, 20) : r < 0.97 ? int(21, 80) : int(81, 200);
  };
  const makeLines = (): Line[] => Array.from({ length: lineCount() }, () => ({ name: pick(ITEMS), ref: `REF-${int(1000, 9999)}`, qty: int(1, 40), priceCents: int(150, 250000), rate: RATES[rnd() < 0.8 ? 0 : int(1, 3)] }));

  const summary: CorpusSummary = { dir, configFile: path.join(dir, 'config.json'), inbox, files: 0, invoices: 0, invalid: 0, bytes: 0, byKind: {} };
  let n = 0;
  const write = (partner: string, name: string, text: string, kind: string, invoices: number) => {
    const f = path.join(inbox, partner, name);
    writeFileSync(f, text);
    summary.files++;
    summary.invoices += invoices;
    summary.bytes += Buffer.byteLength(text);
    summary.byKind[kind] = (summary.byKind[kind] ?? 0) + 1;
  };
  while (summary.invoices < opts.invoices) {
    n++;
    const kind = opts.small ? (rnd() < 0.3 ? 0.75 : rnd() * 0.55) : rnd();
    const seller = pick(suppliers);
    const bi = Math.floor(rnd() * buyers.length);
    const buyer = buyers[bi];
    const number = `F${opts.seed}-${String(n).padStart(7, '0')}`;
    const issue = `2026-${String(int(1, 11)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`;
    const cs = pick(routing[bi].codeServices);
    const ej = `EJ-${int(100000, 999999)}`;
    const invalid = rnd() < 0.05;
    const partner = pick(partners);
    if (kind < 0.55) {
      // UBL E1, sometimes with complementary attachments (quotes, delivery notes: 20 – 400 KB)
      const atts = !opts.small && rnd() < 0.3 ? Array.from({ length: int(1, 2) }, (_, k) => ({ id: `PJ${k + 1}`, name: pick(['devis.pdf', 'bon-de-livraison.pdf', 'pv-reception.pdf']), desc: pick(['Devis', 'Bon de livraison', 'Procès-verbal']), b64: pdfB64(int(20_000, 400_000), 'Annexe') })) : [];
      let defect: string | undefined;
      let b = buyer;
      if (invalid) {
        defect = pick(['total', 'malformed', 'recipient']);
        if (defect === 'recipient') b = { ...buyer, siret: '11921527500015' };
        summary.invalid++;
      }
      write(partner, `${number}.xml`, ubl(number, issue, seller, b, cs, ej, totals(makeLines()), atts, defect), 'UBL E1', 1);
    } else if (kind < 0.7) {
      // UBL E2: the invoice PDF (30 – 250 KB) is the invoice document
      const t = totals(makeLines().slice(0, 3));
      const pdf = [{ id: 'FACTURE', code: '380', name: `${number}.pdf`, desc: 'Facture', b64: pdfB64(int(30_000, 250_000), `Facture ${number}`) }];
      if (invalid) summary.invalid++;
      write(partner, `${number}-e2.xml`, ubl(number, issue, seller, buyer, cs, ej, t, pdf, invalid ? 'total' : undefined), 'UBL E2', 1);
    } else if (kind < 0.9) {
      if (invalid) summary.invalid++;
      const text = cii(number, issue, seller, invalid ? { ...buyer, siret: '11921527500015' } : buyer, cs, ej, totals(makeLines()));
      write(partner, `${number}-cii.xml`, text, 'CII', 1);
    } else {
      // a multi-invoice pivot: 2 to 20 invoices, each with its PDF (10 – 60 KB)
      const count = int(2, 20);
      const units: string[] = [];
      for (let k = 1; k <= count; k++) {
        const bj = Math.floor(rnd() * buyers.length);
        const bad = rnd() < 0.05;
        if (bad) summary.invalid++;
        units.push(pivotUnit(k, `${number}-${k}`, issue, seller, bad ? { ...buyers[bj], siret: '11921527500015' } : buyers[bj], pick(routing[bj].codeServices), ej, totals(makeLines().slice(0, 10)), pdfB64(int(10_000, 60_000), 'Facture pivot')));
      }
      const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<CPPFacturePivot Version="V1_22"><Enveloppe><EnveloppeUnitaire NumOrdre="1"><Parametres><ParametreIndiv NumOrdre="0001"><Code>DtPrd</Code><Valeurparametre>${issue}</Valeurparametre></ParametreIndiv><ParametreIndiv NumOrdre="0002"><Code>IdFlx</Code><Valeurparametre>${number}</Valeurparametre></ParametreIndiv></Parametres><Partenaires><Recepteur><Id>CFX001</Id></Recepteur><Emetteur><Id>LPO001</Id></Emetteur></Partenaires></EnveloppeUnitaire></Enveloppe><CPPFactures Compteur="${count}">${units.join('')}</CPPFactures></CPPFacturePivot>\n`;
      write(partner, `${number}-pivot.xml`, xml, 'pivot', count);
    }
  }
  const config = {
    $comment: `bench corpus, seed ${opts.seed}`,
    paths: { out: 'out' },
    partners: partners.map((id) => ({ id })),
    recipients: routing.map((r) => ({ siret: r.siret, recepteurId: r.recepteurId, name: r.name, codeServices: r.codeServices, requiresCodeService: true })),
    facturx: { enabled: true },
  };
  writeFileSync(summary.configFile, JSON.stringify(config, null, 2));
  return summary;
}

/** A single flow of about `megabytes` MB: one UBL invoice with many large attachments (each < 10 MB). */
export function generateLargeFlow(file: string, megabytes: number): { bytes: number; attachments: number } {
  const attachments: { id: string; name: string; desc: string; b64: string }[] = [];
  let total = 0;
  const target = megabytes * 1024 * 1024;
  const one = pdfOf('Annexe volumineuse', 9 * 1024 * 1024).toString('base64'); // 9 MB → 12 MB of base64
  while (total + one.length < target - 200_000) {
    attachments.push({ id: `PJ${attachments.length + 1}`, name: `annexe-${attachments.length + 1}.pdf`, desc: 'Document annexe', b64: one });
    total += one.length;
  }
  const seller: Party = { siret: '99746507500015', name: 'Papeterie Lemoine SAS', city: 'Tours', postcode: '37000', vat: 'FR42997465075' };
  const buyer: Party = { siret: '21787789300016', name: 'Commune de Valmont-sur-Loire', city: 'Valmont', postcode: '37270' };
  const xml = ubl('BIG-0001', '2026-11-02', seller, buyer, 'FINANCES', 'EJ-1', totals([{ name: 'Dossier complet', ref: 'DOS-1', qty: 1, priceCents: 100000, rate: RATES[0] }]), attachments);
  writeFileSync(file, xml);
  return { bytes: Buffer.byteLength(xml), attachments: attachments.length };
}

const USAGE = 'usage: node dist/bench/generate.js <dir> [--invoices 10000] [--seed 42]\n';

/** The command line, strictly: an unknown option or a non-number used to become a corpus folder or NaN. */
export function generateArgs(argv: string[]): { dir: string; invoices: number; seed: number } | 'help' {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { invoices: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) return 'help';
  if (positionals.length > 1) throw new Error(`one corpus folder expected, got ${positionals.map((p) => `'${p}'`).join(', ')}\n${USAGE}`);
  const count = (name: 'invoices' | 'seed', def: number): number => {
    const text = values[name];
    if (text === undefined) return def;
    if (!/^\d+$/.test(text)) throw new Error(`--${name} '${text}' is not a whole number\n${USAGE}`);
    return Number(text);
  };
  return { dir: positionals[0] ?? 'bench-corpus', invoices: count('invoices', 10000), seed: count('seed', 42) };
}

if (require.main === module) {
  let args: ReturnType<typeof generateArgs>;
  try {
    args = generateArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`bench/generate: ${(e as Error).message}`);
    process.exit(2);
  }
  if (args === 'help') {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const s = generateCorpus(path.resolve(args.dir), { invoices: args.invoices, seed: args.seed });
  process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
}
