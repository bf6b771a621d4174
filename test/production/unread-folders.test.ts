/**
 * An upload folder beside the configured inboxes that nobody configured (a new partner's SFTP
 * folder `initech/` beside `op-alpha/` and `op-beta/`, a mistyped `OP-ALPHA/`): `watch` reads the
 * configured inboxes only, so its files waited for ever and nothing said so. The watcher now
 * says it at its rescans — one warn line per folder when first seen, then hourly, with the rule
 * FLUX-PARTENAIRE-INCONNU, the count, the inboxes and a partner named alike — and counts the
 * files in `chorus_flux_unread_folder_files`; it takes nothing from there. Folders that are no
 * upload folder are left unsaid: chorus-flux's own output folders beside the inboxes, the
 * configuration's folder, a folder listed in `watch.notInboxes`, dot-folders, links, folders of temporary uploads only, and a
 * partner's own folders beside an inbox not named after it (/home/op-gamma/in beside out/).
 * Real files, a real watcher on the test Redis.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { configFromObject } from '../../src/config/config';
import { STRAY_REPEAT_MS, StrayNotices } from '../../src/ingest/stray-notices';
import { createMetrics } from '../../src/ops/metrics';
import { invoiceNumbered } from '../helpers/generate-flows';
import { deletePrefix, describeRedis, REDIS_URL, redisClient, uniquePrefix } from '../helpers/redis';
import { tempDir } from '../helpers/run';
import { until } from '../helpers/until';
import { ROUTING } from '../helpers/watch';
import { watcherInProcess } from '../helpers/watcher-in-process';

const RULE = 'FLUX-PARTENAIRE-INCONNU';

describeRedis('watch: an upload folder beside the inboxes that no partner reads', () => {
  it('is said when first seen and not again at each rescan, counted, never taken from; said again once emptied and filled anew', async () => {
    const dir = tempDir('cf-unread-');
    const sftp = path.join(dir, 'sftp');
    const put = (rel: string, content = invoiceNumbered(Math.floor(Math.random() * 1e6))) => {
      const f = path.join(dir, rel);
      mkdirSync(path.dirname(f), { recursive: true });
      writeFileSync(f, content);
      return f;
    };
    for (const p of ['op-alpha', 'op-beta']) mkdirSync(path.join(sftp, p), { recursive: true });
    mkdirSync(path.join(dir, 'home', 'op-gamma', 'in'), { recursive: true });
    const raw = {
      // the output root beside the inboxes, and the configuration in a folder of its own there
      paths: { out: '../chorus' },
      partners: [
        { id: 'op-alpha', inbox: '../op-alpha' },
        { id: 'op-beta', inbox: '../op-beta' },
        { id: 'op-gamma', inbox: '../../home/op-gamma/in' },
      ],
      recipients: ROUTING,
      redis: { url: REDIS_URL, prefix: uniquePrefix('unread') },
      // another application's SFTP account beside the inboxes, said to be none
      watch: { stableMs: 100, pollMs: 50, rescanMs: 300, notInboxes: ['../backup-app'] },
      metrics: { port: 0, workerPort: 0 },
      facturx: { enabled: false },
    };
    const configFile = put('sftp/etc/config.json', JSON.stringify(raw));
    const config = configFromObject(raw, path.dirname(configFile), configFile);
    const outRoot = path.join(sftp, 'chorus');
    expect(config.paths.out).toBe(outRoot);
    // what must be said
    const initech = [put('sftp/initech/F1.xml'), put('sftp/initech/sub/F2.xml')];
    put('sftp/OP-ALPHA/F3.xml'); // differs from op-alpha's inbox by case only
    put('sftp/op-gamma/F4.xml'); // op-gamma's name, op-gamma's inbox elsewhere
    // what must not
    put('sftp/.trash/old.xml');
    put('sftp/uploading/F5.xml.filepart');
    mkdirSync(path.join(sftp, 'empty'));
    symlinkSync(path.join(sftp, 'initech'), path.join(sftp, 'link'));
    put('home/op-gamma/out/sent.xml'); // op-gamma's own outbox beside its inbox
    put('sftp/backup-app/dump.xml'); // watch.notInboxes
    put('sftp/chorus/reports/reconcile-2026-12-01.json', '{}'); // an output root beside the inboxes
    put('sftp/chorus/journal/2026-12-01/w.jsonl', '{}\n');

    const metrics = createMetrics({ defaults: false });
    const w = watcherInProcess(config, REDIS_URL, { metrics });
    const unread = async () => Number((await metrics.registry.metrics()).split('\n').find((l) => l.startsWith('chorus_flux_unread_folder_files '))?.split(' ')[1]);
    const said = () => w.logged.filter((l) => l.level === 40 && l.msg.startsWith(RULE)) as (typeof w.logged[number] & { folder: string; files: number; rule: string; inboxes: string[] })[];
    try {
      await w.watcher.start();
      // at start, once per folder, in folder order
      expect(said().map((l) => [l.folder, l.files, l.rule])).toEqual([
        [path.join(sftp, 'OP-ALPHA'), 1, RULE],
        [path.join(sftp, 'initech'), 2, RULE],
        [path.join(sftp, 'op-gamma'), 1, RULE],
      ]);
      const [alpha, init, gamma] = said();
      expect(init.msg).toBe(
        `${RULE} 2 file(s) wait unread: the folder ${path.join(sftp, 'initech')} lies beside the partners' inboxes but is none of them, and watch reads the configured inboxes only (${path.join(sftp, 'op-alpha')} (op-alpha), ${path.join(sftp, 'op-beta')} (op-beta), ${path.join(dir, 'home', 'op-gamma', 'in')} (op-gamma)). Nothing is taken from it: set its partner's "inbox" to it in ${configFile} (a new partner: add it to "partners"), or move the files into their partner's inbox; a folder that is no partner's upload folder is listed in "watch.notInboxes". Said again every hour while files wait there`,
      );
      expect(init.inboxes).toEqual([path.join(sftp, 'op-alpha'), path.join(sftp, 'op-beta'), path.join(dir, 'home', 'op-gamma', 'in')]);
      expect(alpha.msg).toContain(`; it differs only by case or Unicode form from the partner "op-alpha", whose inbox is ${path.join(sftp, 'op-alpha')}. Nothing is taken`);
      expect(gamma.msg).toContain(`; it bears the name of the partner "op-gamma", whose inbox is ${path.join(dir, 'home', 'op-gamma', 'in')}. Nothing is taken`);
      expect(await unread()).toBe(4);

      // many rescans later, and a file more: counted, not said again
      const more = put('sftp/initech/F6.xml');
      await until('the new file counted', async () => ((await unread()) === 5 ? true : undefined), 10_000);
      await sleep(1500);
      expect(said()).toHaveLength(3);
      // nothing taken: no claim, the files where they were
      expect(w.logged.filter((l) => l.msg === 'claimed and queued')).toEqual([]);
      for (const f of [...initech, more]) expect(existsSync(f)).toBe(true);
      expect(existsSync(path.join(outRoot, 'processing')) ? readdirSync(path.join(outRoot, 'processing')) : []).toEqual([]);

      // moved into the partner's inbox (what the line says to do): taken from there, the folder cleared
      for (const f of [...initech, more]) renameSync(f, path.join(sftp, 'op-beta', path.basename(f)));
      await until('the moved files claimed', async () => (w.logged.filter((l) => l.msg === 'claimed and queued').length === 3 ? true : undefined), 15_000);
      await until('the folder cleared', async () => (w.logged.some((l) => l.msg.startsWith('the folder beside the inboxes no longer holds files') && (l as unknown as { folder: string }).folder === path.join(sftp, 'initech')) ? true : undefined), 5_000);
      expect(await unread()).toBe(2);
      expect(said()).toHaveLength(3);

      // a new upload there is a new matter: said at once, not an hour later
      put('sftp/initech/F7.xml');
      await until('the folder said again', async () => (said().length === 4 ? true : undefined), 5_000);
      expect(said()[3]).toEqual(expect.objectContaining({ folder: path.join(sftp, 'initech'), files: 1 }));
      expect(w.errors()).toEqual([]);
    } finally {
      await w.close();
      const redis = redisClient();
      await deletePrefix(redis, raw.redis.prefix);
      await redis.quit();
    }
  }, 60_000);
});

describe('how often a folder is said', () => {
  it('when first seen, then once an hour while it holds files; at once again after it was emptied', () => {
    const n = new StrayNotices();
    expect(n.due('/srv/sftp/initech', 0)).toBe(true);
    expect(n.due('/srv/sftp/initech', 30_000)).toBe(false);
    expect(n.due('/srv/sftp/acme-sftp', 30_000)).toBe(true); // each folder its own
    expect(n.due('/srv/sftp/initech', STRAY_REPEAT_MS - 1)).toBe(false);
    expect(n.due('/srv/sftp/initech', STRAY_REPEAT_MS)).toBe(true);
    expect(n.due('/srv/sftp/initech', STRAY_REPEAT_MS + 30_000)).toBe(false);
    expect(n.cleared(new Set(['/srv/sftp/acme-sftp']))).toEqual(['/srv/sftp/initech']);
    expect(n.cleared(new Set(['/srv/sftp/acme-sftp']))).toEqual([]);
    expect(n.due('/srv/sftp/initech', STRAY_REPEAT_MS + 60_000)).toBe(true);
  });
});
