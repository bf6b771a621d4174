/**
 * Runs the chorus-flux command line from the TypeScript sources in a child process, the way
 * an operator runs it — so a test can kill it, time it out or read its exit code.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

const quoted = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;

/**
 * `maxMemoryKb`: its address space bounded (ulimit -v), so that a memory blow-up fails the test, not the host.
 * `terminal`: run it on a pseudo-terminal (util-linux `script`), as an operator at a console
 * does; its stdout and stderr then both come out in `stdout`.
 * `wallClockAt`: its wall clock starting at this instant (ISO, UTC), through libfaketime.
 */
export function cli(args: string[], opts: { env?: Record<string, string>; cwd?: string; timeoutMs?: number; maxOpenFiles?: number; maxMemoryKb?: number; terminal?: boolean; wallClockAt?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const clock = opts.wallClockAt ? ['faketime', opts.wallClockAt.replace('T', ' ').replace(/Z$/, '')] : [];
    const node = [...clock, process.execPath, '-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), ...args];
    // a lower limit of open descriptors, as on many servers (ulimit -n 1024 and less)
    const [cmd, ...argv] = opts.terminal
      ? ['script', '-qec', node.map(quoted).join(' '), '/dev/null']
      : opts.maxOpenFiles === undefined && opts.maxMemoryKb === undefined
        ? node
        : ['bash', '-c', `${[opts.maxOpenFiles && `ulimit -n ${opts.maxOpenFiles}`, opts.maxMemoryKb && `ulimit -v ${opts.maxMemoryKb}`].filter(Boolean).join(' && ')} && exec "$0" "$@"`, ...node];
    const child = spawn(cmd, argv, {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
