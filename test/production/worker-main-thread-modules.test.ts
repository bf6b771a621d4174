/**
 * A worker's main thread takes jobs, holds the content's lock and journals; its processing
 * thread (job-thread.ts) runs the pipeline with deps of its own. The main thread loaded the
 * pipeline all the same, and built a Factur-X maker it never used, which loads the generator
 * (pdf-lib, fontkit and its fonts inflated): 0.35 s of CPU at every worker start (PERFORMANCE.md,
 * "Worker CPU per file (thirty-third round)"). Checked in a child process, whose module cache is
 * its own, on a real Redis; the processing thread still makes the Factur-X (the output is checked).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRedis } from '../../src/queue/redis';
import { deletePrefix, describeRedis } from '../helpers/redis';
import { prodSetup } from '../helpers/watch';
import { invoiceNumbered } from '../helpers/generate-flows';

const root = path.resolve(__dirname, '../..');

describeRedis("a worker's main thread", () => {
  it('loads neither the pipeline nor the Factur-X generator: its processing thread does, and makes the Factur-X', async () => {
    const setup = prodSetup({ partners: ['op-alpha'], extra: { facturx: { enabled: true } } });
    writeFileSync(path.join(setup.inbox('op-alpha'), 'F6161.xml'), invoiceNumbered(6161));
    const script = `
      const { loadConfig } = require('./src/config/config');
      const { startWorker } = require('./src/runner/worker');
      const { createLogger } = require('./src/util/logger');
      const { claimAndQueue } = require('./test/helpers/queue-claimed');
      const { fluxQueue } = require('./src/queue/flux-queue');
      const { createRedis } = require('./src/queue/redis');
      const path = require('node:path');
      (async () => {
        const config = loadConfig(${JSON.stringify(setup.configFile)});
        const running = await startWorker({ config, logger: createLogger({ level: 'silent' }) });
        const redis = createRedis({ url: config.redis.url });
        const queue = fluxQueue(config, redis);
        const { id } = await claimAndQueue(config, queue, 'op-alpha', ${JSON.stringify(path.join(setup.inbox('op-alpha'), 'F6161.xml'))});
        for (let i = 0; i < 600; i++) { const job = await queue.getJob(id); if (job && (await job.getState()) === 'completed') break; await new Promise((r) => setTimeout(r, 100)); }
        const loaded = Object.keys(require.cache);
        await running.close(10000); await queue.close(); await redis.quit();
        process.stdout.write(JSON.stringify(loaded));
      })().catch((e) => { console.error(e); process.exit(1); });`;
    try {
      const out = execFileSync(process.execPath, ['-r', './test/helpers/ts-register.js', '-e', script], { cwd: root, encoding: 'utf8', timeout: 90_000 });
      const loaded = (JSON.parse(out) as string[]).map((f) => path.relative(root, f));
      expect(loaded).toContain('src/runner/worker.ts'); // the check sees the project's own modules
      const pipeline = loaded.filter((f) => /^src\/(runner\/process-file|transform\/facturx\/make)\.ts$|node_modules\/(pdf-lib|@pdf-lib|fast-xml-parser)\//.test(f));
      expect(pipeline).toEqual([]);
      // the processing thread made the invoice's Factur-X: the pivot carries it
      const pivots = readdirSync(path.join(setup.dir, 'out', 'pivot'), { recursive: true }).map(String).filter((f) => f.endsWith('.xml'));
      expect(pivots).toHaveLength(1);
      expect(readFileSync(path.join(setup.dir, 'out', 'pivot', pivots[0]), 'utf8')).toContain('FX_');
    } finally {
      const redis = createRedis({ url: setup.config.redis.url });
      await deletePrefix(redis, setup.config.redis.prefix);
      await redis.quit();
    }
  }, 120_000);
});
