import type { Logger } from '../../../shared/logging/logger.ts';
import type { ControlPlanes } from '../../../shared/ports/control-plane.ts';
import type { Metrics } from '../../../shared/ports/metrics.ts';
import { startApi, type ApiServer } from '../main.ts';
import { metricsRoutes } from './routes.ts';
import { readinessCheck } from './readiness.ts';

export interface MetricsServerDeps {
  metrics: Pick<Metrics, 'scrape'>;
  ping(): Promise<void>;
  controlPlanes: Pick<ControlPlanes, 'all'>;
  log: Logger;
  host: string;
  port: number;
}

/**
 * The anchor's own metrics listener (`--metrics-port`, `--metrics-bind-address`): `/metrics`, and
 * the probes `/healthz` and `/readyz`, apart from the api role's port.
 */
export function startMetricsServer(d: MetricsServerDeps): Promise<ApiServer> {
  return startApi({
    log: d.log.child({ listener: 'metrics' }),
    ping: d.ping,
    ready: readinessCheck(d),
    routes: metricsRoutes(d.metrics),
    host: d.host,
    port: d.port,
  });
}
