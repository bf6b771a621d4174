/**
 * A `watch` or `worker` daemon run as operators run it (the CLI in a child process, its
 * /metrics on any free port), its stderr kept: what it said, and how it ended.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from './cli';

export interface Daemon {
  pid: number;
  /** the `msg` of each JSON log line so far */
  messages(): string[];
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  kill(signal: NodeJS.Signals): void;
  /** resolves once stderr holds `text` */
  said(text: string, timeoutMs?: number): Promise<void>;
}

/** `env`: added to the test's environment (a CHORUS_FLUX_FAULT, say) */
export function daemon(command: 'watch' | 'worker', configFile: string, env: NodeJS.ProcessEnv = {}): Daemon {
  const child = spawn(process.execPath, ['-r', path.join(ROOT, 'test/helpers/ts-register.js'), path.join(ROOT, 'src/cli/index.ts'), command, '-c', configFile, '--metrics-port', '0'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((r) => child.on('exit', (code, signal) => r({ code, signal, at: Date.now() })));
  return {
    pid: child.pid ?? -1,
    stderr: () => err,
    messages: () => err.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l).msg as string),
    exited,
    kill: (s) => child.kill(s),
    said: async (text, timeoutMs = 90_000) => {
      const end = Date.now() + timeoutMs;
      while (!err.includes(text)) {
        if (Date.now() > end) {
          child.kill('SIGKILL');
          throw new Error(`"${text}" not said in ${timeoutMs} ms; stderr:\n${err}`);
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}
