/**
 * The ingest contract under a seeded, structure-aware mutation fuzz (support/ingest-fuzz.ts,
 * test/helpers/xml-mutations.ts): valid seeds — the fixtures, official UBL and CII examples
 * routed to a recipient, the Chorus Pro pivot, mixed and status samples, a finance SI's status
 * flow — cut at tag boundaries or inside a character, elements doubled, dropped, swapped and
 * moved, namespace prefixes and default namespaces played with, encodings that lie, byte-order
 * marks, NUL and other forbidden characters, values of megabytes, nesting 100,000 deep, numbers
 * and dates at their edges, base64 broken, hostile attachment names, MIME types that lie, a DTD,
 * CDATA, comments and processing instructions; and rewritings that keep the document the same
 * (another prefix, a default namespace, UTF-16 or windows-1252 that says so, CDATA, character
 * references, base64 in lines, CRLF…), each beside its unmutated control, which must end the
 * same way with the same fatal rules.
 *
 * Through the real command line, in a real tree: `run`, `reconcile`, `validate --json`. Each file
 * gets exactly one outcome in the journal; a refused original is kept byte for byte in error/;
 * every output passes the official oracle (XSDs, schematrons; a rule id and a reason of at most
 * 300 characters in every status flow); nothing is written outside the tree and the inbox is
 * untouched; no crash, no stack trace; the day reconciles CLEAN.
 *
 * It found: a pivot whose NomPJ was 1 MB of letters made `run` grow past 14 GB and never end
 * (test/enrich/long-names-segmented.test.ts); a seller name of 1 MB made a Factur-X of 15 MB
 * whose pivot xmllint would not read (test/facturx/long-seller-metadata.test.ts); a pivot whose
 * xsi prefix had another name refused FLUX-SCHEMA (test/validation/xsi-by-namespace.test.ts). Thousands of cases by hand (seeds printed):
 *   node -r ./test/helpers/ts-register.js test/validation/support/ingest-fuzz.ts <seed> <cases> [<batches>]
 * or here with INGEST_FUZZ_SEED and INGEST_FUZZ_CASES.
 */
import { EQUIVALENT_MUTATIONS, XML_MUTATIONS } from '../helpers/xml-mutations';
import { campaign } from './support/ingest-fuzz';

const SEED = Number(process.env.INGEST_FUZZ_SEED ?? 20261207);
/** Every mutation once (31), then drawn at random: about 20 s. */
const CASES = Number(process.env.INGEST_FUZZ_CASES ?? 40);

it(`ingest fuzz, seed ${SEED}, ${CASES} cases: one outcome each, originals kept, outputs valid, nothing outside the tree, reconciled CLEAN`, async () => {
  const r = await campaign(SEED, CASES);
  expect(r.problems).toEqual([]);
  // the campaign reaches what it tests: every mutation applied, refusals and acceptances both
  const applied = new Set(r.written.flatMap((w) => w.mutations));
  expect([...Object.keys(XML_MUTATIONS), ...Object.keys(EQUIVALENT_MUTATIONS)].filter((m) => !applied.has(m))).toEqual([]);
  const outcomes = new Set(r.outcomes.values());
  expect(outcomes).toContain('refused');
  expect(outcomes).toContain('accepted');
  expect(r.written.filter((w) => w.control).length).toBeGreaterThan(10);
}, 10 * 60_000);
