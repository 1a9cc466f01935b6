import type { Command } from 'commander';

export const collect = (v: string, prev: string[] = []) => [...prev, v];

/** The control plane, registries.conf, Redis and app selection options `run` and `plan` share. */
export function clusterOptions(cmd: Command, verb: 'serve' | 'check'): Command {
  return cmd
    .option(
      '--kubeconfig <file>',
      'kubeconfig file; repeatable: one control plane per selected context of every file (default: KUBECONFIG, ~/.kube/config or in-cluster)',
      collect,
    )
    .option(
      '--context <name>',
      `kubeconfig context to ${verb}; repeatable (default: the current context of each file)`,
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
    .option('--match-application-label <selector>', 'only Applications matching this label selector');
}
