import type { Redis } from 'ioredis';
import type { TagSnapshot } from '../../domain/model/tags.ts';
import type { TagSnapshotStore } from '../../ports/tag-snapshots.ts';
import type { Keys } from './keys.ts';
import { parseStored, TagSnapshotSchema } from './state-schemas.ts';

/**
 * Snapshots live as one JSON string per repository and survive restarts; they are written by the
 * cycle ledger's poll step. A value that cannot be read back is returned as an error snapshot, so
 * the apps using the repository report it and the others go on.
 */
export class RedisTagSnapshotStore implements TagSnapshotStore {
  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
  ) {}

  private read(repoKey: string, raw: string): TagSnapshot {
    try {
      return parseStored<TagSnapshot>(TagSnapshotSchema, raw, `snapshot ${repoKey}`);
    } catch (e) {
      return {
        repoKey,
        fetchedAt: 0,
        tags: [],
        hash: 'corrupt',
        error: { code: 'state.corrupt', message: (e as Error).message, at: Date.now() },
      };
    }
  }

  async get(repoKey: string): Promise<TagSnapshot | null> {
    const raw = await this.redis.get(this.k.snapshot(repoKey));
    return raw ? this.read(repoKey, raw) : null;
  }

  async hashes(repoKeys: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (repoKeys.length === 0) return out;
    const raws = await this.redis.hmget(this.k.snapHashes, ...repoKeys);
    raws.forEach((h, i) => h && out.set(repoKeys[i]!, h));
    return out;
  }

  async getMany(repoKeys: readonly string[]): Promise<Map<string, TagSnapshot>> {
    const out = new Map<string, TagSnapshot>();
    if (repoKeys.length === 0) return out;
    const raws = await this.redis.mget(...repoKeys.map((k) => this.k.snapshot(k)));
    raws.forEach((raw, i) => raw && out.set(repoKeys[i]!, this.read(repoKeys[i]!, raw)));
    return out;
  }
}
