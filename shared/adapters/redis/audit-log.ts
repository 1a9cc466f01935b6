import type { Redis } from 'ioredis';
import type { AuditLog, AuditQuery, AuditRecord } from '../../ports/audit-log.ts';
import type { Keys } from './keys.ts';

const MAX_LEN = 200_000;

/**
 * The audit trail: one Redis stream for the fleet and one per app (both capped, approximate
 * trimming), entries as JSON. The app's own stream has every record whole; the fleet stream has
 * them without a check's selection explanation (tags found, filters, ranking: what `--app`
 * queries show), which keeps the fleet-wide writes of a big cycle small.
 * Queries scan newest first and filter.
 */
/** A record as the fleet stream keeps it: a check without its selection explanation (a dry run's write-back target kept). */
function fleetJson(r: AuditRecord): string {
  if (r.kind !== 'select' || !r.detail) return JSON.stringify(r);
  const { detail, ...rest } = r;
  return JSON.stringify(detail.writeBack ? { ...rest, detail: { writeBack: detail.writeBack } } : rest);
}

export class RedisAuditLog implements AuditLog {
  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
  ) {}

  async append(record: AuditRecord): Promise<string> {
    const [[, id]] = (await this.redis
      .multi()
      .xadd(this.k.audit, 'MAXLEN', '~', String(MAX_LEN), '*', 'r', fleetJson(record))
      .xadd(this.k.auditApp(record.app), 'MAXLEN', '~', '1000', '*', 'r', JSON.stringify(record))
      .exec()) as [[unknown, string], unknown];
    return id;
  }

  async appendMany(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const m = this.redis.multi();
    for (const r of records) {
      m.xadd(this.k.audit, 'MAXLEN', '~', String(MAX_LEN), '*', 'r', fleetJson(r));
      m.xadd(this.k.auditApp(r.app), 'MAXLEN', '~', '1000', '*', 'r', JSON.stringify(r));
    }
    await m.exec();
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const limit = q.limit ?? 100;
    const stream = q.app ? this.k.auditApp(q.app) : this.k.audit;
    const out: AuditRecord[] = [];
    let end = q.before ? `(${q.before}` : q.until !== undefined ? String(q.until) : '+';
    const start = q.since ? String(q.since) : '-';
    const cpPrefix = q.controlPlane ? `${q.controlPlane}/` : undefined;
    while (out.length < limit) {
      const batch = await this.redis.xrevrange(stream, end, start, 'COUNT', 500);
      if (batch.length === 0) break;
      for (const [id, fields] of batch) {
        const rec = { ...(JSON.parse(fields[1]!) as AuditRecord), id };
        if (q.image && rec.image !== q.image && rec.alias !== q.image) continue;
        if ((q.outcome && rec.outcome !== q.outcome) || (q.kind && rec.kind !== q.kind)) continue;
        if (cpPrefix && !rec.app.startsWith(cpPrefix)) continue;
        out.push(rec);
        if (out.length >= limit) break;
      }
      end = `(${batch[batch.length - 1]![0]}`;
    }
    return out;
  }
}
