/** Stops the redis-server the global set-up started, if any, and removes the run's temporary folders. */
const fs = require('node:fs');

module.exports = async function globalTeardown() {
  const pid = Number(process.env.CHORUS_FLUX_TEST_REDIS_PID || 0);
  if (pid) {
    try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
  }
  const root = process.env.CHORUS_FLUX_TEST_TMP;
  if (root && process.env.CHORUS_FLUX_KEEP_TMP !== '1') {
    try { fs.rmSync(root, { recursive: true, force: true, maxRetries: 3 }); } catch { /* best effort */ }
  }
};
