/**
 * Preloaded into a worker (NODE_OPTIONS=--require …) by `killfuzz --kill set-aside`: a file of
 * processing/ whose name holds `poison-open-` ends its process (SIGKILL) when it is opened, one
 * whose name holds `poison-late-` at the next fsync of a temp file after it was opened (its
 * attempt recorded, its invoices judged and their lifecycle recorded, its outputs not
 * committed): a file whose processing ends its worker every time (out of memory, a native
 * crash), at the start or after judging its invoices. Workers run one file at a time (the
 * campaign's `worker.concurrency` is 1), so the temp written next is that file's.
 */
'use strict';
const fs = require('node:fs');

let poisoned = false;
const temps = new Set();
const openSync = fs.openSync;
fs.openSync = function (p, ...rest) {
  if (typeof p === 'string' && /[/\\]processing[/\\]/.test(p)) {
    if (/poison-open-/.test(p)) process.kill(process.pid, 'SIGKILL');
    if (/poison-late-/.test(p)) poisoned = true;
  }
  const fd = openSync.call(this, p, ...rest);
  if (poisoned && typeof p === 'string' && /\.tmp$/.test(p)) temps.add(fd);
  else temps.delete(fd);
  return fd;
};
const fsync = fs.fsync;
fs.fsync = function (fd, cb) {
  if (temps.has(fd)) process.kill(process.pid, 'SIGKILL');
  return fsync.call(this, fd, cb);
};
const fsyncSync = fs.fsyncSync;
fs.fsyncSync = function (fd) {
  if (temps.has(fd)) process.kill(process.pid, 'SIGKILL');
  return fsyncSync.call(this, fd);
};
