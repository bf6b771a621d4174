/**
 * The disk fills up during a run: the run stops with exit 2 and says so plainly, every input
 * is still in the inbox, untouched; once space is freed, a new run finishes the rest, nothing
 * twice, and the day reconciles clean.
 *
 * Also: an output folder on a read-only file system is refused at start with its reason.
 *
 * The output root is a small tmpfs mounted for the test, so it needs root (CAP_SYS_ADMIN), as
 * `.ci/run` has; without it the test says so and does not run.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/config';
import { ensureDir } from '../../src/emit/atomic-write';
import { dayOf } from '../../src/util/clock';
import { cli, ROOT } from '../helpers/cli';
import { invoiceNumbered } from '../helpers/generate-flows';
import { FIXTURES_INBOX, listFiles } from '../helpers/run';
import { mountTmpfs, tmpfsVolume, unmount } from '../helpers/tmpfs';

const FILES = 60;

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('a disk that fills up during a run', () => {
  const { root, dir: out, maybe } = tmpfsVolume({ prefix: 'cf-disk-full-', name: 'out', size: '1m', what: 'disk-full test' });

  maybe('stops with exit 2 and a plain reason, keeps every input untouched, and a later run finishes each file once', async () => {
    const inbox = path.join(root, 'inbox', 'op-alpha');
    mkdirSync(inbox, { recursive: true });
    // the bundled configuration with its partners' inboxes here (the reconciliation looks at them)
    const raw = JSON.parse(readFileSync(path.join(ROOT, 'config/example.json'), 'utf8')) as { partners: { id: string; inbox?: string }[]; paths?: unknown };
    for (const p of raw.partners) p.inbox = path.join(root, 'inbox', p.id);
    delete raw.paths;
    const config = path.join(root, 'config.json');
    writeFileSync(config, JSON.stringify(raw));
    for (let n = 1; n <= FILES; n++) writeFileSync(path.join(inbox, `F${String(n).padStart(3, '0')}.xml`), invoiceNumbered(n));
    const before = new Map(listFiles(inbox).map((f) => [f, sha(path.join(inbox, f))]));

    const full = await cli(['run', path.join(root, 'inbox'), '--config', config, '--out', out, '--no-progress', '--threads', '1'], { timeoutMs: 120_000 });
    expect(full.code).toBe(2);
    expect(full.stderr).toMatch(/chorus-flux: (stopped|\d+ file\(s\) not finished): the disk is full/);
    expect(full.stderr).toContain('ENOSPC');
    // every input is still there, byte for byte
    expect(new Map(listFiles(inbox).map((f) => [f, sha(path.join(inbox, f))]))).toEqual(before);

    expect(mountTmpfs(out, '64m', true)).toBe(true);
    const again = await cli(['run', path.join(root, 'inbox'), '--config', config, '--out', out, '--no-progress'], { timeoutMs: 120_000 });
    expect(again.stderr).not.toContain('system failure');
    expect(again.code).toBe(0);

    // no temp file left in an outbox, one pivot per invoice
    const outputs = listFiles(out);
    expect(outputs.filter((f) => /^(pivot|statut|cdar|archive|error)\//.test(f) && f.endsWith('.tmp'))).toEqual([]);
    expect(outputs.filter((f) => f.startsWith('pivot/') && f.endsWith('.xml'))).toHaveLength(FILES);
    expect(outputs.filter((f) => f.startsWith('archive/'))).toHaveLength(FILES);

    const day = dayOf(new Date(), loadConfig(config, { out }).timezone);
    const rec = await cli(['reconcile', '--date', day, '--config', config, '--out', out]);
    expect(rec.stdout).toContain('CLEAN');
    expect(rec.stdout).toMatch(new RegExp(`files ${FILES} \\(accepted ${FILES},`));
    expect(rec.stdout).toMatch(/duplicate 0, status 0, lost 0/);
    expect(rec.code).toBe(0);
  }, 240_000);

  maybe('an output folder on a read-only file system is refused at start, naming it and why', async () => {
    const ro = path.join(root, 'ro');
    mkdirSync(ro);
    expect(mountTmpfs(ro, '1m')).toBe(true);
    try {
      mkdirSync(path.join(ro, 'out'));
      expect(mountTmpfs(ro, '1m,ro', true)).toBe(true);
      for (const out of [path.join(ro, 'out'), path.join(ro, 'out', 'not-yet')]) {
        const r = await cli(['run', FIXTURES_INBOX, '--out', out, '--no-progress'], { timeoutMs: 60_000 });
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`--out: ${path.join(ro, 'out')} cannot be written (EROFS: the file system is read-only)`);
      }
    } finally {
      unmount(ro);
    }
  });

  maybe('a read-only folder of the output root (pivot/) is refused at start, and one met mid-run is named with its true error (it was ENOENT … mkdir)', async () => {
    const out = path.join(root, 'out-ro-pivot');
    const pivot = path.join(out, 'pivot');
    mkdirSync(pivot, { recursive: true });
    expect(mountTmpfs(pivot, '1m')).toBe(true);
    try {
      expect(mountTmpfs(pivot, '1m,ro', true)).toBe(true);
      const r = await cli(['run', FIXTURES_INBOX, '--out', out, '--no-progress'], { timeoutMs: 60_000 });
      expect([r.code, r.stderr]).toEqual([2, `chorus-flux: --out pivot/: ${pivot} cannot be written (EROFS: the file system is read-only)\n`]);
      expect(readdirSync(out)).toEqual(['pivot']);
      // as a writer meets it after the start
      await expect(ensureDir(path.join(pivot, 'REC030', 'deeper'))).rejects.toMatchObject({ code: 'EROFS' });
    } finally {
      unmount(pivot);
    }
  });
});
