import type { Redis } from 'ioredis';
import type { AuditLog, AuditQuery, AuditRecord } from '../../ports/audit-log.ts';
import type { Keys } from './keys.ts';

const MAX_LEN = 200_000;

/**
 * The audit trail: one Redis stream (capped, approximate trimming), entries as JSON.
 * Queries scan newest first and filter; an app's own stream index keeps per-app lookups cheap.
 */
export class RedisAuditLog implements AuditLog {
  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
  ) {}

  async append(record: AuditRecord): Promise<string> {
    const json = JSON.stringify(record);
    const [[, id]] = (await this.redis
      .multi()
      .xadd(this.k.audit, 'MAXLEN', '~', String(MAX_LEN), '*', 'r', json)
      .xadd(this.k.auditApp(record.app), 'MAXLEN', '~', '1000', '*', 'r', json)
      .exec()) as [[unknown, string], unknown];
    return id;
  }

  async appendMany(records: readonly AuditRecord[]): Promise<void> {
    if (records.length === 0) return;
    const m = this.redis.multi();
    for (const r of records) {
      const json = JSON.stringify(r);
      m.xadd(this.k.audit, 'MAXLEN', '~', String(MAX_LEN), '*', 'r', json);
      m.xadd(this.k.auditApp(r.app), 'MAXLEN', '~', '1000', '*', 'r', json);
    }
    await m.exec();
  }

  async query(q: AuditQuery): Promise<AuditRecord[]> {
    const limit = q.limit ?? 100;
    const stream = q.app ? this.k.auditApp(q.app) : this.k.audit;
    const out: AuditRecord[] = [];
    let end = '+';
    const start = q.since ? String(q.since) : '-';
    while (out.length < limit) {
      const batch = await this.redis.xrevrange(stream, end, start, 'COUNT', 500);
      if (batch.length === 0) break;
      for (const [id, fields] of batch) {
        const rec = { ...(JSON.parse(fields[1]!) as AuditRecord), id };
        if (q.image && rec.image !== q.image && rec.alias !== q.image) continue;
        out.push(rec);
        if (out.length >= limit) break;
      }
      end = `(${batch[batch.length - 1]![0]}`;
    }
    return out;
  }
}
