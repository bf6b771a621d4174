/**
 * The Factur-X of a representative set of accepted invoices, as the pipeline embeds them in
 * its pivots: the project's fixtures, the official EN 16931 examples (routed to a recipient
 * of the bundled configuration) and a small bench corpus (bench/generate.ts). Each is
 * labelled by where it comes from, so that the French Flux 2 allow-list can name it.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateCorpus } from '../../bench/generate';
import { configFromObject, type Config } from '../../src/config/config';
import { corpusFiles } from '../helpers/corpus';
import { facturXAttachments, walk } from '../helpers/hostile';
import { routedCii, routedUbl } from '../helpers/routed-examples';
import { bundledConfig, FIXTURES_INBOX, runOnce, tempDir } from '../helpers/run';

const withFacturX = (c: Config): Config => ({ ...c, facturx: { ...c.facturx, enabled: true, profile: 'EN 16931' } });

/** The factur-x.xml of every pivot under `out`, by the BT-1 it carries. */
async function byInvoiceNumber(out: string, scratch: string): Promise<Map<string, string>> {
  const docs = new Map<string, string>();
  for (const set of (await facturXAttachments(walk(path.join(out, 'pivot')), scratch)).values()) {
    for (const cii of set.values()) docs.set(/<rsm:ExchangedDocument>\s*<ram:ID>([^<]*)</.exec(cii)?.[1] ?? '?', cii);
  }
  return docs;
}

/** The bench file kind an invoice number comes from: `ubl`, `ubl+pj` (with attachments), `e2`, `cii`, `pivot`. */
function benchKind(inbox: string, number: string): string {
  for (const partner of ['op-alpha', 'op-beta', 'op-gamma', 'op-delta']) {
    const f = (name: string) => path.join(inbox, partner, name);
    if (existsSync(f(`${number}.xml`))) return readFileSync(f(`${number}.xml`), 'utf8').includes('<cac:AdditionalDocumentReference>') ? 'ubl+pj' : 'ubl';
    if (existsSync(f(`${number}-e2.xml`))) return 'e2';
    if (existsSync(f(`${number}-cii.xml`))) return 'cii';
  }
  return /-\d{7}-\d+$/.test(number) ? 'pivot' : '?';
}

/** The official examples, each routed and numbered as flux2Documents sends them: `official:<file>` → the flow. */
export function officialFlows(): { label: string; cii: boolean; text: string }[] {
  const sources = [...corpusFiles('en16931/ubl-examples', /\.(xml|XML)$/), ...corpusFiles('en16931/cii-examples')];
  return sources.map((f, k) => {
    const cii = f.includes('cii-examples');
    return { label: `official:${path.basename(f)}`, cii, text: (cii ? routedCii : routedUbl)(readFileSync(f, 'utf8'), k + 1) };
  });
}

/** label → factur-x.xml: `fixture:<BT-1>`, `official:<file>`, `bench:<kind>:<BT-1>`. */
export async function flux2Documents(): Promise<Map<string, string>> {
  const docs = new Map<string, string>();
  // the fixtures (npm start)
  {
    const root = tempDir('cf-flux2-');
    cpSync(FIXTURES_INBOX, path.join(root, 'inbox'), { recursive: true });
    await runOnce(path.join(root, 'inbox'), withFacturX(bundledConfig(path.join(root, 'out'))));
    for (const [n, cii] of await byInvoiceNumber(path.join(root, 'out'), path.join(root, 'fx'))) docs.set(`fixture:${n}`, cii);
  }
  // the official examples, each with a number of its own: X<serial>-<its number>
  {
    const root = tempDir('cf-flux2-');
    const inbox = path.join(root, 'inbox', 'op-alpha');
    mkdirSync(inbox, { recursive: true });
    const flows = officialFlows();
    flows.forEach((f, k) => writeFileSync(path.join(inbox, `${k + 1}.xml`), f.text));
    await runOnce(path.join(root, 'inbox'), withFacturX(bundledConfig(path.join(root, 'out'))));
    for (const [n, cii] of await byInvoiceNumber(path.join(root, 'out'), path.join(root, 'fx'))) {
      const serial = Number(/^X(\d+)-/.exec(n)?.[1]);
      docs.set(flows[serial - 1]?.label ?? `official:${n}`, cii);
    }
  }
  // a bench corpus: UBL E1 (with and without attachments), UBL E2, CII, pivots
  {
    const root = tempDir('cf-flux2-bench-');
    const s = generateCorpus(root, { invoices: 60, seed: 7 });
    const config = configFromObject(JSON.parse(readFileSync(s.configFile, 'utf8')), root, s.configFile, { out: path.join(root, 'out') });
    await runOnce(s.inbox, config);
    for (const [n, cii] of await byInvoiceNumber(path.join(root, 'out'), path.join(root, 'fx'))) docs.set(`bench:${benchKind(s.inbox, n)}:${n}`, cii);
  }
  return docs;
}
