import type { Command } from 'commander';
import { anchorBooleanOption, registerAnchorFlags } from '../../../shared/config/anchor-flag-options.ts';
import type { RawFlags } from '../../../shared/config/load-config.ts';
import { clusterOptions } from './cluster-options.ts';

export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description(
      'Run the update loop: scheduler (with the control plane watchers), registry, select, patch and git workers, api (all roles by default)',
    )
    .addOption(
      anchorBooleanOption(
        '--once',
        'list every control plane, run one cycle over every app, print the results and exit (non-zero if anything failed)',
      ),
    )
    .addOption(anchorBooleanOption('--dry-run', 'plan and audit, but write nothing back'))
    .option('--interval <duration>', 'time between update cycles (e.g. 2m, 30s)')
    .option('--full-resync <duration>', 'check every app this often even when nothing changed (default 1h)')
    .option('--roles <list>', 'comma-separated roles to run: scheduler,registry,select,patch,git,api');
  clusterOptions(cmd, 'serve')
    .option('--git-commit-user <name>', 'commit author name')
    .option('--git-commit-email <email>', 'commit author e-mail')
    .option('--git-commit-message-path <file>', 'commit message template (Go text/template)')
    .addOption(anchorBooleanOption('--disable-kube-events', 'do not record Kubernetes Events on Applications'))
    .option('--health-port <port>', 'port of /healthz and /readyz (api role)')
    .option(
      '--distribution-webhook-secret <secret>',
      'Authorization header CNCF Distribution webhooks must carry (env DISTRIBUTION_WEBHOOK_SECRET)',
    )
    .option('--api-token-file <file>', 'file holding the dashboard/API bearer token (default TAGFLOW_API_TOKEN)')
    .option('--loglevel <level>', 'trace, debug, info, warn or error')
    .option('--logformat <format>', 'text or json');
  registerAnchorFlags(cmd, new Set());
  cmd.action(async (flags: RawFlags & Record<string, unknown>) => (await import('./run-action.ts')).runAction(flags));
}
