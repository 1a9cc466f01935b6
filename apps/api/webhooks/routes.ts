/**
 * The webhook endpoint as api routes (`POST /webhook`), served on the api role's port and, with
 * `--enable-webhook` (or `tagflow webhook`), on the webhook listener's own port.
 */
import type { Config } from '../../../shared/config/schema.ts';
import type { Logger } from '../../../shared/logging/logger.ts';
import type { AuditLog, AuditOutcome } from '../../../shared/ports/audit-log.ts';
import type { ControlPlanes } from '../../../shared/ports/control-plane.ts';
import type { FleetIndex } from '../../../shared/ports/fleet-index.ts';
import type { Metrics, WebhookOutcome } from '../../../shared/ports/metrics.ts';
import type { JobSink } from '../../../shared/jobs/job-sink.ts';
import type { Route } from '../main.ts';
import { hourlyLimiter, type RateLimiter } from './rate-limit.ts';
import { webhookReceiver } from './receiver.ts';
import { webhookSecrets } from './secrets.ts';

export interface WebhookServices {
  settings: { config: Pick<Config, 'webhookSecrets' | 'webhookRequireSecret' | 'webhookRateLimit'> };
  log: Logger;
  index: Pick<FleetIndex, 'repoKeys' | 'targets'>;
  sink: Pick<JobSink, 'addBulk'>;
  audit: Pick<AuditLog, 'append'>;
  controlPlanes: Pick<ControlPlanes, 'all'>;
  metrics?: Pick<Metrics, 'webhookEvents'>;
}

export interface WebhookRouteOptions {
  /** One limiter for every port of a process (the api role and the listener count together). */
  limiter?: RateLimiter;
}

/** The metric's outcome of a request (argocd-image-updater has none; tagflow's own small set). */
export function metricOutcome(outcome: AuditOutcome, status: number): WebhookOutcome {
  if (outcome === 'accepted') return 'enqueued';
  if (outcome === 'unmatched') return 'untracked';
  if (outcome === 'ignored') return 'ignored';
  return status === 401
    ? 'unauthorized'
    : status === 413
      ? 'too_large'
      : status === 429
        ? 'rate_limited'
        : 'bad_request';
}

/** The limiter of `--webhook-ratelimit-allowed` (undefined: no limit). */
export function webhookLimiter(s: WebhookServices): RateLimiter | undefined {
  return hourlyLimiter(s.settings.config.webhookRateLimit);
}

export function webhookRoutes(s: WebhookServices, o: WebhookRouteOptions = {}): Route[] {
  const { config } = s.settings;
  const log = s.log.child({ component: 'webhook' });
  const handle = webhookReceiver({
    log,
    index: s.index,
    sink: s.sink,
    audit: s.audit,
    secrets: webhookSecrets(config.webhookSecrets, () => s.controlPlanes.all(), {
      onError: (e) => log.warn({ error: e.message }, 'could not read Secret argocd-image-updater-secret'),
    }),
    requireSecret: config.webhookRequireSecret,
    ...(o.limiter ? { limiter: o.limiter } : {}),
    observe: (type, outcome, status) => s.metrics?.webhookEvents.inc({ type, outcome: metricOutcome(outcome, status) }),
  });
  return [{ method: 'POST', path: '/webhook', handle }];
}
