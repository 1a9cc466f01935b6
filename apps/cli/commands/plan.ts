import type { Command } from 'commander';
import { registerAnchorFlags } from '../../../shared/config/anchor-flag-options.ts';
import type { RawFlags } from '../../../shared/config/load-config.ts';

const collect = (v: string, prev: string[] = []) => [...prev, v];

export type PlanFlags = RawFlags & { output?: string; timeout?: string } & Record<string, unknown>;

/** `run` flags that make no sense for a plan (it is always one dry-run cycle, with no server). */
const NOT_FOR_PLAN = new Set(['once', 'dry-run', 'interval', 'health-port']);

export function registerPlan(program: Command): void {
  const cmd = program
    .command('plan')
    .description(
      'Fleet-wide dry run: check every application against its registries and show the changes a run would make (writes nothing)',
    )
    .option(
      '-o, --output <format>',
      'text (a table on stdout, progress on stderr) or json (one object on stdout)',
      'text',
    )
    .option('--timeout <duration>', 'give up when the check takes longer (default 15m)')
    .option(
      '--kubeconfig <file>',
      'kubeconfig file; repeatable: one control plane per selected context of every file (default: KUBECONFIG, ~/.kube/config or in-cluster)',
      collect,
    )
    .option(
      '--context <name>',
      'kubeconfig context to check; repeatable (default: the current context of each file)',
      collect,
    )
    .option('--credentials-context <name>', 'a control plane whose Secrets the others may use when they lack them')
    .option(
      '--argocd-namespace <ns>',
      "namespace of Argo CD, its ConfigMap and Secrets (default: the context's namespace, else argocd)",
    )
    .option(
      '--registries-conf-path <file>',
      'registries.conf (default: ConfigMap argocd-image-updater-config, key registries.conf, of each control plane)',
    )
    .option('--redis-url <url>', 'Redis URL (default REDIS_URL or redis://127.0.0.1:6379)')
    .option('--match-application-name <glob>', 'only Applications whose name matches (repeatable)', collect)
    .option('--match-application-label <selector>', 'only Applications matching this label selector')
    .option('--loglevel <level>', 'trace, debug, info, warn or error (default warn; logs go to stderr)')
    .option('--logformat <format>', 'text or json');
  registerAnchorFlags(cmd, NOT_FOR_PLAN);
  cmd.action(async (flags: PlanFlags) => (await import('./plan-action.ts')).planAction(flags));
}
