/** A TCP port of 127.0.0.1 nothing listens on (taken, then let go): a Redis that cannot be reached. */
import net from 'node:net';

export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}
