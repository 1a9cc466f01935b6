/**
 * The fleet-wide state behind the gauges every process serves, kept in Redis so that any replica's
 * /metrics shows the same values whichever process finished the last cycle:
 *  - `metrics:last-full`: the counters and end time of the last interval (`all`-scope) cycle;
 *  - `metrics:failed-since`: for each app in the failed set, when it was last confirmed good (the end
 *    of the last full cycle before it failed).
 * An app not in the failed set was last checked successfully at the end of the last full cycle: that
 * cycle polled every repository, re-checked the apps whose inputs changed and left the others' results
 * standing. So the per-app age needs one HKEYS of the results, one HGETALL of the (small) failed-since
 * hash and one HGETALL of the last cycle per scrape, and each full cycle costs one SMEMBERS of the failed set.
 */
import type { Redis } from 'ioredis';
import type { CycleSummary } from '../../ports/cycle-ledger.ts';
import type { Keys } from '../redis/keys.ts';

export interface LastFullCycle {
  finishedAt: number;
  applications: number;
  images_considered: number;
  images_skipped: number;
  images_updated: number;
  errors: number;
}

export interface FleetMetricsState {
  last: LastFullCycle | null;
  /** Seconds since each app (with a recorded check) was last checked successfully. */
  ages: Map<string, number>;
}

const COUNTERS = ['applications', 'images_considered', 'images_skipped', 'images_updated', 'errors'] as const;

export class RedisFleetMetrics {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  private get lastKey(): string {
    return this.keys.raw('metrics', 'last-full');
  }
  private get sinceKey(): string {
    return this.keys.raw('metrics', 'failed-since');
  }

  /** Records a finished interval cycle (called by the one process that finished it). */
  async recordFullCycle(s: CycleSummary): Promise<void> {
    const finishedAt = s.finishedAt ?? Date.now();
    const [prevRaw, failed, since] = await Promise.all([
      this.redis.hget(this.lastKey, 'finishedAt'),
      this.redis.smembers(this.keys.failed),
      this.redis.hgetall(this.sinceKey),
    ]);
    const prev = Number(prevRaw ?? 0);
    const failedSet = new Set(failed);
    const multi = this.redis.multi();
    // newly failed: last good at the end of the previous full cycle (0: never seen good)
    const fresh = failed.filter((a) => since[a] === undefined).flatMap((a) => [a, String(prev)]);
    if (fresh.length > 0) multi.hset(this.sinceKey, ...fresh);
    const healed = Object.keys(since).filter((a) => !failedSet.has(a));
    if (healed.length > 0) multi.hdel(this.sinceKey, ...healed);
    multi.hset(this.lastKey, 'finishedAt', String(finishedAt), ...COUNTERS.flatMap((c) => [c, String(s[c])]));
    await multi.exec();
  }

  async read(now = Date.now()): Promise<FleetMetricsState> {
    const [last, apps, since] = await Promise.all([
      this.redis.hgetall(this.lastKey),
      this.redis.hkeys(this.keys.results),
      this.redis.hgetall(this.sinceKey),
    ]);
    const lastFull: LastFullCycle | null = last.finishedAt
      ? {
          finishedAt: Number(last.finishedAt),
          ...(Object.fromEntries(COUNTERS.map((c) => [c, Number(last[c] ?? 0)])) as Omit<LastFullCycle, 'finishedAt'>),
        }
      : null;
    const ages = new Map<string, number>();
    if (lastFull) {
      for (const app of apps) {
        const failedSince = since[app];
        // an app never seen good has no age to report (its errors show in images_errors_total)
        const good = failedSince === undefined ? lastFull.finishedAt : Number(failedSince);
        if (good > 0) ages.set(app, Math.max(0, (now - good) / 1000));
      }
    }
    return { last: lastFull, ages };
  }
}
