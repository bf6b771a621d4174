/**
 * A `watch` or `worker` daemon whose stdout and stderr go to a log file of the test's (what it
 * said survives its death, and a SIGKILL loses no line in a pipe), for the suites that run
 * daemons against a Redis of their own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from './cli';

export interface LoggedDaemon {
  child: ChildProcess;
  /** its exit code, or the signal that ended it */
  exited: Promise<number | string | null>;
  /** the log file */
  log: string;
  text(): string;
  /** its JSON log lines so far */
  lines(): Record<string, unknown>[];
}

/** Started with its /metrics on any free port; its output in `<dir>/<command><tag>.log`. */
export function loggedDaemon(command: 'watch' | 'worker', configFile: string, dir: string, tag = ''): LoggedDaemon {
  const log = path.join(dir, `${command}${tag}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), command, '-c', configFile, '--metrics-port', '0'], { stdio: ['ignore', fd, fd] });
  const text = () => readFileSync(log, 'utf8');
  return {
    child,
    exited: new Promise((r) => child.once('exit', (code, signal) => r(signal ?? code))),
    log,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** Polls `test` every `everyMs` until it holds, or fails after `timeoutMs` naming what it waited for. */
export async function untilHolds(what: string, test: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await sleep(everyMs);
  }
}

/** Its /healthz, once it has said where its metrics are: the HTTP status and the body. */
export async function daemonHealth(d: LoggedDaemon): Promise<{ status: number; body: Record<string, unknown> }> {
  const started = d.lines().find((l) => typeof l.metrics === 'string');
  if (!started) throw new Error('the daemon has not said where its metrics are');
  const res = await fetch(String(started.metrics).replace(/\/metrics$/, '/healthz'));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
