/**
 * The contents (SHA-256) of the files still waiting in the processing area: claimed and
 * queued, or left there by a failed job for `retry` or `set-aside` (docs/OPERATIONS.md, "Failed
 * jobs"), however long ago. The prune keeps their attempt records whatever their age
 * (prune-marks.ts): `set-aside` forgets the lifecycle decisions an interrupted attempt took only
 * when it finds that record, and a retry takes back the identity its outputs may already carry.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sha256OfFile } from '../util/hash';

export async function waitingContents(processingDir: string): Promise<Set<string>> {
  const out = new Set<string>();
  const list = (dir: string) => fs.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const partner of await list(processingDir)) {
    if (!partner.isDirectory()) continue;
    for (const f of await list(path.join(processingDir, partner.name))) {
      if (!f.isFile()) continue;
      // a file that went meanwhile (finished, set aside) no longer waits
      const sha = await sha256OfFile(path.join(processingDir, partner.name, f.name)).catch(() => undefined);
      if (sha) out.add(sha);
    }
  }
  return out;
}
