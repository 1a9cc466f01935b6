import type { Command } from 'commander';
import type { AuditRecord } from '../../../shared/ports/audit-log.ts';

interface AuditFlags {
  app?: string;
  image?: string;
  controlPlane?: string;
  outcome?: string;
  since?: string;
  until?: string;
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
    .option('--control-plane <name>', 'only apps of this control plane')
    .option('--outcome <outcome>', 'only records with this outcome (updated, noop, failed, dry-run, ...)')
    .option('--since <time>', 'records since (ISO date, epoch ms, or a duration ago: 2h)')
    .option('--until <time>', 'records until (ISO date, epoch ms, or a duration ago)')
    .option('--limit <n>', 'number of records', '50')
    .option('-o, --output <format>', 'text or json', 'text')
    .option('--redis-url <url>', 'Redis URL (default REDIS_URL or redis://127.0.0.1:6379)')
    .action(async (flags: AuditFlags) => {
      const [{ createRedis }, { Keys }, { RedisAuditLog }, { RedisFleetIndex }, { queryAudit, parseTime }] =
        await Promise.all([
          import('../../../shared/adapters/redis/connection.ts'),
          import('../../../shared/adapters/redis/keys.ts'),
          import('../../../shared/adapters/redis/audit-log.ts'),
          import('../../../shared/adapters/redis/fleet-index.ts'),
          import('../../../shared/audit/audit-query.ts'),
        ]);
      const time = (name: string, v: string | undefined) => {
        if (v === undefined) return undefined;
        const t = parseTime(v);
        if (t === null) throw new Error(`--${name}: not a time: "${v}" (ISO date, epoch ms, or a duration such as 2h)`);
        return t;
      };
      const since = time('since', flags.since);
      const until = time('until', flags.until);
      const redis = createRedis(flags.redisUrl ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', 'cli');
      try {
        const key = new Keys(process.env.TAGFLOW_PREFIX || 'tagflow');
        const { records } = await queryAudit(
          { audit: new RedisAuditLog(redis, key), index: new RedisFleetIndex(redis, key) },
          {
            app: flags.app,
            image: flags.image,
            controlPlane: flags.controlPlane,
            outcome: flags.outcome,
            since,
            until,
            limit: Number(flags.limit),
          },
        );
        if (flags.output === 'json') console.log(JSON.stringify(records, null, 2));
        else for (const r of records) console.log(formatRecord(r));
      } finally {
        redis.disconnect();
      }
    });
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
