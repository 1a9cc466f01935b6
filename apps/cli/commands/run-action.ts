import { anchorFlagWarnings, readAnchorSettings } from '../../../shared/config/anchor-flags.ts';
import { ConfigError, loadConfig, type RawFlags } from '../../../shared/config/load-config.ts';
import { processingResultsLine } from '../../../shared/jobs/cycle-report.ts';
import { createServices } from '../compose/services.ts';
import { startRoles } from '../compose/roles.ts';
import { startMetricsServer } from '../../api/metrics/index.ts';

/** `tagflow run`: builds the services, starts the roles, and with --once runs one cycle and exits. */
export async function runAction(flags: RawFlags & Record<string, unknown>): Promise<void> {
  const anchor = readAnchorSettings(flags, process.env);
  if (anchor.problems.length > 0) throw new ConfigError(anchor.problems);
  const config = loadConfig(flags, process.env, anchor.settings);
  const services = createServices(config, process.env);
  for (const w of [...anchorFlagWarnings(flags, process.env), ...anchor.warnings]) services.log.warn(w);
  // a bug must not end the process silently: say what it was, then exit (the orchestrator restarts it)
  process.on('unhandledRejection', (e) => {
    services.log.fatal(
      { err: e instanceof Error ? { message: e.message, stack: e.stack } : String(e) },
      `unexpected error: ${e instanceof Error ? e.message : String(e)}`,
    );
    process.exit(1);
  });
  const roles = await startRoles(services);
  // the anchor's own /metrics listener (the api role's port serves /metrics too)
  const metricsServer =
    anchor.settings.metricsPort && !config.once
      ? await startMetricsServer({
          ...services,
          host: anchor.settings.metricsHost || '0.0.0.0',
          port: anchor.settings.metricsPort,
        })
      : undefined;
  const shutdown = async (code: number) => {
    await metricsServer?.close();
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
