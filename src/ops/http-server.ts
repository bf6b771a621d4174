/**
 * The operations endpoint: GET /metrics (Prometheus text format) and GET /healthz.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics';

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

export async function startOpsServer(metrics: Metrics, opts: { port: number; host: string; health: () => Promise<{ ok: boolean; details: Record<string, unknown> }> }): Promise<OpsServer> {
  const server = http.createServer(async (req, res) => {
    try {
      if (req.url === '/metrics') {
        const body = await metrics.registry.metrics();
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType });
        res.end(body);
      } else if (req.url === '/healthz') {
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
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
