/**
 * Preloaded into a chorus-flux process (NODE_OPTIONS=--require …) by the crash tests: the
 * process SIGKILLs itself in the middle of an atomic write, its temp file written and not yet
 * renamed (at its fsync), when the temp's path matches KILL_IN_TEMP_WRITE (a regular
 * expression): a kill -9 that lands while an output is being written, which a fault point
 * (between two steps) never does.
 */
'use strict';
const fs = require('node:fs');

const pattern = new RegExp(process.env.KILL_IN_TEMP_WRITE ?? '^$');
const targets = new Set();
const openSync = fs.openSync;
fs.openSync = function (p, ...rest) {
  const fd = openSync.call(this, p, ...rest);
  if (typeof p === 'string' && /\.tmp$/.test(p) && pattern.test(p)) targets.add(fd);
  else targets.delete(fd);
  return fd;
};
const fsync = fs.fsync;
fs.fsync = function (fd, cb) {
  if (targets.has(fd)) process.kill(process.pid, 'SIGKILL');
  return fsync.call(this, fd, cb);
};
// the same inside an atomic copy (copyFileAtomic: fs.promises.open, then the handle's sync)
const openP = fs.promises.open;
fs.promises.open = async function (p, ...rest) {
  const fh = await openP.call(this, p, ...rest);
  if (typeof p === 'string' && /\.tmp$/.test(p) && pattern.test(p)) {
    const sync = fh.sync.bind(fh);
    fh.sync = async () => {
      process.kill(process.pid, 'SIGKILL');
      return sync();
    };
  }
  return fh;
};
