import type { Command } from 'commander';
import type { RedisFleetIndex } from '../../../shared/adapters/redis/fleet-index.ts';
import type { AuditRecord } from '../../../shared/ports/audit-log.ts';

interface AuditFlags {
  app?: string;
  image?: string;
  limit: string;
  output: string;
  redisUrl?: string;
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description('Show the audit trail: why each app is (or is not) on a tag, and what was written')
    .option('--app <name>', 'only this application (name, namespace/name or control-plane/namespace/name)')
    .option('--image <name>', 'only this image (full name or alias)')
    .option('--limit <n>', 'number of records', '50')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--redis-url <url>', 'Redis URL (default REDIS_URL or redis://127.0.0.1:6379)')
    .action(async (flags: AuditFlags) => {
      const [{ createRedis }, { Keys }, { RedisAuditLog }, { RedisFleetIndex }] = await Promise.all([
        import('../../../shared/adapters/redis/connection.ts'),
        import('../../../shared/adapters/redis/keys.ts'),
        import('../../../shared/adapters/redis/audit-log.ts'),
        import('../../../shared/adapters/redis/fleet-index.ts'),
      ]);
      const redis = createRedis(flags.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'cli');
      try {
        const key = new Keys(process.env.TAGFLOW_PREFIX || 'tagflow');
        const log = new RedisAuditLog(redis, key);
        const limit = Number(flags.limit);
        const app = flags.app ? await resolveAppKey(new RedisFleetIndex(redis, key), flags.app) : undefined;
        const records = await log.query({ app, image: flags.image, limit });
        if (flags.output === 'json') console.log(JSON.stringify(records, null, 2));
        else for (const r of records) console.log(formatRecord(r));
      } finally {
        redis.disconnect();
      }
    });
}

/** Accepts `name`, `namespace/name` or the full `<control plane>/namespace/name` key. */
async function resolveAppKey(index: RedisFleetIndex, app: string): Promise<string> {
  const known = await index.keys();
  if (known.includes(app)) return app;
  const hit = known.find((k) => k.endsWith(`/${app}`) && (app.includes('/') || k.split('/').pop() === app));
  return hit ?? app;
}

export function formatRecord(r: AuditRecord): string {
  const when = new Date(r.at).toISOString();
  const move = r.current || r.selected ? ` ${r.current ?? '∅'} → ${r.selected ?? '∅'}` : '';
  const where = r.commitSha
    ? ` commit=${r.commitSha}`
    : r.resourceVersion
      ? ` resourceVersion=${r.resourceVersion}`
      : '';
  const job = r.jobId ? ` job=${r.queue}/${r.jobId}#${r.attempt}` : '';
  return `${when} ${r.app} ${r.image ?? ''}${move} ${r.outcome} (${r.reason}) ${r.message}${where}${job}`;
}
