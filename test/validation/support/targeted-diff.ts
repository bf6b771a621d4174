/**
 * The targeted lexical mutants of targeted-mutants.ts against the official XSLT, by hand:
 *
 *   node -r ./test/helpers/ts-register.js test/validation/support/targeted-diff.ts [out.json]
 *
 * Prints each mutant where our fatal ids (profile en16931) and the XSLT's differ, grouped by
 * the kind of value and the form written.
 */
import { writeFileSync } from 'node:fs';
import { judge } from './mutant-diff';
import { targetedMutants } from './targeted-mutants';

async function main(): Promise<void> {
  const file = process.argv[2] ?? '/tmp/targeted-diff.json';
  const t0 = Date.now();
  const v = await judge(targetedMutants());
  const diff = v.filter((x) => x.missed.length + x.extra.length > 0);
  writeFileSync(file, JSON.stringify(diff.map((d) => ({ name: d.mutant.name, ops: d.mutant.ops, xsltError: d.xsltError, chorus: d.chorus, official: d.official, ours: d.ours, missed: d.missed, extra: d.extra, refusal: d.refusal })), null, 1));
  process.stdout.write(`${v.length} mutants, ${v.length - diff.length} agree, ${diff.length} disagree, ${v.filter((x) => x.xsltError).length} the XSLT cannot evaluate; ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  for (const d of diff) process.stdout.write(`${d.mutant.name}\t${d.mutant.ops[0]}\tmissed ${d.missed.join(',')}\textra ${d.extra.join(',')}${d.xsltError ? `\txslt: ${d.xsltError.slice(0, 80)}` : ''}${d.refusal ? `\t[${d.refusal.slice(0, 60)}]` : ''}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
