/**
 * A `chorus-flux worker` in a child process (run from the TypeScript sources), for the tests
 * that stop or kill it: `exited` resolves to its exit code, or to the signal that ended it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './cli';

export interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<NodeJS.Signals | number | null>;
}

export function startWorkerProcess(configFile: string, env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), 'worker', '-c', configFile, '--metrics-port', '0'], { stdio: 'ignore', env: { ...process.env, ...env } });
  return { child, exited: new Promise((r) => child.on('exit', (code, signal) => r(signal ?? code))) };
}
