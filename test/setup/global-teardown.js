/** Stops the redis-server the global set-up started, if any. */
module.exports = async function globalTeardown() {
  const pid = Number(process.env.CHORUS_FLUX_TEST_REDIS_PID || 0);
  if (pid) {
    try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
  }
};
