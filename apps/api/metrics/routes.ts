import type { Metrics } from '../../../shared/ports/metrics.ts';
import type { Route } from '../main.ts';

/** `GET /metrics`: this process's metrics in the Prometheus text format (no authentication, as the anchor's). */
export function metricsRoutes(metrics: Pick<Metrics, 'scrape'>): Route[] {
  return [
    {
      method: 'GET',
      path: '/metrics',
      async handle(_req, res) {
        const { contentType, body } = await metrics.scrape();
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
      },
    },
  ];
}
