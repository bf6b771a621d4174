/**
 * Preloaded into a chorus-flux process (NODE_OPTIONS=--require …) by the crash tests: the
 * fsync of an attempt record (state/files/<xx>/<sha256>.attempt, under its temp name) answers
 * 500 ms late, as on a device busy with other files' flushes. The record only takes its name
 * once that fsync returns: whatever the file does meanwhile runs with no attempt record on disk.
 */
'use strict';
const fs = require('node:fs');

const attemptFds = new Set();
const openSync = fs.openSync;
fs.openSync = function (p, ...rest) {
  const fd = openSync.call(this, p, ...rest);
  if (typeof p === 'string' && /\.attempt[^/]*\.tmp$/.test(p)) attemptFds.add(fd);
  else attemptFds.delete(fd);
  return fd;
};
const fsync = fs.fsync;
fs.fsync = function (fd, cb) {
  if (!attemptFds.has(fd)) return fsync.call(this, fd, cb);
  attemptFds.delete(fd);
  setTimeout(() => fsync.call(this, fd, cb), 500);
};
