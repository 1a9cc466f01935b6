import type { Redis } from 'ioredis';
import type { TagSnapshot, TagSnapshotStore } from '../../ports/tag-snapshots.ts';
import type { Keyspace } from './connection.ts';

/** Snapshots live as one JSON string per repository; they survive restarts. */
export class RedisTagSnapshotStore implements TagSnapshotStore {
  constructor(
    private readonly redis: Redis,
    private readonly key: Keyspace,
  ) {}

  async get(repoKey: string): Promise<TagSnapshot | null> {
    const raw = await this.redis.get(this.key('snap', repoKey));
    return raw ? (JSON.parse(raw) as TagSnapshot) : null;
  }

  async getMany(repoKeys: readonly string[]): Promise<Map<string, TagSnapshot>> {
    const out = new Map<string, TagSnapshot>();
    if (repoKeys.length === 0) return out;
    const raws = await this.redis.mget(...repoKeys.map((k) => this.key('snap', k)));
    raws.forEach((raw, i) => raw && out.set(repoKeys[i]!, JSON.parse(raw) as TagSnapshot));
    return out;
  }

  async put(snapshot: TagSnapshot): Promise<{ changed: boolean }> {
    const previous = await this.redis.getset(this.key('snap', snapshot.repoKey), JSON.stringify(snapshot));
    if (!previous) return { changed: true };
    return { changed: (JSON.parse(previous) as TagSnapshot).hash !== snapshot.hash };
  }
}
