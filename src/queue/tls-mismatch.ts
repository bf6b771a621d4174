/**
 * A `rediss://` (TLS) address given for a Redis that speaks plain text: the TLS handshake gets
 * no answer and the client says only "ETIMEDOUT", as for a host that is down. Asked once in
 * plain text, such a server answers PING at once: then the mistake can be named.
 */
import { connect } from 'node:net';

/** True when host:port answers a plain-text PING as Redis does (+PONG, or an error asking for a password). */
export function answersPlainRedis(host: string, port: number, timeoutMs = 1500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let reply = '';
    const done = (yes: boolean): void => {
      socket.destroy();
      resolve(yes);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(/^(\+PONG|-NOAUTH|-WRONGPASS|-ERR)/.test(reply));
    });
  });
}

/** The sentence to add when `url` is rediss:// and its server answers in plain text; undefined otherwise. */
export async function plainServerBehindTlsUrl(url: string): Promise<string | undefined> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'rediss:') return undefined;
  const port = Number(u.port || 6379);
  if (!(await answersPlainRedis(u.hostname.replace(/^\[|\]$/g, ''), port))) return undefined;
  return `the server at ${u.hostname}:${port} answers in plain text, not TLS: write redis:// instead of rediss://`;
}
