import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createRedis } from '../../shared/adapters/redis/connection.ts';
import { Keys } from '../../shared/adapters/redis/keys.ts';

/** The Redis the tests use: REDIS_URL, else the local default. Scripts start one when missing. */
export const TEST_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A unique key prefix per test so parallel suites never see each other's keys. */
export function uniquePrefix(name = 't'): string {
  return `tftest-${name}-${randomBytes(4).toString('hex')}`;
}

export interface TestRedis {
  redis: Redis;
  prefix: string;
  keys: Keys;
  cleanup(): Promise<void>;
}

export async function testRedis(name?: string): Promise<TestRedis> {
  const prefix = uniquePrefix(name);
  const redis = createRedis(TEST_REDIS_URL, 'test');
  return {
    redis,
    prefix,
    keys: new Keys(prefix),
    async cleanup() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        if (keys.length > 0) await redis.del(...keys);
        cursor = next;
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}
