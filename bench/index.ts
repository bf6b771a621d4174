/**
 * `npm run bench [-- <name>…]`: runs the benchmarks (all by default) and writes their
 * results to docs/PERFORMANCE.md with the machine and the date.
 *   validate  — our EN 16931 validator vs the official schematron on SaxonJS
 *   facturx   — Factur-X per second vs @e-invoice-eu/core
 *   reconcile — a day of 100,000 invoices reconciled
 *   pipeline  — the embedded runner end to end, with and without Factur-X, memory soak, 120 MB flow
 *   scale     — 1 vs 2 worker processes on Redis
 *   instructions — instructions per invoice under callgrind (only when named: ~12 minutes)
 */
import { main as facturx } from './facturx';
import { main as instructions } from './instructions';
import { main as pipeline } from './pipeline';
import { main as reconcile } from './reconcile';
import { main as scale } from './scale';
import { main as validate } from './validate';
import { emptyTrash, lowDiskWarning, recentRemovalWarning } from './trash';

const BENCHES: Record<string, () => Promise<unknown>> = { validate, facturx, reconcile, pipeline, scale, instructions };
/** run only when asked by name */
const OPT_IN = new Set(['instructions']);

async function run(): Promise<void> {
  const asked = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const names = asked.length ? asked : Object.keys(BENCHES).filter((n) => !OPT_IN.has(n));
  for (const warning of [recentRemovalWarning(), lowDiskWarning()]) if (warning) process.stderr.write(`${warning}\n`);
  for (const n of names) {
    const b = BENCHES[n];
    if (!b) throw new Error(`unknown benchmark "${n}" (known: ${Object.keys(BENCHES).join(', ')})`);
    process.stderr.write(`\n=== bench ${n}\n`);
    await b();
  }
}

// the folders the benchmarks are done with are removed once, at the end (trash.ts)
run().then(emptyTrash).catch((e) => {
  process.stderr.write(`${e?.stack ?? e}\n`);
  process.exit(1);
});
