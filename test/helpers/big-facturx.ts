/**
 * A Factur-X of a few KB on disk whose embedded CII inflates to megabytes: what the runners'
 * in-flight budgets must count with its XML (in-flight-budget.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync } from 'node:zlib';
import { FIXTURES_INBOX } from './run';

/** A Factur-X (a bare PDF embedding factur-x.xml) whose CII is about `xmlBytes` long: a few KB on disk. */
export function bigXmlFacturX(xmlBytes: number, tag: string): Buffer {
  let xml = readFileSync(path.join(FIXTURES_INBOX, 'op-beta', 'facture-cii-hopital.xml'), 'utf8');
  const end = '</ram:IncludedSupplyChainTradeLineItem>';
  const a = xml.indexOf('<ram:IncludedSupplyChainTradeLineItem>');
  const b = xml.indexOf(end) + end.length;
  xml = `${xml.slice(0, b)}${xml.slice(a, b).repeat(Math.ceil(xmlBytes / (b - a)))}${xml.slice(b)}<!-- ${tag} -->`;
  const z = deflateSync(Buffer.from(xml), { level: 9 });
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 4 0 R >> >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>',
    '<< /Names [(factur-x.xml) 5 0 R] >>',
    '<< /Type /Filespec /F (factur-x.xml) /UF (factur-x.xml) /EF << /F 6 0 R >> >>',
  ].map((o) => Buffer.from(o));
  objects.push(Buffer.concat([Buffer.from(`<< /Type /EmbeddedFile /Filter /FlateDecode /Length ${z.length} >>\nstream\n`), z, Buffer.from('\nendstream')]));
  const parts = [Buffer.from('%PDF-1.7\n')];
  let size = parts[0].length;
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(size);
    const obj = Buffer.concat([Buffer.from(`${i + 1} 0 obj\n`), o, Buffer.from('\nendobj\n')]);
    parts.push(obj);
    size += obj.length;
  });
  parts.push(Buffer.from(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${size}\n%%EOF\n`));
  return Buffer.concat(parts);
}

