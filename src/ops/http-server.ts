/**
 * The operations endpoint: GET /metrics (Prometheus text format) and GET /healthz.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics';
import { UsageError } from '../util/usage-error';

/**
 * Why a server could not listen, in plain words (a port in use, or one this user may not
 * take); the error itself for anything else.
 */
export function listenProblem(e: unknown, what: string, port: number, host: string, setting: string): Error {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return new UsageError(`${what}: port ${port} on ${host} is already in use (another chorus-flux process on this machine?). Give this one its own port: ${setting} (0: any free port, logged).`);
  if (code === 'EACCES') return new UsageError(`${what}: this user may not listen on port ${port} on ${host} (ports under 1024 need privileges). Choose another: ${setting}.`);
  if (code === 'EADDRNOTAVAIL') return new UsageError(`${what}: ${host} is not an address of this machine. Set another host (metrics.host or dashboard.host).`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new UsageError(`${what}: the host ${JSON.stringify(host)} is no name or address this machine can resolve${host.includes(':') && !host.includes('::') ? ' (the port is set apart, not written host:port)' : ''}. Set metrics.host or dashboard.host to an address of this machine, e.g. "127.0.0.1".`);
  return e as Error;
}

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

export async function startOpsServer(metrics: Metrics, opts: { port: number; host: string; health: () => Promise<{ ok: boolean; details: Record<string, unknown> }>; setting?: string }): Promise<OpsServer> {
  const server = http.createServer(async (req, res) => {
    try {
      // the path alone: a scraper's or a probe's query string (`?probe=1`) used to be a 404
      const route = (req.url ?? '/').split('?')[0];
      if ((route === '/metrics' || route === '/healthz') && req.method !== 'GET' && req.method !== 'HEAD') {
        // read-only endpoints: a POST or DELETE used to be answered as a GET, with a 200
        res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' });
        res.end(`method ${req.method} not allowed: ${route} answers GET and HEAD\n`);
      } else if (route === '/metrics') {
        const body = await metrics.registry.metrics();
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
        res.end(body);
      } else if (route === '/healthz') {
        const h = await opts.health();
        res.writeHead(h.ok ? 200 : 503, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ status: h.ok ? 'ok' : 'unhealthy', ...h.details }));
      } else {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('not found: try /metrics or /healthz\n');
      }
    } catch (e) {
      res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(`error: ${(e as Error).message}\n`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => reject(listenProblem(e, 'the /metrics and /healthz endpoint', opts.port, opts.host, opts.setting ?? '--metrics-port, or metrics.port / metrics.workerPort in the configuration')));
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
