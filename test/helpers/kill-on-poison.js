/**
 * Preloaded into a worker (NODE_OPTIONS=--require …) by `killfuzz --kill set-aside`: a file of
 * processing/ whose name holds `poison-open-` ends its process (SIGKILL) when it is opened, one
 * whose name holds `poison-late-` at the next fsync of a temp file after it was opened (its
 * attempt recorded, its invoices judged and their lifecycle recorded, its outputs not
 * committed): a file whose processing ends its worker every time (out of memory, a native
 * crash), at the start or after judging its invoices. Workers run one file at a time (the
 * campaign's `worker.concurrency` is 1), so the temp written next is that file's.
 * KILL_ON_POISON_DISARMED names a file listing, one a line, the poison files' names that no
 * longer kill (a name of processing/ holding one; read at each open of a poison file): the campaign's operator has fixed what
 * ended the worker and runs `chorus-flux retry` on their jobs instead of set-aside.
 */
'use strict';
const fs = require('node:fs');

let poisoned = false;
const disarmed = (p) => {
  const list = process.env.KILL_ON_POISON_DISARMED;
  if (!list) return false;
  let names;
  try {
    names = fs.readFileSync(list, 'utf8').split('\n');
  } catch {
    return false;
  }
  const base = p.split(/[/\\]/).pop(); // processing/ may prefix the inbox name (a claim's id)
  return names.some((n) => n !== '' && base.includes(n));
};
const temps = new Set();
const openSync = fs.openSync;
fs.openSync = function (p, ...rest) {
  if (typeof p === 'string' && /[/\\]processing[/\\]/.test(p) && /poison-(open|late)-/.test(p) && !disarmed(p)) {
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
