import { Redis } from 'ioredis';

/** Plain connection options, accepted by both ioredis and BullMQ. */
export interface ConnectionOptions {
  host: string;
  port: number;
  username?: string;
  password?: string;
  db: number;
  tls?: object;
  maxRetriesPerRequest: null;
}

/**
 * Redis connections. Workers block on Redis and must never give up (`maxRetriesPerRequest: null`);
 * producers and stores fail fast when Redis is away (`enableOfflineQueue: false` after connect).
 */
export function connectionOptions(url: string): ConnectionOptions {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    tls: u.protocol === 'rediss:' ? {} : undefined,
    maxRetriesPerRequest: null,
  };
}

/**
 * A store connection. Commands issued in the same tick go out in one write (auto-pipelining): a
 * batch of checks or polls issues many small commands, and a write syscall each is what costs.
 */
export function createRedis(url: string, name: string): Redis {
  return new Redis({
    ...connectionOptions(url),
    connectionName: `tagflow-${name}`,
    lazyConnect: false,
    enableAutoPipelining: true,
  });
}
