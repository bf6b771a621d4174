/**
 * The log destinations never stall the process: a log file on a full disk (/dev/full answers
 * every write with ENOSPC) is dropped with one message, and the process still exits at once.
 * With pino's own destination (sonic-boom 4), the flush at exit retried the write for ever.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/cli';
import { tempDir } from '../helpers/run';

const runScript = (script: string): Promise<{ code: number | null; stderr: string; ms: number }> =>
  new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), '-e', script], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });

const maybe = existsSync('/dev/full') ? it : it.skip;

maybe('a log file that cannot be written is dropped with one message, and the process still exits', async () => {
  const r = await runScript(`
    const { createLogger } = require('./src/util/logger');
    const log = createLogger({ file: '/dev/full', level: 'silent' });
    for (let i = 0; i < 2000; i++) log.info({ i }, 'a line the disk has no room for');
    setTimeout(() => { for (let i = 0; i < 10; i++) log.info({ i }, 'more'); process.stderr.write('still running\\n'); }, 50);
  `);
  expect(r.code).toBe(0); // not killed by the timer: no endless retry at exit
  expect(r.stderr).toContain('still running');
  const said = r.stderr.split('\n').filter((l) => l.includes('can no longer be written'));
  expect(said).toEqual(['chorus-flux: the log file /dev/full can no longer be written (ENOSPC); its lines are dropped from now on, the journal still records every file']);
});

maybe('threads of one process writing one log file that fails: said once, not once per thread', async () => {
  const body = `require(${JSON.stringify(path.join(ROOT, 'test/helpers/ts-register.js'))}); const { createLogger } = require(${JSON.stringify(path.join(ROOT, 'src/util/logger.ts'))}); const log = createLogger({ file: '/dev/full', level: 'silent' }); for (let i = 0; i < 500; i++) log.info({ i }, 'x'); setTimeout(() => process.exit(0), 300);`;
  const r = await runScript(`
    const { Worker } = require('node:worker_threads');
    require('./src/util/log-destination'); // as run: the main thread loads it before it starts its threads
    let left = 3;
    for (let k = 0; k < 3; k++) new Worker(${JSON.stringify(body)}, { eval: true }).on('exit', () => { if (--left === 0) process.stderr.write('done\\n'); });
  `);
  expect(r.stderr).toContain('done');
  expect(r.stderr.split('\n').filter((l) => l.includes('can no longer be written'))).toHaveLength(1);
});

maybe('lines still buffered at exit are written out by the exit flush', async () => {
  const file = path.join(tempDir(), 'logs', 'run.log');
  const r = await runScript(`
    const { createLogger } = require('./src/util/logger');
    const log = createLogger({ file: ${JSON.stringify(file)}, level: 'silent' });
    log.info('opened');
    setTimeout(() => { for (let i = 0; i < 500; i++) log.info({ i }, 'line'); process.exit(0); }, 100);
  `);
  expect(r.code).toBe(0);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  expect(lines).toHaveLength(501);
  expect(JSON.parse(lines[500]).i).toBe(499);
});

it('a process that exits at once, before an asynchronous open could finish, still has its lines in its log file', async () => {
  // `run` over an empty inbox, or one refused at once, on a loaded host: the lines and the
  // summary were lost when the exit came before SonicBoom's own open of the file ("not ready yet")
  const file = path.join(tempDir(), 'logs', 'deeper', 'run.log');
  const r = await runScript(`
    const { createLogger } = require('./src/util/logger');
    const log = createLogger({ file: ${JSON.stringify(file)}, level: 'silent' });
    for (let i = 0; i < 3; i++) log.info({ i }, 'line');
    process.exit(0);
  `);
  expect(r.code).toBe(0);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  expect(lines.map((l) => JSON.parse(l).i)).toEqual([0, 1, 2]);
});

it('a log file that cannot be opened (its folder is a file) is said once, and the process goes on', async () => {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'logs'), 'not a folder');
  const r = await runScript(`
    const { logDestination } = require('./src/util/log-destination');
    const file = ${JSON.stringify(path.join(dir, 'logs', 'run.log'))};
    const d = logDestination({ dest: file, label: 'the log file ' + file });
    d.write('x\\n');
    setTimeout(() => { d.write('y\\n'); d.flushSync(); process.stderr.write('still running\\n'); }, 50);
  `);
  expect(r.code).toBe(0);
  expect(r.stderr).toContain('still running');
  expect(r.stderr.split('\n').filter((l) => l.includes('can no longer be written'))).toEqual([expect.stringMatching(/the log file .*run\.log can no longer be written \((ENOTDIR|EEXIST)\)/)]);
});
