/**
 * The standalone webhook listener (`--enable-webhook` on `--webhook-port`, and `tagflow webhook`):
 * the api server with only the webhook route besides /healthz and /readyz.
 */
import { startApi, type ApiServer } from '../main.ts';
import { webhookRoutes, type WebhookRouteOptions, type WebhookServices } from './routes.ts';

export function startWebhookListener(
  s: WebhookServices & { ping(): Promise<void> },
  at: { host: string; port: number },
  o: WebhookRouteOptions = {},
): Promise<ApiServer> {
  return startApi({
    log: s.log.child({ listener: 'webhook' }),
    ping: s.ping,
    routes: webhookRoutes(s, o),
    host: at.host,
    port: at.port,
  });
}
