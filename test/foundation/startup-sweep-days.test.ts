/**
 * The start-up sweep walks today's and yesterday's archive/ and error/ — calendar days in the
 * configured zone. Yesterday was the day of "now less 24 hours": in the last hour of the 25-hour
 * day that ends summer time (2026-10-25 in Paris) that instant is still today, and the temp
 * files a crash left in yesterday's folders were never swept.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { sweepOutboxes } from '../../src/emit/sweep';
import { bundledConfig, tempDir } from '../helpers/run';
import { machineName } from '../../src/util/machine-name';

const HOST = machineName(); // this machine, as its names carry it

it('sweeps yesterday\'s archive/ and error/ in the last hour of the 25-hour day', async () => {
  const config = bundledConfig(path.join(tempDir('cf-sweep-days-'), 'out'));
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  const plant = (rel: string) => {
    const p = path.join(config.paths.out, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, 'half');
    return p;
  };
  const left = [plant(`archive/2026-10-24/.facture.xml.${HOST}~${dead}~a0.tmp`), plant(`error/2026-10-24/.refus.xml.${HOST}~${dead}~a1.tmp`), plant(`archive/2026-10-25/.autre.xml.${HOST}~${dead}~a2.tmp`)];
  // 23:30 in Paris on 2026-10-25, winter time again (UTC+1)
  expect(await sweepOutboxes(config, new Date('2026-10-25T22:30:00Z'))).toBe(3);
  expect(left.filter((p) => existsSync(p))).toEqual([]);
});
