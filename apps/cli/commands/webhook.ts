import type { Command } from 'commander';
import { registerAnchorFlags } from '../../../shared/config/anchor-flag-options.ts';
import type { RawFlags } from '../../../shared/config/load-config.ts';

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** `tagflow webhook`: the anchor's standalone webhook server (its `webhook` command's flags). */
export function registerWebhook(program: Command): void {
  const cmd = program
    .command('webhook')
    .description(
      'Serve registry webhooks only (POST /webhook, default port 8080): each push enqueues a poll of the pushed repository for the workers of `tagflow run` processes sharing Redis (or of the --roles given here)',
    )
    .option('--redis-url <url>', 'Redis URL (default REDIS_URL or redis://127.0.0.1:6379)')
    .option(
      '--kubeconfig <file>',
      'kubeconfig file; repeatable (Secrets argocd-image-updater-secret are read there)',
      collect,
    )
    .option('--context <name>', 'kubeconfig context; repeatable', collect)
    .option(
      '--argocd-namespace <ns>',
      "namespace of Argo CD and its Secrets (default: the context's namespace, else argocd)",
    )
    .option('--roles <list>', 'worker roles to run in this process as well (default none): registry,select,patch,git')
    .option(
      '--distribution-webhook-secret <secret>',
      'Authorization header CNCF Distribution webhooks must carry (env DISTRIBUTION_WEBHOOK_SECRET)',
    )
    .option('--loglevel <level>', 'trace, debug, info, warn or error')
    .option('--logformat <format>', 'text or json');
  registerAnchorFlags(cmd, new Set(), 'webhook');
  cmd.action(async (flags: RawFlags & Record<string, unknown>) =>
    (await import('./webhook-action.ts')).webhookAction(flags),
  );
}
