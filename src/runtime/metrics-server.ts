import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * `/metrics` and `/healthz` of a process that runs workers, on METRICS_PORT: its delivery
 * counters and latencies live in this process, so Prometheus scrapes it here beside the
 * API's /metrics. No token: bind it where only the scraper reaches (counts, no content).
 */
export async function serveMetrics(metrics: Metrics, port: number, logger: Logger): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').replace(/[?].*$/, '');
    if (req.method === 'GET' && path === '/metrics') {
      metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        (error: Error) => {
          logger.warn({ error: error.message }, 'metrics could not be collected');
          res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics could not be collected\n');
        },
      );
    } else if (req.method === 'GET' && path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new Error(`METRICS_PORT: cannot listen on port ${port}: ${error.code ?? error.message}`)),
    );
    server.listen(port, () => resolve());
  });
  const bound = (server.address() as { port: number }).port;
  logger.info({ port: bound }, `metrics on http://localhost:${bound}/metrics`);
  return {
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
