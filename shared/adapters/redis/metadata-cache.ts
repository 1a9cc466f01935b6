import type { Redis } from 'ioredis';
import type { DigestMetadata, MetadataCache } from '../../ports/metadata-cache.ts';
import type { Keys } from './keys.ts';
import { DigestMetadataSchema, parseStored } from './state-schemas.ts';

/** Digest → metadata in one Redis hash: content-addressed, so entries never expire and survive restarts. */
export class RedisMetadataCache implements MetadataCache {
  constructor(
    private readonly redis: Redis,
    private readonly k: Keys,
  ) {}

  async getMany(digests: readonly string[]): Promise<Map<string, DigestMetadata>> {
    const out = new Map<string, DigestMetadata>();
    if (digests.length === 0) return out;
    const raws = await this.redis.hmget(this.k.digestMeta, ...digests);
    raws.forEach((raw, i) => {
      if (!raw) return;
      try {
        out.set(digests[i]!, parseStored<DigestMetadata>(DigestMetadataSchema, raw, `metadata of ${digests[i]}`));
      } catch {
        // unreadable: described again from the registry (it is content-addressed)
      }
    });
    return out;
  }

  async put(digest: string, meta: DigestMetadata): Promise<void> {
    await this.redis.hset(this.k.digestMeta, digest, JSON.stringify(meta));
  }
}
