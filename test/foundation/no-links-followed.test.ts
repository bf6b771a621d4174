/**
 * chorus-flux follows no link a partner could plant (found by a hostile audit). A partner
 * with SFTP access to its outbox could replace statut/<partner>/ with a link to any folder the
 * service may write, and every later output went there, the reconciliation CLEAN; a file of
 * the inbox swapped for a link after it was listed was read through it (/etc/passwd archived
 * as the partner's) or hung the run on a FIFO. Now: an output folder that is a link fails the
 * file with a plain reason, nothing written through it; a swapped inbox entry is left, not
 * read; the reconciliation and the kept-copy lookup never block on a FIFO.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { ClaimedNotAFile, claimFile } from '../../src/ingest/claim';
import { hashFile } from '../../src/reconcile/scan-folders';
import { createDeps } from '../../src/runner/deps';
import { FileNotTaken, processFile } from '../../src/runner/process-file';
import { dayOf } from '../../src/util/clock';
import { createLogger } from '../../src/util/logger';
import { FolderNotReal } from '../../src/util/real-folder';
import { cli } from '../helpers/cli';
import { bundledConfig, fixturesCopy, listFiles, tempDir } from '../helpers/run';

const mkfifo = (p: string) => execFileSync('mkfifo', [p]);

it('an outbox folder that is a link: the files that write there fail plainly, nothing lands where it points; once removed, the next run finishes them', async () => {
  const { inbox, out } = fixturesCopy();
  const victim = tempDir('cf-victim-');
  mkdirSync(path.join(out, 'statut'), { recursive: true });
  symlinkSync(victim, path.join(out, 'statut', 'op-gamma'));
  const r = await cli(['run', inbox, '--out', out, '--no-progress', '--threads', '1'], { timeoutMs: 60_000 });
  expect(r.code).toBe(2);
  expect(r.stderr + r.stdout).toContain(`the folder statut/op-gamma under ${out} is a symbolic link (to ${victim})`);
  expect(readdirSync(victim)).toEqual([]);
  // op-gamma's files (all refused: their status flows go to statut/op-gamma) are left in the inbox
  expect(readdirSync(path.join(inbox, 'op-gamma')).length).toBeGreaterThan(0);

  rmSync(path.join(out, 'statut', 'op-gamma'));
  const again = await cli(['run', inbox, '--out', out, '--no-progress', '-q'], { timeoutMs: 60_000 });
  expect(again.code).toBe(0);
  expect(listFiles(out).filter((f) => f.startsWith('statut/op-gamma/')).length).toBeGreaterThan(0);
  const rec = await cli(['reconcile', '--out', out, '--date', dayOf(new Date(), 'Europe/Paris')], { timeoutMs: 60_000 });
  expect(rec.stdout).toContain('CLEAN');
}, 120_000);

it('a processing folder that is a link: the claim is refused, the file stays in its inbox', async () => {
  const root = tempDir('cf-claim-link-');
  const victim = tempDir('cf-victim-');
  mkdirSync(path.join(root, 'inbox'), { recursive: true });
  mkdirSync(path.join(root, 'processing'));
  symlinkSync(victim, path.join(root, 'processing', 'op-beta'));
  const src = path.join(root, 'inbox', 'facture.xml');
  writeFileSync(src, '<Invoice/>');
  await expect(claimFile(src, path.join(root, 'processing'), 'op-beta')).rejects.toBeInstanceOf(FolderNotReal);
  expect(existsSync(src)).toBe(true);
  expect(readdirSync(victim)).toEqual([]);
});

describe('an inbox entry swapped for something else between the watcher\'s last look and its claim (a partner racing it)', () => {
  // the watcher saw a stable regular file, then renamed whatever held the name: a link was
  // moved into processing/ and its target hashed and queued as the partner's file, a FIFO hung
  // the watcher for every inbox, a folder's files were stranded in processing/
  const setup = () => {
    const root = tempDir('cf-claim-swap-');
    const inbox = path.join(root, 'inbox');
    const processing = path.join(root, 'processing');
    mkdirSync(inbox);
    return { root, inbox, processing };
  };
  const claimedEntries = (processing: string) => (existsSync(path.join(processing, 'op-alpha')) ? readdirSync(path.join(processing, 'op-alpha')) : []);

  it.each([
    ['a link to a file outside', 'a symbolic link', (p: string, root: string) => symlinkSync(path.join(root, 'secret.txt'), p)],
    ['a FIFO', 'a FIFO', (p: string) => mkfifo(p)],
    ['a folder of files', 'a folder', (p: string) => (mkdirSync(p), writeFileSync(path.join(p, 'inner.xml'), '<Invoice/>'))],
  ])('for %s: put back into the inbox beside its name, not read, nothing left in processing/', async (_what, said, make) => {
    const { root, inbox, processing } = setup();
    writeFileSync(path.join(root, 'secret.txt'), 'not the partner\'s');
    make(path.join(inbox, 'x.xml'), root);
    const started = Date.now();
    const claim = claimFile(path.join(inbox, 'x.xml'), processing, 'op-alpha');
    await expect(claim).rejects.toBeInstanceOf(ClaimedNotAFile);
    await expect(claim).rejects.toThrow(`x.xml became ${said} as it was claimed: not followed, not read, moved back into its inbox`);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(claimedEntries(processing)).toEqual([]);
    const back = readdirSync(inbox);
    expect(back).toHaveLength(1);
    expect(back[0]).toMatch(/^[0-9a-z]+-[0-9a-f]+__x\.xml$/);
    expect(lstatSync(path.join(inbox, back[0])).isFile()).toBe(false);
    expect(readFileSync(path.join(root, 'secret.txt'), 'utf8')).toBe('not the partner\'s');
  });

  it('a regular file is claimed as ever', async () => {
    const { inbox, processing } = setup();
    writeFileSync(path.join(inbox, 'x.xml'), '<Invoice/>');
    const c = await claimFile(path.join(inbox, 'x.xml'), processing, 'op-alpha');
    expect(c && readFileSync(c.path, 'utf8')).toBe('<Invoice/>');
    expect(readdirSync(inbox)).toEqual([]);
  });
});

describe('an inbox entry swapped after it was listed', () => {
  const setup = () => {
    const out = tempDir('cf-swap-');
    const inbox = path.join(out, 'inbox', 'op-alpha');
    mkdirSync(inbox, { recursive: true });
    const deps = createDeps(bundledConfig(path.join(out, 'out')), { logger: createLogger({ level: 'silent' }) });
    const file = (name: string) => ({ path: path.join(inbox, name), name, relPath: `op-alpha/${name}`, partner: 'op-alpha' });
    return { out, inbox, deps, file };
  };

  it('for a link to a file outside: not read, not archived, left for the scan to skip', async () => {
    const { out, inbox, deps, file } = setup();
    const outside = path.join(out, 'secret.xml');
    writeFileSync(outside, '<secret/>');
    symlinkSync(outside, path.join(inbox, 'f.xml'));
    await expect(processFile(deps, file('f.xml'))).rejects.toThrow(/became a symbolic link after it was listed: not followed, not read/);
    expect(existsSync(path.join(out, 'out', 'archive')) || existsSync(path.join(out, 'out', 'error'))).toBe(false);
  });

  it('for a FIFO: not opened for a blocking read (the run hung, deaf to SIGTERM)', async () => {
    const { inbox, deps, file } = setup();
    mkfifo(path.join(inbox, 'p.xml'));
    const started = Date.now();
    await expect(processFile(deps, file('p.xml'))).rejects.toBeInstanceOf(FileNotTaken);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('for a socket (its open refused, ENXIO): said not a regular file, as the lstat said before the open', async () => {
    const { inbox, deps, file } = setup();
    const server = createServer();
    await new Promise<void>((r) => server.listen(path.join(inbox, 's.xml'), r));
    try {
      await expect(processFile(deps, file('s.xml'))).rejects.toThrow('op-alpha/s.xml became not a regular file after it was listed: not followed, not read');
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('for a folder: said a folder, nothing read', async () => {
    const { inbox, deps, file } = setup();
    mkdirSync(path.join(inbox, 'd.xml'));
    await expect(processFile(deps, file('d.xml'))).rejects.toThrow('op-alpha/d.xml became a folder after it was listed');
  });
});

it('the reconciliation hashes no FIFO at an output name: it is no file', async () => {
  const dir = tempDir('cf-fifo-');
  mkfifo(path.join(dir, 'FEN1200A_x.xml'));
  symlinkSync(path.join(dir, 'FEN1200A_x.xml'), path.join(dir, 'link.xml'));
  expect(await hashFile(path.join(dir, 'FEN1200A_x.xml'))).toBeUndefined();
  expect(await hashFile(path.join(dir, 'link.xml'))).toBeUndefined();
});

it('a link to a FIFO at an original\'s name in archive/: the name is taken, the original kept under its hash-tagged name', async () => {
  const { inbox, out } = fixturesCopy();
  const day = dayOf(new Date(), 'Europe/Paris');
  const fifo = path.join(tempDir('cf-fifo-'), 'fifo');
  mkfifo(fifo);
  mkdirSync(path.join(out, 'archive', day), { recursive: true });
  symlinkSync(fifo, path.join(out, 'archive', day, 'facture-e1-papeterie.xml'));
  for (const p of readdirSync(inbox)) if (p !== 'op-alpha') rmSync(path.join(inbox, p), { recursive: true });
  for (const f of readdirSync(path.join(inbox, 'op-alpha'))) if (f !== 'facture-e1-papeterie.xml') rmSync(path.join(inbox, 'op-alpha', f));
  const r = await cli(['run', inbox, '--out', out, '--no-progress', '-q'], { timeoutMs: 30_000 });
  expect(r.code).toBe(0);
  expect(listFiles(out).filter((f) => f.startsWith(`archive/${day}/facture-e1-papeterie.`) && f !== `archive/${day}/facture-e1-papeterie.xml`)).toHaveLength(1);
}, 60_000);

