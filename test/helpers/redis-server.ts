/**
 * A redis-server of the test's own, on a free port, without persistence — so a test can
 * kill it and start it again empty, as a restarted production Redis without persistence.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { tempDir } from './run';

export function redisServerAvailable(): boolean {
  return spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitPort(port: number, up: boolean, timeoutMs = 10000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((r) => {
      const c = net.createConnection({ port, host: '127.0.0.1' });
      c.on('connect', () => { c.destroy(); r(true); });
      c.on('error', () => r(false));
    });
    if (open === up) return;
    if (Date.now() > end) throw new Error(`redis port ${port} did not become ${up ? 'open' : 'closed'}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class OwnRedis {
  private proc?: ChildProcess;
  private constructor(readonly port: number, private readonly dir: string) {}

  static async start(): Promise<OwnRedis> {
    const r = new OwnRedis(await freePort(), tempDir('cf-redis-'));
    await r.up();
    return r;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir], { stdio: 'ignore' });
    await waitPort(this.port, true);
  }

  /** SIGKILL: the data is gone, as after a crash of a Redis without persistence. */
  async kill(): Promise<void> {
    this.proc?.kill('SIGKILL');
    await waitPort(this.port, false);
  }

  async restartEmpty(): Promise<void> {
    await this.kill();
    await this.up();
  }

  /**
   * SIGSTOP: the server stops answering while its connections stay open (the kernel still takes
   * the bytes sent to it), as a Redis host frozen or behind a partition that drops packets.
   */
  freeze(): void {
    this.proc?.kill('SIGSTOP');
  }

  /** SIGCONT: it answers again, what was sent meanwhile first. */
  thaw(): void {
    this.proc?.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    this.thaw();
    this.proc?.kill('SIGKILL');
  }
}
