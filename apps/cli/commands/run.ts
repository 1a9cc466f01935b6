import type { Command } from 'commander';
import { loadConfig, type RawFlags } from '../../../shared/config/load-config.ts';
import { processingResultsLine } from '../../../shared/jobs/cycle-report.ts';
import { createRuntime } from '../runtime.ts';
import { startRoles } from '../roles.ts';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('Run the update loop: scheduler, registry, select, patch and git workers (all roles by default)')
    .option('--once', 'run one cycle, wait for its jobs, print the results and exit (non-zero if anything failed)')
    .option('--dry-run', 'plan and audit, but write nothing back')
    .option('--interval <duration>', 'time between update cycles (e.g. 2m, 30s)')
    .option('--roles <list>', 'comma-separated roles to run: scheduler,registry,select,patch,git,api')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG, ~/.kube/config or in-cluster)')
    .option('--context <name>', 'kubeconfig context')
    .option('--argocd-namespace <ns>', "namespace of the Argo CD Applications (default: the context's namespace, else argocd)")
    .option('--registries-conf-path <file>', 'registries.conf (default: ConfigMap argocd-image-updater-config, key registries.conf)')
    .option('--redis-url <url>', 'Redis URL (default REDIS_URL or redis://127.0.0.1:6379)')
    .option('--match-application-name <glob>', 'only Applications whose name matches (repeatable)', collect)
    .option('--match-application-label <selector>', 'only Applications matching this label selector')
    .option('--git-commit-user <name>', 'commit author name')
    .option('--git-commit-email <email>', 'commit author e-mail')
    .option('--git-commit-message-path <file>', 'commit message template (Go text/template)')
    .option('--disable-kube-events', 'do not record Kubernetes Events on Applications')
    .option('--health-port <port>', 'port of /healthz and /readyz (api role)')
    .option('--loglevel <level>', 'trace, debug, info, warn or error')
    .option('--logformat <format>', 'text or json')
    .action(async (flags: RawFlags) => {
      const config = loadConfig(flags, process.env);
      const runtime = await createRuntime(config, process.env);
      const roles = await startRoles(runtime);
      const shutdown = async (code: number) => {
        await roles.close();
        await runtime.close();
        process.exit(code);
      };
      process.once('SIGINT', () => void shutdown(130));
      process.once('SIGTERM', () => void shutdown(0));
      if (!config.once) return;
      const summary = await roles.runOnce();
      if (!roles.reportedLocally(summary.cycleId)) runtime.log.info({ cycle: summary.cycleId }, processingResultsLine(summary));
      await shutdown(summary.errors > 0 ? 1 : 0);
    });
}
