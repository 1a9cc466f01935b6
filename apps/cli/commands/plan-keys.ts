/**
 * The private Redis key prefix of one `tagflow plan`: `<base>-plan-<8 hex>`. While the plan runs it
 * keeps `<prefix>:plan:alive` (expiring 30 s after its last renewal); at the end every key of the
 * prefix is deleted. A plan killed before it could clean up leaves keys without that heartbeat: the
 * next plan on the same base prefix deletes them.
 */
import { randomBytes } from 'node:crypto';
import { createRedis } from '../../../shared/adapters/redis/connection.ts';

const ALIVE_MS = 30_000;
const alive = (prefix: string) => `${prefix}:plan:alive`;

export function planPrefix(base: string): string {
  return `${base}-plan-${randomBytes(4).toString('hex')}`;
}

export interface PlanKeys {
  /** Deletes every key of the plan's prefix and stops the heartbeat. */
  release(): Promise<void>;
}

/** Claims `prefix` (heartbeat), then deletes what plans on `base` that are gone left behind. */
export async function claimPlanKeys(url: string, base: string, prefix: string): Promise<PlanKeys> {
  const redis = createRedis(url, 'plan-keys');
  const beat = () => redis.set(alive(prefix), String(process.pid), 'PX', ALIVE_MS);
  await beat();
  const timer = setInterval(() => void beat().catch(() => undefined), ALIVE_MS / 3);
  timer.unref();
  const own = new RegExp(`^(${base}-plan-[0-9a-f]{8}):`);
  const abandoned = new Set<string>();
  await scan(redis, `${base}-plan-*`, async (keys) => {
    for (const k of keys) {
      const p = own.exec(k)?.[1];
      if (p && p !== prefix) abandoned.add(p);
    }
  });
  for (const p of abandoned) if (!(await redis.exists(alive(p)))) await deleteAll(redis, p);
  return {
    async release() {
      clearInterval(timer);
      try {
        await deleteAll(redis, prefix);
      } finally {
        redis.disconnect();
      }
    },
  };
}

type Client = ReturnType<typeof createRedis>;

async function scan(redis: Client, pattern: string, each: (keys: string[]) => Promise<void>): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (found.length > 0) await each(found);
    cursor = next;
  } while (cursor !== '0');
}

async function deleteAll(redis: Client, prefix: string): Promise<void> {
  await scan(redis, `${prefix}:*`, async (keys) => void (await redis.unlink(...keys)));
}
