import { anchorFlagWarnings, readAnchorSettings } from '../../../shared/config/anchor-flags.ts';
import { ConfigError, loadConfig, type RawFlags } from '../../../shared/config/load-config.ts';
import type { Role } from '../../../shared/config/schema.ts';
import { startWebhookListener } from '../../api/webhooks/listener.ts';
import { webhookLimiter } from '../../api/webhooks/routes.ts';
import { createServices } from '../compose/services.ts';
import { startRoles } from '../compose/roles.ts';

/** The anchor's `webhook` command listens on 8080 (its `run --enable-webhook` on 8082). */
const WEBHOOK_COMMAND_PORT = 8080;

/** `tagflow webhook`: the webhook listener, plus the worker roles given with --roles. */
export async function webhookAction(flags: RawFlags & Record<string, unknown>): Promise<void> {
  const anchor = readAnchorSettings(flags, process.env);
  if (anchor.problems.length > 0) throw new ConfigError(anchor.problems);
  const roles = (flags.roles ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const config = loadConfig({ ...flags, roles: roles.length > 0 ? roles.join(',') : undefined }, process.env, {
    ...anchor.settings,
    webhook: { ...anchor.settings.webhook, enabled: false },
  });
  const services = createServices(config, process.env);
  for (const w of [...anchorFlagWarnings(flags, process.env), ...anchor.warnings]) services.log.warn(w);
  const running = roles.length > 0 ? await startRoles(services, roles as Role[]) : undefined;
  const listener = await startWebhookListener(
    services,
    { host: config.apiHost, port: anchor.settings.webhook.port ?? WEBHOOK_COMMAND_PORT },
    { limiter: webhookLimiter(services) },
  );
  const shutdown = async (code: number) => {
    await listener.close();
    await running?.close();
    await services.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(130));
  process.once('SIGTERM', () => void shutdown(0));
}
