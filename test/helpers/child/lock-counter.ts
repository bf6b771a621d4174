/**
 * Child process for the file-lock test: `lock-counter.ts <lockPath> <counterFile> <n> [hold] [staleMs]`
 * increments a counter file n times, each time read-modify-write under the lock (with a
 * yield in between, so an unlocked version would lose updates; mode `count`, or none). With `hold`, takes the lock,
 * prints "held" and waits to be killed, or for <n> ms when n > 0 (then prints "released").
 * With `try`, tries to take it within <n> ms and prints "took" or "timeout". [staleMs]: the lock's staleness.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { withFileLock } from '../../../src/state/file-lock';

async function main(): Promise<void> {
  const [lockPath, counter, nArg, mode, staleMs] = process.argv.slice(2);
  if (mode === 'try') {
    const took = await withFileLock(lockPath, async () => true, { timeoutMs: Number(nArg), ...(staleMs ? { staleMs: Number(staleMs) } : {}) }).catch(() => false);
    process.stdout.write(took ? 'took\n' : 'timeout\n');
    return;
  }
  if (mode === 'hold') {
    await withFileLock(
      lockPath,
      async () => {
        process.stdout.write('held\n');
        if (Number(nArg) > 0) await new Promise((r) => setTimeout(r, Number(nArg)));
        else await new Promise(() => setInterval(() => undefined, 1000)); // until killed
      },
      staleMs ? { staleMs: Number(staleMs) } : {},
    );
    process.stdout.write('released\n');
    return;
  }
  for (let i = 0; i < Number(nArg); i++) {
    await withFileLock(lockPath, async () => {
      const v = Number(readFileSync(counter, 'utf8'));
      await new Promise((r) => setImmediate(r));
      writeFileSync(counter, String(v + 1));
    }, staleMs ? { staleMs: Number(staleMs) } : {});
  }
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e));
  process.exit(1);
});
