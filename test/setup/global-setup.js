/**
 * Jest global set-up: find a Redis for the suites that need one.
 *  1. REDIS_URL when it answers PING;
 *  2. else 127.0.0.1:6379 when it answers;
 *  3. else start `redis-server` from the PATH on a free port, without persistence;
 *  4. else skip the Redis suites — loudly — unless CHORUS_FLUX_REQUIRE_REDIS=1 (.ci/run),
 *     in which case the run fails.
 * The URL is handed to the test workers through process.env.REDIS_URL.
 */
const { spawn, spawnSync } = require('node:child_process');
const net = require('node:net');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function ping(url, timeoutMs = 800) {
  return new Promise((resolve) => {
    let u;
    try { u = new URL(url); } catch { return resolve(false); }
    const sock = net.createConnection({ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) });
    const done = (ok) => { sock.destroy(); resolve(ok); };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.on('error', () => done(false));
    sock.on('connect', () => {
      const auth = u.password ? `AUTH ${decodeURIComponent(u.password)}\r\n` : '';
      sock.write(`${auth}PING\r\n`);
    });
    sock.on('data', (d) => { if (d.toString().includes('PONG')) done(true); });
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
    srv.on('error', reject);
  });
}

/**
 * Every temporary folder of the run (tests, child processes, Saxon, Chromium) goes under one
 * root, removed by the global teardown: TMPDIR is inherited by the test workers and their
 * children. CHORUS_FLUX_KEEP_TMP=1 keeps it for a post-mortem.
 */
function tempRoot() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-flux-test-'));
  process.env.CHORUS_FLUX_TEST_TMP = root;
  process.env.TMPDIR = root;
}

module.exports = async function globalSetup() {
  tempRoot();
  const candidates = [process.env.REDIS_URL, 'redis://127.0.0.1:6379'].filter(Boolean);
  for (const url of candidates) {
    if (await ping(url)) { process.env.REDIS_URL = url; return; }
  }
  const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chorus-flux-redis-'));
    const child = spawn(which.stdout.trim(), ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore', detached: true });
    child.unref();
    const url = `redis://127.0.0.1:${port}`;
    for (let i = 0; i < 50; i++) {
      if (await ping(url)) {
        process.env.REDIS_URL = url;
        process.env.CHORUS_FLUX_TEST_REDIS_PID = String(child.pid);
        globalThis.__CHORUS_FLUX_REDIS__ = child;
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    try { process.kill(child.pid); } catch { /* already gone */ }
  }
  const message = [
    '',
    '================================================================================',
    ' chorus-flux: NO REDIS — the Redis test suites are SKIPPED.',
    ' Set REDIS_URL to a running Redis, or install redis-server (Debian: apt-get install redis-server)',
    ' so the tests can start one on a free port. .ci/run never skips them.',
    '================================================================================',
    '',
  ].join('\n');
  if (process.env.CHORUS_FLUX_REQUIRE_REDIS === '1') throw new Error(message);
  process.stderr.write(message);
  process.env.CHORUS_FLUX_SKIP_REDIS = '1';
};
