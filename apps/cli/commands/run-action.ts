import { anchorFlagWarnings, readAnchorSettings } from '../../../shared/config/anchor-flags.ts';
import { ConfigError, loadConfig, type RawFlags } from '../../../shared/config/load-config.ts';
import { processingResultsLine } from '../../../shared/jobs/cycle-report.ts';
import { createServices } from '../compose/services.ts';
import { startRoles } from '../compose/roles.ts';

/** Anchor flags tagflow accepts but does not serve yet (they come with the operations surface). */
const NOT_YET = {
  metrics: '--metrics-port / --metrics-bind-address: /metrics is not served by this version of tagflow yet; ignored',
  webhook:
    '--enable-webhook: the webhook receiver is not part of this version of tagflow yet; registries are polled every --interval',
};

/** `tagflow run`: builds the services, starts the roles, and with --once runs one cycle and exits. */
export async function runAction(flags: RawFlags & Record<string, unknown>): Promise<void> {
  const anchor = readAnchorSettings(flags, process.env);
  if (anchor.problems.length > 0) throw new ConfigError(anchor.problems);
  const config = loadConfig(flags, process.env, anchor.settings);
  const services = createServices(config, process.env);
  for (const w of [...anchorFlagWarnings(flags, process.env), ...anchor.warnings]) services.log.warn(w);
  if (anchor.settings.metricsPort) services.log.warn(NOT_YET.metrics);
  if (anchor.settings.webhook.enabled) services.log.warn(NOT_YET.webhook);
  // a bug must not end the process silently: say what it was, then exit (the orchestrator restarts it)
  process.on('unhandledRejection', (e) => {
    services.log.fatal(
      { err: e instanceof Error ? { message: e.message, stack: e.stack } : String(e) },
      `unexpected error: ${e instanceof Error ? e.message : String(e)}`,
    );
    process.exit(1);
  });
  const roles = await startRoles(services);
  const shutdown = async (code: number) => {
    await roles.close();
    await services.close();
    process.exit(code);
  };
  process.once('SIGINT', () => void shutdown(130));
  process.once('SIGTERM', () => void shutdown(0));
  if (!config.once) return;
  const summary = await roles.runOnce();
  if (!roles.reportedLocally(summary.cycleId))
    services.log.info({ cycle: summary.cycleId }, processingResultsLine(summary));
  await shutdown(summary.errors > 0 ? 1 : 0);
}
