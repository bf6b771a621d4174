/**
 * A TCP relay between a command and a Redis of the test's own that acts when the command sends
 * a given text (a job's key, a queue's prefix): it freezes or kills the server right before
 * those bytes go through. So a one-shot command can be caught mid-way at a chosen step — after
 * it connected, between two jobs — which a test timing a `kill -STOP` from outside could not
 * do: the command's dozen round trips take a few milliseconds.
 */
import net from 'node:net';

interface Trigger {
  marker: string;
  /** the occurrence that acts (1: the first) */
  nth: number;
  seen: number;
  act: () => void | Promise<void>;
}

export class MarkerProxy {
  private readonly triggers: Trigger[] = [];
  private readonly sockets = new Set<net.Socket>();
  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number): Promise<MarkerProxy> {
    let self: MarkerProxy | undefined;
    const server = net.createServer((client) => self?.relay(client, targetPort));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    self = new MarkerProxy(server, (server.address() as net.AddressInfo).port);
    return self;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** `act` runs once, before the bytes holding the `nth` occurrence of `marker` are relayed. */
  when(marker: string, act: () => void | Promise<void>, nth = 1): void {
    this.triggers.push({ marker, nth, seen: 0, act });
  }

  private relay(client: net.Socket, targetPort: number): void {
    const upstream = net.createConnection({ port: targetPort, host: '127.0.0.1' });
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      s.on('error', () => undefined);
    }
    upstream.on('data', (b) => client.write(b));
    upstream.on('close', () => client.destroy());
    client.on('close', () => upstream.destroy());
    // the client's bytes in order, each chunk held until the triggers it fires have acted
    let tail = '';
    let chain = Promise.resolve();
    client.on('data', (b) => {
      const text = tail + b.toString('latin1');
      const acts: (() => void | Promise<void>)[] = [];
      for (const t of this.triggers) {
        if (t.seen >= t.nth) continue;
        for (let i = text.indexOf(t.marker, tail.length - t.marker.length + 1 > 0 ? tail.length - t.marker.length + 1 : 0); i >= 0; i = text.indexOf(t.marker, i + 1)) {
          if (++t.seen === t.nth) {
            acts.push(t.act);
            break;
          }
        }
      }
      tail = text.slice(-64);
      chain = chain.then(async () => {
        for (const a of acts) await a();
        if (!upstream.destroyed) upstream.write(b);
      });
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }
}
